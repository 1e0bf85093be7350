// attach.ts: matches device requests against the manifest, attaches them, and requires every declared one.
import { closeSync } from 'node:fs';
import type { Manifest } from '../elf/manifest.js';
import { NablaError } from '../errors.js';
import { escapeName, escapeText } from '../text-escape.js';
import type { AttachedDevice, DeviceRequest } from './kind.js';

/**
 * Attaches every request with its kind, to the device of that name the manifest declares with
 * the kind's type; on any failure closes what was opened and rethrows.
 */
export function attachDevices(
  manifest: Manifest,
  requests: readonly DeviceRequest[],
): AttachedDevice[] {
  const attached: AttachedDevice[] = [];
  try {
    for (const request of requests) {
      const declared = manifest.devices.find(
        (d) => d.name === request.name && d.type === request.kind.type,
      );
      if (!declared)
        throw new NablaError(`Resource not declared in manifest: '${escapeText(request.name)}'`, {
          code: 'DEVICE_UNDECLARED',
        });
      if (attached.some((a) => a.index === declared.index)) {
        throw new NablaError(`Device '${escapeText(request.name)}' is attached more than once`, {
          code: 'DEVICE_DUPLICATE',
        });
      }
      attached.push(request.kind.attach(declared, request));
    }
    const missing = manifest.devices.filter((d) => !attached.some((a) => a.index === d.index));
    if (missing.length > 0) {
      throw new NablaError(
        [
          // The names are the file's: escaped, as the tender escapes them (text_escape.c).
          ...missing.map(
            (d) => `Device '${escapeName(d.name)}' of type ${d.type} declared but not attached.`,
          ),
          'All declared devices must be attached. See --help for syntax.',
        ],
        { code: 'DEVICE_NOT_ATTACHED' },
      );
    }
  } catch (error) {
    releaseDevices(attached);
    throw error;
  }
  return attached.sort((a, b) => a.index - b.index);
}

/** Releases each device with its kind. */
export function releaseDevices(devices: readonly AttachedDevice[]): void {
  for (const device of devices) device.kind.release(device);
}

/** A kind's release when all it holds is the descriptor: closed if it opened it (`owned`). */
export function closeOwned(device: AttachedDevice): void {
  if (device.owned) closeSync(device.fd);
}
