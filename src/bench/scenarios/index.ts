// index.ts: every benchmark scenario, in the order a run measures and reports them.
import { NablaError } from '../../errors.js';
import type { Scenario } from '../types.js';
import { audit } from './audit.js';
import { block } from './block.js';
import { boot } from './boot.js';
import { daemon } from './daemon.js';
import { density } from './density.js';
import { http } from './http.js';
import { hypercalls } from './hypercalls.js';
import { network } from './network.js';
import { start } from './start.js';
import { summon } from './summon.js';

/*
 * Short, process-bound scenarios first and density, start and daemon (hundreds to thousands
 * of instances) last, so that a run interrupted late still has the rest. boot, density and the
 * container-like peer (container.ts, a variant of both) are the harness's own; audit times
 * `nabla audit`'s proof as block devices are added; hypercalls, block and network measure the
 * guest's I/O paths; summon the first request to a guest a summon front starts on demand;
 * start measures starting from one resident process; daemon the daemon's API under load. Every
 * scenario but audit, summon and daemon (whose front and daemon are nabla's own) has a variant
 * for the upstream tender (peer.ts), run when --peer solo5-spt=PATH is given; boot, hypercalls,
 * http and density also have gVisor's runsc and crun with Docker's defaults (oci.ts), run when
 * they are installed.
 */
const SCENARIOS: readonly Scenario[] = [
  boot,
  audit,
  hypercalls,
  block,
  network,
  http,
  summon,
  density,
  start,
  daemon,
];

export const scenarioNames = (): string[] => SCENARIOS.map((s) => s.name);

/** The scenarios `only` names (all when it is undefined); throws naming an unknown one. */
export function selectScenarios(only: readonly string[] | undefined): Scenario[] {
  if (only === undefined || only.length === 0) return [...SCENARIOS];
  const unknown = only.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new NablaError(
      `unknown scenario${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `'${n}'`).join(', ')}; ` +
        `known: ${scenarioNames().join(', ')}`,
      { code: 'OPTION_INVALID' },
    );
  }
  return SCENARIOS.filter((s) => only.includes(s.name));
}
