// layout.ts: the descriptor numbers a guest sees; fixed and compact so policies and reports are stable.

/** After the tender has run: 0-2 stdio, 3 the epoll set, 4 the timerfd, 5.. devices in manifest order. */
export const EPOLL_FD = 3;
export const TIMER_FD = 4;
export const FIRST_DEVICE_FD = 5;

export function deviceHostFd(position: number): number {
  return FIRST_DEVICE_FD + position;
}
