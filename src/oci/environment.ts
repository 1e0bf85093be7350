// environment.ts: process.env for a unikernel, which has none: what containerd and Kubernetes always add is ignored (with a warning), anything else refused.
import { ociError } from './errors.js';

/**
 * Variables the platform sets on every container whatever the image or the user wants:
 * containerd's PATH, HOSTNAME, TERM with a tty (and HOME, which runc adds).
 */
const PLATFORM = new Set(['PATH', 'HOSTNAME', 'TERM', 'HOME']);
/**
 * Kubernetes' service links: KUBERNETES_SERVICE_HOST and friends are set on every pod, even with
 * enableServiceLinks: false; other services' (NAME_SERVICE_HOST, NAME_PORT_80_TCP_ADDR, ...) too.
 */
const SERVICE_LINK =
  /^[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)?)$/;

export interface MappedEnvironment {
  /** Guest arguments the environment becomes (none: nothing is mapped, see docs/oci.md). */
  args: string[];
  warnings: string[];
}

/**
 * A unikernel has no environment, so a variable cannot reach it. Rather than drop what a user
 * asked for, nabla-oci refuses any variable but the platform's own, naming it; the platform's
 * are ignored with one warning line in the log (docs/oci.md §2).
 */
export function mapEnvironment(env: readonly string[]): MappedEnvironment {
  const ignored: string[] = [];
  for (const entry of env) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? entry : entry.slice(0, eq);
    if (PLATFORM.has(name) || SERVICE_LINK.test(name)) {
      ignored.push(name);
      continue;
    }
    throw ociError(
      `process.env ${name}: a unikernel has no environment; pass the value as a guest argument (the image's Cmd, or the pod's args) instead`,
    );
  }
  const warnings =
    ignored.length > 0
      ? [
          `process.env ignored (set by the platform; a unikernel has no environment): ${ignored.join(' ')}`,
        ]
      : [];
  return { args: [], warnings };
}
