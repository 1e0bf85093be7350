// wire.test.ts: withTap adds the lease's net device (tap, MAC) and the stack's address arguments to an instance's RunOptions, and changes nothing else.
import { describe, expect, it } from 'vitest';
import { parsePool, slotOf } from '../../../src/daemon/summon/subnet.js';
import type { TapLease } from '../../../src/daemon/summon/tap.js';
import { withTap } from '../../../src/daemon/summon/wire.js';

const slot = slotOf(parsePool('10.213.0.0/16'), 5);
const lease: TapLease = {
  ...slot,
  name: 'nbl5',
  owner: 'web',
  guestArgs: ['--ipv4=10.213.0.22/30', '--ipv4-gateway=10.213.0.21'],
};

describe('withTap', () => {
  it("puts the address arguments before the instance's and the tap last among the net devices", () => {
    const options = {
      kernel: 'app.nabla',
      args: ['--port=8080'],
      memMiB: 64,
      block: [{ name: 'storage', path: 'site.img' }],
      net: [{ name: 'admin', iface: 'tap9' }],
    };
    expect(withTap(options, lease, 'service')).toEqual({
      kernel: 'app.nabla',
      args: ['--ipv4=10.213.0.22/30', '--ipv4-gateway=10.213.0.21', '--port=8080'],
      memMiB: 64,
      block: [{ name: 'storage', path: 'site.img' }],
      net: [
        { name: 'admin', iface: 'tap9' },
        { name: 'service', iface: 'nbl5', mac: '02:6e:62:00:00:05' },
      ],
    });
    expect(options.args).toEqual(['--port=8080']); // not changed in place
  });

  it('leaves --solo5: options first, where the bindings look for them', () => {
    const options = { kernel: 'k', args: ['--solo5:quiet', Buffer.from('--solo5:warn'), 'x'] };
    expect(withTap(options, lease).args).toEqual([
      '--solo5:quiet',
      Buffer.from('--solo5:warn'),
      ...lease.guestArgs,
      'x',
    ]);
  });

  it("names the device 'service' by default, and works without args or net", () => {
    expect(withTap({ kernel: 'k' }, lease)).toEqual({
      kernel: 'k',
      args: lease.guestArgs,
      net: [{ name: 'service', iface: 'nbl5', mac: '02:6e:62:00:00:05' }],
    });
  });
});
