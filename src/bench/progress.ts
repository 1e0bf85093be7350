// progress.ts: progress while a run goes: a cli-progress bar on a terminal, plain lines otherwise (CI, pipes).
import type { SingleBar } from 'cli-progress';

export interface Progress {
  /** Adds `units` trials to the expected total. */
  expect(units: number): void;
  /** `units` trials are done (run, or skipped because their variant is out). */
  advance(units: number): void;
  /** A scenario starts. */
  scenario(name: string): void;
  /** What runs now (a trial): shown on the bar, not logged as a line. */
  status(text: string): void;
  /** A fact worth a line of its own: a skipped or failed variant, a density step. */
  note(text: string): void;
  stop(): void;
}

/** Plain mode prints the count of trials done at most this often. */
const PLAIN_EVERY_MS = 5_000;

/** Lines for a log (CI, a pipe): each scenario, each note, and the count every few seconds. */
export function plainProgress(write: (line: string) => void): Progress {
  let total = 0;
  let done = 0;
  let current = '';
  let last = performance.now();
  return {
    expect(units) {
      total += units;
    },
    advance(units) {
      done += units;
      if (performance.now() - last < PLAIN_EVERY_MS) return;
      last = performance.now();
      write(`bench: ${current}: ${done}/${total} trials done`);
    },
    scenario(name) {
      current = name;
      last = performance.now();
      write(`bench: ${name}: starting (${done}/${total} trials done)`);
    },
    status() {},
    note(text) {
      write(`bench: ${current}: ${text}`);
    },
    stop() {
      write(`bench: ${done}/${total} trials done`);
    },
  };
}

/** A bar on stderr with the done/total trials, the elapsed time and what runs now. */
export async function barProgress(stream: NodeJS.WriteStream): Promise<Progress> {
  const cliProgress = await import('cli-progress');
  const bar: SingleBar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {value}/{total} trials | {duration_formatted} | {scenario}: {status}',
      hideCursor: true,
      clearOnComplete: false,
      barsize: 24,
      // Redraw on a timer too, so a long density trial still shows its notes and elapsed time.
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  let total = 0;
  let started = false;
  const payload = { scenario: '', status: '' };
  const start = () => {
    if (started) return;
    started = true;
    bar.start(total, 0, payload);
  };
  return {
    expect(units) {
      total += units;
      if (started) bar.setTotal(total);
    },
    advance(units) {
      start();
      bar.increment(units, payload);
    },
    scenario(name) {
      start();
      payload.scenario = name;
      payload.status = 'setting up';
      bar.update(payload);
    },
    status(text) {
      start();
      payload.status = text;
      bar.update(payload);
    },
    note(text) {
      start();
      payload.status = text;
      bar.update(payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
