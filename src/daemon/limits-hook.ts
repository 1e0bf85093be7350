// limits-hook.ts: the daemon's cgroup limits: each limited guest starts in groups of its own, an OOM kill is recorded with its exit, the groups go after it; leftovers swept at start.
import { rmdirSync } from 'node:fs';
import { asNablaError } from '../errors.js';
import type { GuestExit } from '../launch/spawn.js';
import type { InstanceHooks, InstanceView } from './hooks.js';
import {
  type CgroupLayout,
  cgroupFigures,
  cgroupParentDirs,
  createGuestCgroups,
  type GuestCgroups,
  type GuestLimits,
  hostCgroupLayout,
  removeGuestCgroups,
  sweepCgroups,
} from './limits/index.js';
import type { InstanceConfig } from './schema.js';

export interface LimitsHookOptions {
  /** The groups' parent below the daemon's own group, `nabla/<id of the state directory>`. */
  parent: string;
  log: (message: string) => void;
  /** Finds the v1 hierarchies (default hostCgroupLayout; tests give another). */
  layout?: () => CgroupLayout;
}

/** The API's limits in createGuestCgroups' words; undefined: the instance has none. */
export function guestLimitsOf(config: InstanceConfig): GuestLimits | undefined {
  const l = config.limits;
  if (l === undefined) return undefined;
  const limits: GuestLimits = {};
  if (l.memory !== undefined) limits.memoryBytes = l.memory;
  if (l.cpu !== undefined) limits.cpus = l.cpu;
  if (l.pids !== undefined) limits.pids = l.pids;
  return limits;
}

/**
 * Instances with `limits` get their groups made before each start and removed after each exit;
 * instances without are not touched, and neither is the host's cgroup layout, so they run on a
 * cgroup v2 host too, where a limited one gets a CGROUP error at its create.
 */
export class LimitsHook implements InstanceHooks {
  private layoutNow: CgroupLayout | undefined;
  /** Each limited guest's groups while it runs (and until they are removed). */
  private readonly groups = new Map<string, GuestCgroups>();
  /** A removal in progress per instance: the next start waits for it (same directories). */
  private readonly removing = new Map<string, Promise<void>>();

  constructor(private readonly options: LimitsHookOptions) {}

  /** The host's layout, found once, when first needed; throws CGROUP without v1 controllers. */
  private layout(): CgroupLayout {
    this.layoutNow ??= (this.options.layout ?? hostCgroupLayout)();
    return this.layoutNow;
  }

  /** The daemon's start: groups a killed daemon of this state directory left (and their tasks). */
  async sweep(): Promise<string[]> {
    let layout: CgroupLayout;
    try {
      layout = this.layout();
    } catch {
      return []; // no v1 controllers: nothing can have been left
    }
    return sweepCgroups(layout, this.options.parent);
  }

  prepare(instance: InstanceView): undefined {
    const limits = guestLimitsOf(instance.config);
    if (limits === undefined) return undefined;
    // A v2 host (or one without a controller) says so here, before anything is recorded; the
    // values are checked as createGuestCgroups will, by making nothing.
    this.layout();
    return undefined;
  }

  async beforeStart(
    instance: InstanceView,
    _options: unknown,
    how: { cgroups?: readonly string[] },
  ): Promise<undefined> {
    const limits = guestLimitsOf(instance.config);
    if (limits === undefined) return undefined;
    await this.release(instance.name);
    const groups = createGuestCgroups(this.layout(), this.options.parent, instance.name, limits);
    this.groups.set(instance.name, groups);
    how.cgroups = groups.dirs;
    return undefined;
  }

  /** Read before the groups go: the OOM killer's count says whether it ended the guest. */
  exitDetail(instance: InstanceView, _exit: GuestExit): Record<string, unknown> | undefined {
    const groups = this.groups.get(instance.name);
    if (groups === undefined || instance.config.limits?.memory === undefined) return undefined;
    return { oomKilled: cgroupFigures(groups).memory.oomKills > 0 };
  }

  afterExit(instance: InstanceView): Promise<void> {
    return this.release(instance.name);
  }

  removed(instance: InstanceView): Promise<void> {
    return this.release(instance.name);
  }

  /** The groups of the instance's guest, while they exist (the stats' figures). */
  groupsOf(name: string): GuestCgroups | undefined {
    return this.groups.get(name);
  }

  /**
   * Removes the instance's groups (waiting for its guest to leave them), once: a removal
   * already under way is waited for. Also what a failed start left.
   */
  private release(name: string): Promise<void> {
    const pending = this.removing.get(name);
    if (pending !== undefined) return pending;
    const groups = this.groups.get(name);
    if (groups === undefined) return Promise.resolve();
    this.groups.delete(name);
    const removal = removeGuestCgroups(groups)
      .catch((error: unknown) => this.options.log(`${name}: ${asNablaError(error).message}`))
      .finally(() => this.removing.delete(name));
    this.removing.set(name, removal);
    return removal;
  }

  /** The daemon's stop, its guests ended: every group removed, and the parent's directories. */
  async close(): Promise<void> {
    await Promise.all([...this.groups.keys()].map((name) => this.release(name)));
    await Promise.all(this.removing.values());
    if (this.layoutNow === undefined) return;
    const layout = this.layoutNow;
    await sweepCgroups(layout, this.options.parent, { removeParent: true }).catch(
      (error: unknown) => this.options.log(asNablaError(error).message),
    );
    // `nabla` itself, unless another daemon's groups are in it.
    const shared = this.options.parent.split('/').slice(0, -1).join('/');
    if (shared === '') return;
    for (const dir of cgroupParentDirs(layout, shared)) {
      try {
        rmdirSync(dir);
      } catch {
        // in use, or gone
      }
    }
  }
}
