// index.ts: the public API of the nabla package.
export { type GuestHandle, type GuestOutput, prepare, type RunOptions, run } from './api.js';
export { AuditError, type AuditOptions, audit } from './audit/audit.js';
export { formatReport, type ReportFormat, writeReport } from './audit/output.js';
export { AUDIT_SCHEMA_VERSION, type AuditReport } from './audit/report.js';
export { ERROR_CODES, type ErrnoName, type ErrorCode, type NablaErrorCode } from './error-codes.js';
export { NablaError, type NablaErrorJson } from './errors.js';
export { buildFsImage, type FsImageOptions, type FsImageSummary } from './fsimage/build.js';
export type { GuestExit } from './launch/spawn.js';
export { NativeError } from './native/errors.js';
export type { PolicyRule } from './policy/rules.js';
