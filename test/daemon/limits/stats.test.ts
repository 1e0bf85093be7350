// stats.test.ts: guestStats on real guests started by run(), both start paths: descriptor I/O, tap counters, CPU, RSS and PSS, cgroup figures.
import { spawnSync } from 'node:child_process';
import { closeSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/api.js';
import {
  createGuestCgroups,
  guestStats,
  removeGuestCgroups,
} from '../../../src/daemon/limits/index.js';
import { receiveMessage, seqpacketPair } from '../../../src/native/engine.js';
import { waitFor } from '../../helpers/live-guest.js';
import { type Netns, useNetns } from '../../helpers/netns.js';
import { guest, tool } from '../../helpers/paths.js';
import { useScratch } from '../../helpers/scratch.js';
import { useTestCgroups } from './groups.js';

const { layout, parent } = useTestCgroups();
const newNetns = useNetns();
const scratch = useScratch();
const TAP = 'cgtap0';
/** What cgio does on its cue (test/guests/cgio/cgio.c). */
const BLOCKS = 16;
const FRAMES = 8;
const FRAME_SIZE = 200;
const SECTOR = 512;

/** A descriptor of the namespace's tap for this process, from fd-exec --send (as escape.test.ts). */
function tapDescriptor(ns: Netns): number {
  const [mine, theirs] = seqpacketPair();
  try {
    const r = spawnSync(
      tool('fd-exec'),
      ['--send', '3', '--netns', `/run/netns/${ns.name}`, '--nonblock', '0', 'tap', TAP],
      { stdio: ['ignore', 'inherit', 'pipe', theirs], encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`fd-exec --send: ${r.stderr || r.status}`);
    const [fd] = receiveMessage(mine, 5_000)?.fds ?? [];
    if (fd === undefined) throw new Error('fd-exec --send sent no descriptor');
    return fd;
  } finally {
    closeSync(mine);
    closeSync(theirs);
  }
}

describe.each([
  ['the start engine', true],
  ['a spawned tender', false],
])('guest stats spt (%s)', (_, engine) => {
  it('block and net I/O show in its counters; CPU, RSS, PSS and its groups are read', async () => {
    const ns = newNetns();
    ns.addTap({ name: TAP, address: '10.77.0.1/24' });
    // A process in the tap's namespace, whose /proc/PID/net/dev lists the tap.
    const inNs = ns.spawn('sleep', ['60']);
    const tapFd = tapDescriptor(ns);
    const groups = createGuestCgroups(layout, parent, `stats${engine}`, {});
    let h: ReturnType<typeof run>;
    try {
      h = run(
        {
          kernel: guest('cgio'),
          block: [{ name: 'storage', path: scratch.disk(`stats${engine}.img`, 1 << 20) }],
          net: [{ name: 'service', fd: tapFd }],
        },
        { engine, cgroups: groups.dirs },
      );
    } finally {
      closeSync(tapFd);
    }
    const stdout = h.stdout as NonNullable<typeof h.stdout>;
    const options = { taps: [TAP], netnsPid: inNs.pid, cgroup: groups };
    try {
      await waitFor(stdout, 'ready');
      const before = guestStats(h.pid, options);
      // The cue: any frame; pinging a neighbour makes the host send an ARP request out of the tap.
      const done = waitFor(stdout, 'io done');
      await ns.run('ping', ['-c', '1', '-W', '1', '10.77.0.2']);
      await done;
      const after = guestStats(h.pid, options);
      if (!before || !after) throw new Error('the guest ended early');

      const io = (k: keyof typeof after.io) => after.io[k] - before.io[k];
      // Each block write and read is one pwrite64/pread64 of a sector; the frames are writes too.
      expect(io('writeBytes')).toBeGreaterThanOrEqual(BLOCKS * SECTOR + FRAMES * FRAME_SIZE);
      expect(io('writeOps')).toBeGreaterThanOrEqual(BLOCKS + FRAMES);
      expect(io('readBytes')).toBeGreaterThanOrEqual(BLOCKS * SECTOR);
      expect(io('readOps')).toBeGreaterThanOrEqual(BLOCKS + 1);
      const tap = (s: typeof after, k: keyof (typeof after.net)[string]) => s.net[TAP]?.[k] ?? NaN;
      expect(tap(after, 'txPackets') - tap(before, 'txPackets')).toBe(FRAMES);
      expect(tap(after, 'txBytes') - tap(before, 'txBytes')).toBe(FRAMES * FRAME_SIZE);
      expect(tap(after, 'rxPackets') - tap(before, 'rxPackets')).toBeGreaterThanOrEqual(1);
      expect(tap(after, 'rxBytes') - tap(before, 'rxBytes')).toBeGreaterThanOrEqual(42); // ARP

      expect(after.cpu.userSeconds + after.cpu.systemSeconds).toBeGreaterThanOrEqual(0);
      expect(after.memory.rssBytes).toBeGreaterThan(0);
      expect(after.memory.pssBytes).toBeGreaterThan(0);
      expect(after.memory.pssBytes).toBeLessThanOrEqual(after.memory.rssBytes);
      expect(after.cgroup?.pids.current).toBe(1);
      expect(after.cgroup?.memory.usageBytes).toBeGreaterThan(0);
      expect(after.cgroup?.cpu.usageNs).toBeGreaterThan(0);
    } finally {
      h.kill();
    }
    await h.exited;
    expect(guestStats(h.pid, options)).toBeNull(); // ended: nothing to read
    await removeGuestCgroups(groups);
  });
});
