// rules.ts: resolves the policy table for one run's descriptor layout and attached devices.
import { CORE_RULES, DEVICE_RULES, type Operand, type RuleTemplate } from './table.js';

/** What the rules depend on: descriptor numbers as the guest will see them, and device geometry. */
export interface PolicyContext {
  epollFd: number;
  timerFd: number;
  devices: ReadonlyArray<
    | { type: 'BLOCK_BASIC'; hostFd: number; name: string; capacity: bigint; blockSize: number }
    | { type: 'NET_BASIC'; hostFd: number; name: string }
  >;
}

export interface ArgCondition {
  index: 0 | 1 | 2 | 3 | 4 | 5;
  op: 'eq' | 'le';
  value: bigint;
}

export interface PolicyRule {
  syscall: string;
  nr: number;
  args: ArgCondition[];
  reason: string;
  /** The device the rule serves, when it is a device rule. */
  device?: string;
}

const CONSOLE_FD = 1n;

type Device = PolicyContext['devices'][number];

function resolve(operand: Operand, ctx: PolicyContext, device?: Device): bigint {
  if ('literal' in operand) return operand.literal;
  switch (operand.slot) {
    case 'console':
      return CONSOLE_FD;
    case 'epoll':
      return BigInt(ctx.epollFd);
    case 'timer':
      return BigInt(ctx.timerFd);
  }
  if (!device) throw new Error(`policy slot '${operand.slot}' needs a device`);
  if (operand.slot === 'device') return BigInt(device.hostFd);
  if (device.type !== 'BLOCK_BASIC')
    throw new Error(`policy slot '${operand.slot}' needs a block device`);
  return operand.slot === 'blockSize'
    ? BigInt(device.blockSize)
    : device.capacity - BigInt(device.blockSize);
}

function instantiate(template: RuleTemplate, ctx: PolicyContext, device?: Device): PolicyRule {
  return {
    syscall: template.syscall,
    nr: template.nr,
    args: template.args.map((a) => ({
      index: a.index,
      op: a.op,
      value: resolve(a.operand, ctx, device),
    })),
    reason: template.reason,
    ...(device ? { device: device.name } : {}),
  };
}

/** The complete allowlist for a run: the core rules, then each device's rules in manifest order. */
export function buildPolicy(ctx: PolicyContext): PolicyRule[] {
  return [
    ...CORE_RULES.map((t) => instantiate(t, ctx)),
    ...ctx.devices.flatMap((d) => DEVICE_RULES[d.type].map((t) => instantiate(t, ctx, d))),
  ];
}
