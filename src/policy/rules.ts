// rules.ts: resolves the policy table for one run's descriptor layout and attached devices.
import type { PolicyDevice } from '../devices/kind.js';
import { CORE_RULES, type Operand, type RuleTemplate, rulesOf } from './table.js';

/** What the rules depend on: descriptor numbers as the guest will see them, and each device. */
export interface PolicyContext {
  epollFd: number;
  timerFd: number;
  devices: readonly PolicyDevice[];
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

function resolve(operand: Operand, ctx: PolicyContext, device?: PolicyDevice): bigint {
  if ('literal' in operand) return operand.literal;
  if ('field' in operand) {
    if (!device) throw new Error(`policy field '${operand.field}' needs a device`);
    return device.kind.operand(operand.field, device);
  }
  switch (operand.slot) {
    case 'console':
      return CONSOLE_FD;
    case 'epoll':
      return BigInt(ctx.epollFd);
    case 'timer':
      return BigInt(ctx.timerFd);
  }
  if (!device) throw new Error(`policy slot '${operand.slot}' needs a device`);
  return BigInt(device.hostFd);
}

function instantiate(
  template: RuleTemplate,
  ctx: PolicyContext,
  device?: PolicyDevice,
): PolicyRule {
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
    ...ctx.devices.flatMap((d) => rulesOf(d.kind).map((t) => instantiate(t, ctx, d))),
  ];
}
