// errors.ts: the one error type the orchestrator raises for bad input; the CLI turns it into lines and a status.

/** A user-facing failure: one or more lines (without the program prefix) and an exit status. */
export class NablaError extends Error {
  readonly lines: readonly string[];
  readonly exitCode: number;
  /** True when the CLI should print its usage after the message (option errors). */
  readonly showUsage: boolean;

  constructor(
    lines: string | readonly string[],
    options: { exitCode?: number; showUsage?: boolean } = {},
  ) {
    const all = typeof lines === 'string' ? [lines] : lines;
    super(all.join('\n'));
    this.name = 'NablaError';
    this.lines = all;
    this.exitCode = options.exitCode ?? 1;
    this.showUsage = options.showUsage ?? false;
  }
}
