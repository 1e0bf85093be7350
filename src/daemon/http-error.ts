// http-error.ts: a failure as the API answers it: the HTTP status its code calls for, and the JSON error body.
import type { NablaErrorCode } from '../error-codes.js';
import { asNablaError } from '../errors.js';

/** Codes whose status is not 422 (a request the daemon understood but whose kernel or devices fail). */
const STATUS: Partial<Record<NablaErrorCode, number>> = {
  USAGE: 400,
  OPTION_INVALID: 400,
  REQUEST_INVALID: 400,
  CMDLINE_TOO_LONG: 400,
  DAEMON_FORBIDDEN: 403,
  ROUTE_UNKNOWN: 404,
  INSTANCE_NOT_FOUND: 404,
  INSTANCE_EXISTS: 409,
  INSTANCE_STATE: 409,
  EADDRINUSE: 409, // a summoned instance's listen address, taken by another
  TENDER_FAILED: 500,
  CGROUP: 500, // the host's control groups, not the request
  INTERNAL: 500,
};

export interface ErrorAnswer {
  status: number;
  body: { error: { code: string; message: string } };
}

/** Any error, as the status and body the API answers with; unexpected ones are 500 INTERNAL. */
export function errorAnswer(error: unknown): ErrorAnswer {
  const e = asNablaError(error);
  // An errno code is the host's failure (500), unless listed: EADDRINUSE is a conflict.
  const status = STATUS[e.code] ?? (e.internal ? 500 : 422);
  return { status, body: { error: { code: e.code, message: e.message } } };
}
