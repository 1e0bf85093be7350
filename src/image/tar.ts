// tar.ts: a small tar archive in memory with tar-stream: the layer and the OCI layout of `nabla image build`.
import { pack } from 'tar-stream';

export interface TarEntry {
  name: string;
  data: Buffer;
  /** Default 0644. */
  mode?: number;
}

/**
 * The archive's bytes: entries in the order given, owned by root, dated the epoch, so the same
 * input always gives the same bytes (and so the same digests).
 */
export async function tarBuffer(entries: readonly TarEntry[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const entry of entries) {
    archive.entry(
      {
        name: entry.name,
        mode: entry.mode ?? 0o644,
        uid: 0,
        gid: 0,
        mtime: new Date(0),
        type: 'file',
      },
      entry.data,
    );
  }
  archive.finalize();
  await ended;
  return Buffer.concat(chunks);
}
