// observation.ts: what recording a guest's or a process's system calls produced (shared by observe and the audit report).

/** One run as a recorder saw it: the calls made, with counts, what was denied, and how it ended. */
export interface Observation {
  mechanism: 'ptrace';
  /** Every system call the program made after setup, by x86_64 number, with how often. */
  calls: Array<{ nr: number; name: string; count: number }>;
  /** Calls made before the program proper started (the tender's own setup), when told apart. */
  setupCalls?: Array<{ nr: number; name: string; count: number }>;
  /** Calls the filter refused (the first one ends a guest with SIGSYS), with their arguments. */
  denied: Array<{ nr: number; name: string; args: string[] }>;
  exit: { status: number; code: number | null; signal: string | null };
  /** True when the program was still running at the deadline and was stopped. */
  timedOut: boolean;
  stdout: string;
}
