// geometry.ts: the devices and descriptors every escape run gets, as the attempts name them.
import { deviceHostFd, EPOLL_FD, TIMER_FD } from '../../src/plan/layout.js';

export { EPOLL_FD, TIMER_FD };

/**
 * A small disk (eight 512-byte blocks) and a net device, in the escape guest's manifest order;
 * the tender puts them at the first device descriptors, after stdio, the epoll set (3) and the
 * timerfd (4).
 */
export const BLOCK_SIZE = 512;
export const CAPACITY = 8 * BLOCK_SIZE;
export const LAST_BLOCK = CAPACITY - BLOCK_SIZE;
export const BLK_FD = deviceHostFd(0);
export const NET_FD = deviceHostFd(1);
/** The guest's @msg text (17 bytes). */
export const MSG = 'nabla-escape-msg\n';
