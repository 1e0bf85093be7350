// refused.ts: runc's commands that mean nothing for a unikernel, each refused with the reason.
import { NablaError } from '../errors.js';

export const REFUSED = [
  'exec',
  'checkpoint',
  'restore',
  'update',
  'run',
  'events',
  'spec',
] as const;

const WHY: Record<string, string> = {
  exec: "a unikernel is one program with no shell or processes to exec into; use httpGet or tcpSocket probes rather than exec probes, and the container's log for its output",
  checkpoint: 'checkpointing a guest is not supported',
  restore: 'checkpointing a guest is not supported',
  update: "a guest's memory is fixed when it starts; change the limit and recreate the container",
  run: 'use create then start',
  events: "the shim reads the container's cgroups itself",
  spec: "write config.json with the image's tools (ctr, nerdctl)",
};

export function refusal(command: string): NablaError {
  return new NablaError(
    `command '${command}' is not supported by nabla-oci: ${WHY[command] ?? 'unknown command'}`,
    {
      code: 'OCI',
    },
  );
}
