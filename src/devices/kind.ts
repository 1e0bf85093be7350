// kind.ts: what one device kind provides (its options, checks, attach, policy rows, plan entry, report text, hosted flags); registry.ts lists the kinds.
import type { KindReportFields, ReportDevice } from '../audit/report.js';
import type { DeviceType } from '../elf/abi.js';
import type { DeclaredDevice } from '../elf/manifest.js';
import type { PlanDeviceFields } from '../plan/encode.js';
import type { RuleTemplate } from '../policy/table.js';

/*
 * A device kind is one module (src/devices/block.ts, net.ts) exporting one DeviceKind; the
 * registry (registry.ts) lists them, and every other file iterates the registry or calls the
 * kind of the device at hand, so none names a kind (docs/adding-a-device.md). The methods are
 * written as methods, not function-valued properties, so that a module may type its own
 * requests and devices (AttachedBlock) while the registry holds them all as DeviceKind: the
 * generic code only ever hands a kind the requests and devices that kind made.
 */

/**
 * Where a request came from. 'api': RunOptions given to run(), prepare() or audit(), each field
 * checked up front in the API's words ("Expected ... for net[0].mac but received ...").
 * 'nabla-run': RunOptions nabla-run's parser made, which has checked the option text as
 * solo5-spt does, in its words and at its step (a MAC when the device is attached): the
 * conversion is the same, the API's up-front checks of those values are left out.
 */
export type RequestOrigin = 'api' | 'nabla-run';

/** One line (or a few, wrapped by hand) of nabla-run's usage: the syntax and its help. */
export interface OptionForm {
  syntax: string;
  help: readonly string[];
}

/** One of a kind's nabla-run options, written `--NAME:DEVICE=VALUE` (DEVICE: the manifest name). */
export interface DeviceOption {
  /** `block-sector-size` for --block-sector-size:DEVICE=N. */
  name: string;
  /** Its lines in the usage (--net has two: IFACE and @FD). */
  forms: readonly OptionForm[];
  /** The option this one qualifies (--block-sector-size: 'block'): given alone, it is an error. */
  qualifies?: string;
  /** Where the usage lists it: with solo5-spt's options (the default), or as nabla-run's own. */
  group?: 'solo5-spt' | 'nabla-run';
  /** The value, checked as it is read (in solo5-spt's words); without parse it stays text. */
  parse?(value: string): unknown;
}

/**
 * What nabla-run's parser collected for one of the kind's options: the value for each device
 * name (the last one given), in the order the names first appeared, as solo5-spt keeps them.
 */
export type GivenOptions = (option: string) => ReadonlyMap<string, unknown>;

/** A device to attach, as the request holds it after the one normalisation (api-options.ts). */
export interface DeviceRequest {
  kind: DeviceKind;
  /** Its name in the manifest. */
  name: string;
}

/** An attached device: the generic part; each kind adds what it measured or decided. */
export interface AttachedDevice {
  kind: DeviceKind;
  /** The manifest type it was declared with. */
  type: DeviceType;
  /** Manifest index: the guest's handle. */
  index: number;
  name: string;
  /** Descriptor in this process; the tender moves it to its planned number. */
  fd: number;
  /** True when we opened it (and so must close it if the launch is abandoned). */
  owned: boolean;
}

/**
 * A device as the policy sees it: its kind, its name, the descriptor number the guest will
 * see, and whatever fields its kind's rule operands read (an attached device has them all).
 */
export interface PolicyDevice {
  readonly kind: DeviceKind;
  readonly name: string;
  readonly hostFd: number;
  readonly [field: string]: unknown;
}

export interface DeviceKind {
  /** The registry's key and the RunOptions field holding the requests: 'block'. */
  readonly key: string;
  /** The manifest type of the devices it attaches (src/elf/abi.ts). */
  readonly type: DeviceType;
  /** What one RunOptions entry looks like, for "Expected an array of { name, path } ...". */
  readonly entryShape: string;

  // nabla-run's syntax
  /** Its nabla-run options, in the order the usage lists them. */
  readonly options: readonly DeviceOption[];
  /** Lines for nabla-run's usage examples: what follows the program's name. */
  readonly examples: readonly string[];
  /** The RunOptions entries for what the command line gave (the inverse of toCommandLine). */
  fromCommandLine(given: GivenOptions): object[];
  /** One RunOptions entry as nabla-run's words (for the bench and the tests). */
  toCommandLine(entry: object): string[];

  // RunOptions
  /** Checks one RunOptions entry (`where`: "block[0]") and converts it into a request. */
  check(value: unknown, where: string, origin: RequestOrigin): DeviceRequest;

  // attach
  /** Opens or adopts the descriptor and measures it; throws NablaError in upstream's words. */
  attach(declared: DeclaredDevice, request: DeviceRequest): AttachedDevice;
  /** Undoes attach for a launch that is abandoned or handed over: closes what it opened. */
  release(device: AttachedDevice): void;
  /** True when the guest reaches a host network through it: it keeps the host's network namespace. */
  readonly keepsHostNetwork: boolean;

  // policy (src/policy/table.ts collects the rows)
  /** The rows each device of this kind adds to the allowlist, each with its reason. */
  readonly rules: readonly RuleTemplate[];
  /** The value of a `{ field }` operand of its rows for this device. */
  operand(field: string, device: PolicyDevice): bigint;

  // the launch plan
  /** Its part of the plan entry (struct nabla_plan_device). */
  planFields(device: AttachedDevice): PlanDeviceFields;

  // the audit
  /** What it is attached to, as the report says it: the backing file, the interface. */
  attachment(device: AttachedDevice): string;
  /** Its fields of the report's device entry (docs/audit-report.schema.json); the others stay null. */
  reportFields(device: AttachedDevice): Partial<KindReportFields>;
  /** The "geometry" cell of the report's device table, from the report's entry. */
  geometry(entry: ReportDevice): string;
  /** The hosted build's options for the device, handed over as descriptor `fd`. */
  hostedArgs(device: AttachedDevice, fd: number): string[];
}
