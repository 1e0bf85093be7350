// build-settings.ts: reads nabla-build.json, the nabla-only sidecar beside an app's manifest.json (what to link, e.g. the TCP/IP stack).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { NablaError } from '../errors.js';
import { systemErrorText } from '../os-errors.js';

/*
 * manifest.json is Solo5's format (solo5-elftool reads it too), so nabla's own build choices
 * live beside it, in a file Solo5's tools never see.
 */
export const BUILD_SETTINGS_FILE = 'nabla-build.json';

export interface BuildSettings {
  /** Link the SDK's TCP/IP stack (lwIP and sdk/net), as `nabla build --tcpip` does. */
  tcpip: boolean;
}

const SettingsSchema = z.strictObject({ tcpip: z.boolean().optional() });

function invalid(file: string, detail: string): NablaError {
  return new NablaError(`${file}: ${detail}`, { code: 'BUILD_INPUT' });
}

/** The settings in DIR/nabla-build.json; all off when the file does not exist. */
export async function readBuildSettings(dir: string): Promise<BuildSettings> {
  const file = join(dir, BUILD_SETTINGS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { tcpip: false };
    throw invalid(file, `cannot read: ${systemErrorText(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(file, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = SettingsSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0] as z.core.$ZodIssue;
    if (issue.code === 'unrecognized_keys') {
      throw invalid(file, `${issue.keys[0] ?? ''}: unexpected key (expected tcpip)`);
    }
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw invalid(file, `${where}expected ${where === '' ? 'a JSON object' : 'true or false'}`);
  }
  return { tcpip: result.data.tcpip ?? false };
}
