// types.ts: the benchmark harness's data model: scenarios are tables of trials, variants are factories.

/** One number a trial measured. */
export interface Measurement {
  /** Stable identifier, e.g. 'wall_ms', 'ns_per_call', 'pss_kib', 'mb_per_s'. */
  metric: string;
  unit: string;
  value: number;
  /** Which direction is better, for ratios and for reading the tables. */
  better: 'lower' | 'higher';
}

export interface BenchContext {
  quick: boolean;
  /** Scratch directory for this run (disk images, sockets); removed afterwards. */
  scratch: string;
  /** Peers given with --peer NAME=PATH, e.g. { 'solo5-spt': '/usr/local/bin/solo5-spt' }. */
  peers: Readonly<Record<string, string>>;
  /** Reports progress inside a long trial (density). */
  note(text: string): void;
}

/** A factory: one way of doing the scenario's work (nabla, node -e 0, hosted, a peer...). */
export interface Variant {
  name: string;
  /** Why it is not available on this machine (missing peer, not root...), or undefined when it is. */
  unavailable?(ctx: BenchContext): Promise<string | undefined> | string | undefined;
  /** One trial: normally one fresh process. Returns every metric it measured. */
  trial(ctx: BenchContext): Promise<Measurement[]>;
}

export interface Scenario {
  name: string; // 'boot', 'hypercalls', 'block', 'network', 'density', ...
  title: string;
  /** The variant every other one is divided by in the ratio columns. */
  baseline: string;
  /** Trials per variant; variants are interleaved trial by trial. */
  trials: { quick: number; full: number };
  variants: Variant[];
  setup?(ctx: BenchContext): Promise<void>;
  teardown?(ctx: BenchContext): Promise<void>;
}

/** Per scenario, variant and metric: every sample and the summary. */
export interface MetricSummary {
  scenario: string;
  variant: string;
  metric: string;
  unit: string;
  better: 'lower' | 'higher';
  samples: number[];
  median: number;
  p95: number;
  /** This variant's median divided by the baseline variant's median for the same metric. */
  ratio: number | null;
}
