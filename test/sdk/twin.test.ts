// twin.test.ts: one guest source built for spt and hosted: same output line for line, same refusals.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildUnikernel } from '../../src/toolchain/build.js';
import { canUseNetns, useNetns } from '../helpers/netns.js';
import { guest, NABLA_RUN, ROOT, tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';
import { runProcess, runSpt } from './processes.js';

const scratch = useScratch();
const netns = useNetns();

describe('twin guest, spt and hosted', () => {
  const hostedTwin = join(scratch.dir, 'twin');

  beforeAll(async () => {
    await buildUnikernel({
      sources: [join(ROOT, 'test/guests/twin/twin.c')],
      manifest: join(ROOT, 'test/guests/twin/manifest.json'),
      output: hostedTwin,
      target: 'hosted',
    });
  });

  // Both get the same kind of net device: a real tap in a private namespace, handed over on
  // descriptor 3 by fd-exec (nabla takes only a tap for @FD, docs/security.md).
  it.skipIf(!canUseNetns)(
    'prints the same, line for line, except that hosted refuses to move the thread pointer',
    async () => {
      const ns = netns();
      ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
      const devices = (disk: string) => [
        `--block:storage=${disk}`,
        '--net:service0=@3',
        '--net-mac:service0=02:00:00:00:00:01',
      ];
      const args = ['--solo5:quiet', 'a', 'b'];
      const onTap = (argv: readonly string[]) =>
        ns.run(tool('fd-exec'), ['--nonblock', '3', 'tap', 'tap0', '--', ...argv]);
      const spt = await onTap([
        process.execPath,
        'node',
        NABLA_RUN,
        ...devices(scratch.disk('spt.img', 1 << 20)),
        guest('twin'),
        ...args,
      ]);
      const hosted = await onTap([
        hostedTwin,
        'twin',
        ...devices(scratch.disk('h.img', 1 << 20)),
        ...args,
      ]);
      expect(spt.status, spt.stdout + spt.stderr).toBe(0);
      expect(hosted.status, hosted.stdout + hosted.stderr).toBe(0);
      expect(spt.stdout).toContain('twin: set_tls_base OK\n');
      expect(hosted.stdout).toContain('twin: set_tls_base EINVAL\n');
      const same = (s: string) => s.replace('set_tls_base EINVAL', 'set_tls_base OK');
      expect(same(hosted.stdout)).toBe(spt.stdout);
      expect(spt.stdout).toContain("twin: command line 'a b'\n");
      expect(spt.stdout).toContain('twin: net handle 2, mtu 1500, mac 02:00:00:00:00:01\n');
      expect(spt.stdout).toMatch(/twin: all ok\n$/);
    },
  );

  it('refuses a tap that does not exist, with nabla-run words', () => {
    const disk = `--block:storage=${scratch.disk('n.img', 1 << 20)}`;
    const expected = 'Could not attach interface: nabla-nope0: No such device\n';
    const hosted = runProcess(hostedTwin, [disk, '--net:service0=nabla-nope0']);
    expect(hosted.status).toBe(1);
    expect(hosted.stderr).toBe(`twin: ${expected}`);
    const spt = runSpt([disk, '--net:service0=nabla-nope0', guest('twin')]);
    expect(spt.stderr).toBe(`nabla-run: ${expected}`);
  });

  it('refuses a descriptor that is not open, and a malformed MAC', () => {
    const disk = `--block:storage=${scratch.disk('m.img', 1 << 20)}`;
    const badFd = runProcess(hostedTwin, [disk, '--net:service0=@99']);
    expect(badFd.stderr).toBe('twin: Could not attach interface: @99: Bad file descriptor\n');
    const badMac = runProcess(hostedTwin, [
      disk,
      '--net:service0=@99',
      '--net-mac:service0=02:00:00:00:00',
    ]);
    expect(badMac.status).toBe(1);
    expect(badMac.stderr).toBe(
      "twin: Malformed argument to --net-mac:service0: '02:00:00:00:00'\n",
    );
  });
});
