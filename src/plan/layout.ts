// layout.ts: the descriptor numbers a guest sees; fixed and compact so policies and reports are stable.

/** After the tender has run: 0-2 stdio, 3 the epoll set, 4 the timerfd, 5.. devices in manifest order. */
export const EPOLL_FD = 3;
export const TIMER_FD = 4;
export const FIRST_DEVICE_FD = 5;

export function deviceHostFd(position: number): number {
  return FIRST_DEVICE_FD + position;
}

/*
 * Where a tender run() starts finds its inputs (src/launch/spawn.ts), and so where a template
 * reads a LAUNCH plan as finding them (nabla_engine.h): the plan at 3, the ELF at 4, the
 * devices from 5 in manifest order. The plan says so itself; these are only the convention.
 */
export const STARTED_PLAN_FD = 3;
export const STARTED_ELF_FD = 4;

export function startedDeviceFd(position: number): number {
  return STARTED_ELF_FD + 1 + position;
}
