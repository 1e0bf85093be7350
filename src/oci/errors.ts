// errors.ts: nabla-oci's error: one line for log.json, in the words containerd's shim matches.
import { NablaError } from '../errors.js';

/** A failure of a runtime command: its message is the one log.json line the user sees. */
export function ociError(message: string): NablaError {
  return new NablaError(message, { code: 'OCI' });
}
