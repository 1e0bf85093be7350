// pod-network.ts: a tap inside the pod's network namespace, joined to the pod's interface by tc redirects, and the pod's address for the guest.
import { execFileSync } from 'node:child_process';
import { ociError } from './errors.js';

/** What the guest is given: the pod's interface's address, gateway and MAC, on a tap of its own. */
export interface PodNetwork {
  netns: string;
  tap: string;
  /** The pod's interface (eth0 as CNI made it), whose traffic now goes to and from the tap. */
  iface: string;
  mac: string;
  mtu: number;
  /** ADDR/PREFIX and GW, for `--ipv4=` and `--ipv4-gateway=` (MirageOS's names). */
  ipv4: string;
  gateway?: string;
}

/** Runs `cmd args` inside the namespace (nsenter from util-linux), returning its stdout. */
function inNetns(netns: string, cmd: string, args: readonly string[]): string {
  try {
    return execFileSync('nsenter', [`--net=${netns}`, cmd, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const why = (e.stderr ?? '').trim().split('\n')[0] || e.message.split('\n')[0];
    throw ociError(`pod network ${netns}: ${cmd} ${args.join(' ')}: ${why}`);
  }
}

interface IpAddr {
  ifname: string;
  address?: string;
  mtu?: number;
  link_type?: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope?: string }>;
}

/** The tap's name: IFNAMSIZ allows 15 bytes. */
export const tapName = (id: string) => `nt${id.replace(/[^A-Za-z0-9]/g, '').slice(0, 13)}`;

/**
 * Makes the tap and the redirects: every frame the pod's interface receives goes out of the
 * tap to the guest, and every frame the guest sends goes out of the pod's interface. The
 * kernel's own stack in the namespace then sees nothing; the guest owns the pod's address.
 */
export function setupPodNetwork(netns: string, id: string): PodNetwork {
  const links = JSON.parse(inNetns(netns, 'ip', ['-j', 'addr', 'show'])) as IpAddr[];
  const pod = links.find(
    (l) => l.link_type === 'ether' && l.addr_info?.some((a) => a.family === 'inet'),
  );
  const addr = pod?.addr_info?.find((a) => a.family === 'inet');
  if (!pod || !addr || !pod.address)
    throw ociError(`pod network ${netns}: no Ethernet interface with an IPv4 address`);
  const routes = JSON.parse(
    inNetns(netns, 'ip', ['-j', '-4', 'route', 'show', 'default']),
  ) as Array<{ gateway?: string }>;
  const gateway = routes.find((r) => r.gateway)?.gateway;
  const tap = tapName(id);
  const mtu = pod.mtu ?? 1500;
  inNetns(netns, 'ip', ['tuntap', 'add', 'dev', tap, 'mode', 'tap']);
  try {
    inNetns(netns, 'ip', ['link', 'set', 'dev', tap, 'mtu', String(mtu), 'up']);
    for (const [from, to] of [
      [pod.ifname, tap],
      [tap, pod.ifname],
    ] as const) {
      // A new qdisc, without the filters of a container this one replaces (a restart): the pod
      // interface redirects to one tap only.
      if (from === pod.ifname) {
        try {
          inNetns(netns, 'tc', ['qdisc', 'del', 'dev', from, 'ingress']);
        } catch {
          // none yet: the usual case
        }
      }
      inNetns(netns, 'tc', ['qdisc', 'add', 'dev', from, 'ingress']);
      // u32 matching every frame: present in every kernel with tc (matchall may be missing).
      inNetns(netns, 'tc', [
        'filter',
        'add',
        'dev',
        from,
        'parent',
        'ffff:',
        'protocol',
        'all',
        'u32',
        'match',
        'u32',
        '0',
        '0',
        'action',
        'mirred',
        'egress',
        'redirect',
        'dev',
        to,
      ]);
    }
  } catch (error) {
    removePodNetwork({ netns, tap, iface: pod.ifname });
    throw error;
  }
  return {
    netns,
    tap,
    iface: pod.ifname,
    mac: pod.address,
    mtu,
    ipv4: `${addr.local}/${addr.prefixlen}`,
    ...(gateway ? { gateway } : {}),
  };
}

/**
 * Removes the tap and, when it still redirects to this tap, the pod interface's ingress qdisc:
 * a restarted container of the pod (created before the old one is deleted) has replaced it
 * with its own, which must stay. A namespace already gone took both with it.
 */
export function removePodNetwork(net: { netns: string; tap: string; iface: string }): void {
  const run = (args: string[]) =>
    execFileSync('nsenter', [`--net=${net.netns}`, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  try {
    const filters = run(['tc', 'filter', 'show', 'dev', net.iface, 'ingress']);
    if (filters.includes(`to device ${net.tap})`))
      run(['tc', 'qdisc', 'del', 'dev', net.iface, 'ingress']);
  } catch {
    // no such namespace or interface any more
  }
  try {
    run(['ip', 'link', 'del', 'dev', net.tap]);
  } catch {
    // gone with its namespace
  }
}
