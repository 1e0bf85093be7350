// net-fd.test.ts: --net:NAME=@FD and run({ net: [{ fd }] }) take only a tap; the tender checks again.
import { describe, expect, it } from 'vitest';
import { canUseNetns, type Netns, useNetns } from '../helpers/netns.js';
import { example, NABLA_RUN, ROOT, tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
/** Where fd-exec (tenders/tools/fd_exec.c) leaves the descriptor: the first one past stdio. */
const FD = 3;
const PING = example('ping');

const NOT_TUN = 'not a tap device (TUNGETIFF: Inappropriate ioctl for device)';
/** Each kind fd-exec makes, the interface it needs, and why nabla refuses it (none: a tap). */
const KINDS: Array<[kind: string, ifname: string | undefined, reason: string | undefined]> = [
  ['unix', undefined, NOT_TUN],
  ['pipe', undefined, NOT_TUN],
  ['file', undefined, NOT_TUN],
  ['tun', 'tun9', 'not a tap device (a tun device: IFF_TUN)'],
  ['tun-none', undefined, 'not a tap device (a tun/tap descriptor attached to no interface)'],
  [
    'tap-pi',
    'tappi0',
    'tap device without IFF_NO_PI (frames would carry a packet information header)',
  ],
  ['tap-vnet', 'tap0', 'tap device with IFF_VNET_HDR (frames would carry a virtio-net header)'],
  ['tap', 'tap0', undefined],
];
const REFUSED = KINDS.filter(([, , reason]) => reason !== undefined);

/** fd-exec's arguments: a descriptor of `kind` at FD, then exec `argv`. */
function withFd(kind: string, ifname: string | undefined, argv: string[]): string[] {
  return [String(FD), kind, ...(ifname ? [ifname] : []), '--', ...argv];
}

function namespaceWithTap(netns: () => Netns): Netns {
  const ns = netns();
  ns.addTap({ name: 'tap0', address: '10.0.0.1/24' });
  return ns;
}

/**
 * run() with { fd } in a Node process inside the namespace (taps are made there, never on the
 * host). Prints one JSON line: the NablaError's message, or that the guest got as far as ready.
 */
const API_SCRIPT = `
import { run } from ${JSON.stringify(`${ROOT}dist/index.js`)};
const fd = Number(process.argv[2]);
try {
  const guest = run({ kernel: ${JSON.stringify(PING)}, net: [{ name: 'service', fd }] });
  let out = '';
  guest.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ping: ready')) guest.kill('SIGKILL');
  });
  const exit = await guest.exited;
  console.log(JSON.stringify({ ready: out.includes('ping: ready'), signal: exit.signal }));
} catch (error) {
  console.log(JSON.stringify({ error: error.message, name: error.name }));
}
`;

/**
 * The tender on its own, given a plan the orchestrator made for a real tap (on 3) but, in
 * the device's place (the tender's 5), the descriptor under test (on 4 here): a plan that did
 * not come from a checking orchestrator. Prints the tender's status and stderr.
 */
const TENDER_SCRIPT = `
import { spawnSync } from 'node:child_process';
import { prepare } from ${JSON.stringify(`${ROOT}dist/index.js`)};
import { planMemfd } from ${JSON.stringify(`${ROOT}dist/launch/exec.js`)};
import { tenderPath } from ${JSON.stringify(`${ROOT}dist/launch/tender-path.js`)};
const prepared = prepare({ kernel: ${JSON.stringify(PING)}, net: [{ name: 'service', fd: 3 }] });
const plan = planMemfd(prepared.encodePlan({ elfFd: 4, deviceFds: [5] }));
const r = spawnSync(tenderPath(), ['3', 'ping'], {
  argv0: 'nabla-run', env: {}, encoding: 'utf8', timeout: 5000,
  stdio: ['ignore', 'pipe', 'pipe', plan, prepared.unikernel.fd, 4],
});
console.log(JSON.stringify({ status: r.status, signal: r.signal, stderr: r.stderr }));
`;

describe.skipIf(!canUseNetns)('net devices from a descriptor (@FD)', () => {
  const netns = useNetns();
  const apiScript = scratch.file('api.mjs', API_SCRIPT);
  const tenderScript = scratch.file('tender.mjs', TENDER_SCRIPT);

  it.each(REFUSED)(
    'nabla-run --net:service=@FD refuses a %s descriptor with one line, status 1',
    async (kind, ifname, reason) => {
      const ns = namespaceWithTap(netns);
      const argv = [process.execPath, 'node', NABLA_RUN, `--net:service=@${FD}`, PING];
      const r = await ns.run(tool('fd-exec'), withFd(kind, ifname, argv));
      expect(r.stderr).toBe(`nabla-run: Could not attach interface: @${FD}: ${reason}\n`);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(1);
    },
  );

  it.each(REFUSED)(
    'run({ net: [{ fd }] }) refuses a %s descriptor with a NablaError',
    async (kind, ifname, reason) => {
      const ns = namespaceWithTap(netns);
      const argv = [process.execPath, 'node', apiScript, String(FD)];
      const r = await ns.run(tool('fd-exec'), withFd(kind, ifname, argv));
      expect(JSON.parse(r.stdout)).toEqual({
        error: `Could not attach interface: @${FD}: ${reason}`,
        name: 'NablaError',
      });
    },
  );

  it('a tap (IFF_TAP | IFF_NO_PI) is taken, through nabla-run and through run()', async () => {
    const ns = namespaceWithTap(netns);
    const cli = ns.spawn(
      tool('fd-exec'),
      withFd('tap', 'tap0', [process.execPath, 'node', NABLA_RUN, `--net:service=@${FD}`, PING]),
    );
    await cli.waitFor('ping: ready');
    ns.killAll();
    const api = await ns.run(
      tool('fd-exec'),
      withFd('tap', 'tap0', [process.execPath, 'node', apiScript, String(FD)]),
    );
    expect(api.stdout, `status ${String(api.status)}: ${api.stderr}`).not.toBe('');
    expect(JSON.parse(api.stdout)).toEqual({ ready: true, signal: 'SIGKILL' });
  });

  it.each(REFUSED)(
    'the tender itself refuses a %s descriptor in a plan it did not get from a checking orchestrator',
    async (kind, ifname, reason) => {
      const ns = namespaceWithTap(netns);
      // The descriptor under test on its own tap: a tap's flags are the interface's, shared by
      // every descriptor attached to it, and prepare()'s tap on 3 must stay a plain one.
      ns.addTap({ name: 'tap1', address: '10.0.1.1/24' });
      const inner = ifname === 'tap0' ? 'tap1' : ifname;
      const argv = [tool('fd-exec'), 'fd-exec', '4', kind, ...(inner ? [inner] : [])];
      argv.push('--', process.execPath, 'node', tenderScript);
      const r = await ns.run(tool('fd-exec'), withFd('tap', 'tap0', argv));
      expect(JSON.parse(r.stdout), r.stderr).toEqual({
        status: 1,
        signal: null,
        stderr: `nabla-run: device 0: descriptor 5: ${reason}\n`, // 5: where the plan has it
      });
    },
  );
});
