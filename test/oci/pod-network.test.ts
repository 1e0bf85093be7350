// pod-network.test.ts: the pod's interface redirected to a tap and back, the guest's address read from it, and a restarted container's redirect kept when the old one is deleted.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { removePodNetwork, setupPodNetwork } from '../../src/oci/pod-network.js';
import { useNetns } from '../helpers/netns.js';

const netns = useNetns();
const inNs = (name: string, args: string[]) =>
  execFileSync('ip', ['netns', 'exec', name, ...args], { encoding: 'utf8' });

describe('the pod network', () => {
  it('gives the guest the pod address, gateway, MAC and MTU on a tap joined to eth0 both ways', () => {
    const pod = netns();
    const node = netns();
    pod.addVeth(
      node,
      { name: 'eth0', address: '10.99.0.5/24' },
      { name: 'vnode', address: '10.99.0.1/24' },
    );
    inNs(pod.name, ['ip', 'route', 'add', 'default', 'via', '10.99.0.1']);
    const mac = JSON.parse(inNs(pod.name, ['ip', '-j', 'link', 'show', 'eth0']))[0].address;
    const path = `/run/netns/${pod.name}`;

    const first = setupPodNetwork(path, 'aaaaaaaaaaaaaaaaaaaa');
    expect(first).toEqual({
      netns: path,
      tap: 'ntaaaaaaaaaaaaa',
      iface: 'eth0',
      mac,
      mtu: 1500,
      ipv4: '10.99.0.5/24',
      gateway: '10.99.0.1',
    });
    expect(inNs(pod.name, ['tc', 'filter', 'show', 'dev', 'eth0', 'ingress'])).toContain(
      'Egress Redirect to device ntaaaaaaaaaaaaa)',
    );
    expect(inNs(pod.name, ['tc', 'filter', 'show', 'dev', first.tap, 'ingress'])).toContain(
      'Egress Redirect to device eth0)',
    );

    // A restarted container is set up before the old one is deleted: its redirect must stay.
    const second = setupPodNetwork(path, 'bbbbbbbbbbbbbbbbbbbb');
    removePodNetwork(first);
    const left = inNs(pod.name, ['tc', 'filter', 'show', 'dev', 'eth0', 'ingress']);
    expect(left).toContain(`Egress Redirect to device ${second.tap})`);
    expect(inNs(pod.name, ['ip', '-br', 'link'])).not.toContain(first.tap);
    removePodNetwork(second);
    expect(inNs(pod.name, ['tc', 'qdisc', 'show', 'dev', 'eth0'])).not.toContain('ingress');
    expect(inNs(pod.name, ['ip', '-br', 'link'])).not.toContain(second.tap);
  });

  it('refuses a namespace without an IPv4 interface, naming it', () => {
    const pod = netns();
    expect(() => setupPodNetwork(`/run/netns/${pod.name}`, 'c1')).toThrow(
      `pod network /run/netns/${pod.name}: no Ethernet interface with an IPv4 address`,
    );
  });
});
