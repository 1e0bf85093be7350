// controls.ts: positive controls: the allowed calls with allowed arguments, which must return.
import { BLK_FD, BLOCK_SIZE, EPOLL_FD, LAST_BLOCK, MSG, NET_FD, TIMER_FD } from './geometry.js';

/**
 * Each runs the same guest code path as an attempt. A call that returns makes the guest print
 * "ESCAPED NAME ret=VALUE" and exit 0; here that is the expected result, so a harness that could
 * not see a return (or a filter that killed everything) fails these.
 */
export interface Control {
  name: string;
  command: string[];
  /** Exit status: 0 after the ESCAPED line; exit_group's own status. */
  status: number;
  /** The value the guest must report; none when the call does not return. */
  ret?: number;
  /** Console output of the call itself, before the ESCAPED line. */
  prints?: string;
  /** The call rewrites the disk's last block with the guest's 'X' bytes. */
  writesLastBlock?: boolean;
  /** A frame waiting in the net device's tap queue when the guest starts. */
  frameIn?: Buffer;
  /** Bytes of the one frame the guest must have sent out of the tap (default: no frame). */
  frameOut?: number;
}

/**
 * A minimal Ethernet frame (60 bytes, the shortest on the wire): broadcast, from a locally
 * administered address, EtherType 0x88b5 (local experimental), then "frame" and zeros.
 */
export const FRAME_IN = Buffer.concat([
  Buffer.from('ffffffffffff020000000001' + '88b5', 'hex'),
  Buffer.from('frame'),
  Buffer.alloc(60 - 14 - 5),
]);

const B = String(BLK_FD);
const N = String(NET_FD);
const BS = String(BLOCK_SIZE);
/** -EAGAIN: the net device is non-blocking and no frame waits. */
const EAGAIN = -11;

export const CONTROLS: readonly Control[] = [
  {
    name: 'write-console',
    command: ['syscall', '1', '1', '@msg', '17'],
    status: 0,
    ret: 17,
    prints: MSG,
  },
  { name: 'clock-monotonic', command: ['syscall', '228', '1', '@zero'], status: 0, ret: 0 },
  { name: 'clock-realtime', command: ['syscall', '228', '0', '@zero'], status: 0, ret: 0 },
  // FS base 0: what the bindings set at boot, so nothing the guest uses moves.
  { name: 'arch-set-fs', command: ['syscall', '158', '0x1002', '0'], status: 0, ret: 0 },
  {
    name: 'epoll-pwait',
    command: ['syscall', '281', String(EPOLL_FD), '@zero', '1', '0', '0', '8'],
    status: 0,
    ret: 0,
  },
  // A zero itimerspec disarms the timer.
  {
    name: 'timerfd-settime',
    command: ['syscall', '286', String(TIMER_FD), '0', '@zero', '0'],
    status: 0,
    ret: 0,
  },
  {
    name: 'pread-first',
    command: ['syscall', '17', B, '@buf', BS, '0'],
    status: 0,
    ret: BLOCK_SIZE,
  },
  {
    name: 'pread-last',
    command: ['syscall', '17', B, '@buf', BS, String(LAST_BLOCK)],
    status: 0,
    ret: BLOCK_SIZE,
  },
  // The filter does not check alignment (the bindings do); in range it is harmless.
  {
    name: 'pread-unaligned',
    command: ['syscall', '17', B, '@buf', BS, '1'],
    status: 0,
    ret: BLOCK_SIZE,
  },
  {
    name: 'pwrite-last',
    command: ['syscall', '18', B, '@buf', BS, String(LAST_BLOCK)],
    status: 0,
    ret: BLOCK_SIZE,
    writesLastBlock: true,
  },
  {
    name: 'net-write',
    command: ['syscall', '1', N, '@msg', '17'],
    status: 0,
    ret: 17,
    frameOut: MSG.length,
  },
  {
    name: 'net-read',
    command: ['syscall', '0', N, '@buf', '64'],
    status: 0,
    ret: FRAME_IN.length,
    frameIn: FRAME_IN,
  },
  { name: 'net-read-empty', command: ['syscall', '0', N, '@buf', '64'], status: 0, ret: EAGAIN },
  // exit_group is allowed with any status: the guest ends with it, printing nothing more.
  { name: 'exit-group', command: ['syscall', '231', '7'], status: 7 },
];
