// version.ts: `nabla version` — our version and the Solo5 ABI version.
export const command = 'version';
export const describe = 'Show the nabla version and the Solo5 ABI version';

export async function handler(): Promise<void> {
  const { version } = await import('../usage.js');
  process.stdout.write(version('nabla'));
}
