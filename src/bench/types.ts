// types.ts: the benchmark harness's data model: scenarios are tables of trials, variants are factories.

/** One number a trial measured. */
export interface Measurement {
  /** Stable identifier, e.g. 'wall_ms', 'ns_per_call', 'pss_kib', 'mb_per_s'. */
  metric: string;
  unit: string;
  value: number;
  /** Which direction is better, for ratios and for reading the tables. */
  better: 'lower' | 'higher';
  /**
   * The scale the value was taken at, for metrics that grow with it (density: instances
   * running). Summaries, ratios, tables and charts keep each n apart; absent means one scale.
   */
  n?: number;
}

export interface BenchContext {
  quick: boolean;
  /** Scratch directory for this run (disk images, sockets); removed afterwards. */
  scratch: string;
  /** Peers given with --peer NAME=PATH, e.g. { 'solo5-spt': '/usr/local/bin/solo5-spt' }. */
  peers: Readonly<Record<string, string>>;
  /** Reports progress inside a long trial (density). */
  note(text: string): void;
  /**
   * Says something the report must carry (a scale point skipped, and why): listed under the
   * scenario's tables and in results.json's `notes`, once however often it is said.
   */
  remark(text: string): void;
  /** Aborted when the run is interrupted (Ctrl-C, SIGTERM): a long trial should stop early. */
  signal: AbortSignal;
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
  /**
   * The upstream peer's variant (--peer), when the scenario has one: every median is also
   * divided by its median, in a second ratio column that appears when it ran.
   */
  peer?: string;
  /**
   * The variants the report's side-by-side tables put in columns, by role (nabla, nabla-api, solo5-spt,
   * runsc, crun, bwrap, hosted): each median with its ratio to the `nabla` role's.
   */
  roles?: Readonly<Record<string, string>>;
  /** Trials per variant; variants are interleaved trial by trial. */
  trials: { quick: number; full: number };
  /** Untimed trials per variant before the measured ones (default 1: warm caches, find failures). */
  warmup?: number;
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
  /**
   * The same against the scenario's peer variant (Scenario.peer); present only when the peer
   * ran in this scenario, null when it has no median for this metric (or one of 0).
   */
  peerRatio?: number | null;
  /** The scale, as in Measurement.n. */
  n?: number;
}

/** One measured trial exactly as the variant returned it: the raw samples. */
export interface TrialRecord {
  variant: string;
  /** 0-based index among the measured (not warm-up) trials. */
  trial: number;
  measurements: Measurement[];
}

export interface VariantOutcome {
  name: string;
  /** ok: every trial ran; unavailable: skipped (reason says why); failed: a trial threw. */
  status: 'ok' | 'unavailable' | 'failed';
  reason?: string;
}

export interface ScenarioResult {
  name: string;
  title: string;
  baseline: string;
  /** The peer variant the summaries' peerRatio divides by, when the scenario has one. */
  peer?: string;
  /** Scenario.roles: the side-by-side tables' columns. */
  roles?: Record<string, string>;
  /** Measured trials per variant in this run, and untimed warm-up trials before them. */
  trials: number;
  warmup: number;
  durationMs: number;
  variants: VariantOutcome[];
  samples: TrialRecord[];
  summaries: MetricSummary[];
  /** What the scenario remarked (BenchContext.remark), when it did: e.g. a point it skipped. */
  notes?: string[];
}

/** What the numbers were measured on: the report's header. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryMiB: number;
  os: string;
  kernel: string;
  node: string;
  /** First line of `cc --version` (the compiler that built the tender and guests). */
  compiler: string;
  /** Versions of other programs the run used (bwrap, libseccomp...), when known. */
  tools: Record<string, string>;
}

/** Everything one `nabla bench` run wrote to results.json. */
export interface BenchReport {
  schema: 'nabla-bench/1';
  startedAt: string;
  durationMs: number;
  options: {
    quick: boolean;
    runs: number | null;
    only: string[] | null;
    peers: Record<string, string>;
  };
  machine: MachineInfo;
  scenarios: ScenarioResult[];
}
