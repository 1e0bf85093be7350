// net-ring.test.ts: upstream's "net_ring spt" outcome: every frame's payload intact, and a queue of frames
// read whole and in order.
import { describe, expect, it } from 'vitest';
import { conformanceGuest } from '../helpers/conformance.js';
import { canUseNetns, pingStats, useNetns } from '../helpers/netns.js';
import { example } from '../helpers/paths.js';

/*
 * Upstream's test_net_ring checks the integrity of hvt's ioeventfd ring: the host pings
 * with the pattern 0xdeadbeef and the guest verifies the pattern in 10,000 requests. spt
 * has no ring of its own (each frame is one read(2) or write(2) on the tap), so here:
 *  - the same 10,000 patterned requests, with ping itself checking every echoed byte
 *    (ping checks the data only when not flooding, so -A: adaptive, back to back);
 *  - the nearest meaningful thing to a ring: a burst of raw frames queued in the tap while
 *    the guest is not reading, then drained; all must arrive whole, in order, and go back
 *    whole and in order.
 */
const PATTERNED = 10_000;
const BURST = 400; // below the tap's queue of 1000 frames (qlen), so none may be dropped
const GUEST_MAC = '02:00:00:00:00:02';

// Sends BURST frames of EtherType 0x88b5 at the guest as fast as it can, then collects the
// echoes and compares each with what was sent (addresses swapped). Prints one JSON line.
const BURST_SCRIPT = `
import json, socket, struct, sys, time
iface, guest, count, mtu = sys.argv[1], bytes.fromhex(sys.argv[2].replace(':', '')), int(sys.argv[3]), int(sys.argv[4])
TEST = 0x88b5
SO_RCVBUFFORCE = 33
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(TEST))
s.bind((iface, TEST))
s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 24)
ours = s.getsockname()[4]
span = mtu + 14 - 60
frames = []
for seq in range(count):
    length = 60 + (seq * 97) % (span + 1)
    body = bytes(((seq * 31 + i * 7) & 0xff) for i in range(20, length))
    frames.append(guest + ours + struct.pack('!HIH', TEST, seq, length) + body)
start = time.monotonic()
for f in frames:
    s.send(f)
sent_ms = (time.monotonic() - start) * 1000
s.settimeout(1.0)
back, bad = 0, []
deadline = time.monotonic() + 20
while back < count and time.monotonic() < deadline:
    try:
        data, addr = s.recvfrom(65536)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    f = frames[back]
    if data != f[6:12] + f[0:6] + f[12:]:
        bad.append(back)
    back += 1
print(json.dumps({'sent': count, 'sentMs': round(sent_ms, 1), 'back': back, 'bad': bad[:10], 'bytes': sum(map(len, frames))}))
`;

describe.skipIf(!canUseNetns)('net_ring conformance', () => {
  const netns = useNetns();

  it('net_ring spt', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    const guest = ns.nablaRun([
      '--mem=2',
      '--net:service=tap0',
      example('ping'),
      `--limit=${PATTERNED}`,
    ]);
    await guest.waitFor('ping: ready');
    const ping = await ns.run(
      'ping',
      ['-A', '-c', String(PATTERNED), '-p', 'deadbeef', '-s', '1400', '10.0.0.2'],
      90_000,
    );
    expect(ping.stdout).toContain('PATTERN: 0xdeadbeef');
    expect(pingStats(ping.stdout), ping.stdout.slice(-500)).toMatchObject({
      transmitted: PATTERNED,
      received: PATTERNED,
      loss: 0,
    });
    expect(ping.stdout.match(/^1408 bytes from 10\.0\.0\.2: /gm)).toHaveLength(PATTERNED);
    expect(ping.stdout).not.toMatch(/wrong data byte|DUP!|BAD CHECKSUM/);
    expect((await guest.exited).status).toBe(0);
  }, 120_000);

  it('net_ring spt: a burst queued in the tap is read whole, in order, and echoed so', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
    const guest = ns.nablaRun([
      '--mem=2',
      '--net:service=tap0',
      `--net-mac:service=${GUEST_MAC}`,
      conformanceGuest('netring'),
      `count=${BURST}`,
      'hold=1000',
    ]);
    await guest.waitFor('netring: ready');
    const mtu = Number(/, mtu (\d+),/.exec(guest.stdout())?.[1]);
    expect(mtu).toBe(1500);

    const sender = await ns.run('python3', [
      '-c',
      BURST_SCRIPT,
      'tap0',
      GUEST_MAC,
      String(BURST),
      String(mtu),
    ]);
    expect(sender.status, sender.stderr).toBe(0);
    const report = JSON.parse(sender.stdout) as { sent: number; back: number; bad: number[] };
    expect(report).toMatchObject({ sent: BURST, back: BURST, bad: [] });

    const exit = await guest.exited;
    expect(exit.status, exit.stdout).toBe(0); // SUCCESS
    expect(exit.stdout).toContain('SUCCESS');
    // The hold worked: the whole burst was waiting in the queue when the guest read again.
    expect(exit.stdout).toContain(
      `netring: ${BURST} frames in order and intact, ${BURST} of them queued at once\n`,
    );
  }, 60_000);
});
