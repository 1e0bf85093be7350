// log-ring.ts: one instance's console: the last lines in a bounded ring, split from the guest's output, with followers.
import type { Readable } from 'node:stream';

/** The ring keeps at most this many lines... */
export const RING_LINES = 1000;
/** ...and at most this many bytes of them (a line counts its bytes plus one). */
export const RING_BYTES = 256 * 1024;
/** A line longer than this is cut there (a guest printing without newlines still gets lines). */
export const LINE_MAX = 16 * 1024;

export type LineListener = (line: string) => void;

/** A line as it is kept: its number (1, 2, ... over the instance's life) and its text. */
export interface NumberedLine {
  seq: number;
  line: string;
}

export class LogRing {
  private readonly lines: NumberedLine[] = [];
  private bytes = 0;
  private seq: number;
  private readonly listeners = new Map<LineListener, () => void>();
  /** Output after the last newline, per stream. */
  private readonly partial = new Map<Readable, string>();
  /** Called with each new line (the store records them). */
  onLine: ((line: NumberedLine) => void) | undefined;

  /** `recorded` are the last lines a previous daemon recorded, oldest first, ending at `lastSeq`. */
  constructor(recorded: readonly string[] = [], lastSeq = 0) {
    this.seq = lastSeq - recorded.length;
    for (const line of recorded) this.keep(line);
  }

  /** The number of the newest line (0: none yet). */
  get lastSeq(): number {
    return this.seq;
  }

  /** The number of the oldest line still kept; lines below it fell out of the ring. */
  get firstSeq(): number {
    return this.lines[0]?.seq ?? this.seq + 1;
  }

  private keep(line: string): NumberedLine {
    const entry = { seq: ++this.seq, line };
    this.lines.push(entry);
    this.bytes += Buffer.byteLength(line) + 1;
    while (this.lines.length > RING_LINES || (this.bytes > RING_BYTES && this.lines.length > 1)) {
      const old = this.lines.shift() as NumberedLine;
      this.bytes -= Buffer.byteLength(old.line) + 1;
    }
    return entry;
  }

  /** Adds one complete line (without its newline). */
  push(line: string): void {
    const entry = this.keep(line);
    this.onLine?.(entry);
    for (const listener of this.listeners.keys()) listener(line);
  }

  /** Reads a guest's stdout or stderr into lines until it closes; the last partial line then. */
  attach(stream: Readable): void {
    stream.setEncoding('utf8');
    this.partial.set(stream, '');
    stream.on('data', (chunk: string) => {
      let text = (this.partial.get(stream) ?? '') + chunk;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
        this.push(text.slice(0, nl).replace(/\r$/, ''));
        text = text.slice(nl + 1);
      }
      while (text.length > LINE_MAX) {
        this.push(text.slice(0, LINE_MAX));
        text = text.slice(LINE_MAX);
      }
      this.partial.set(stream, text);
    });
    stream.once('close', () => {
      const rest = this.partial.get(stream) ?? '';
      this.partial.delete(stream);
      if (rest !== '') this.push(rest);
    });
  }

  /** The last `n` lines (all kept when undefined), oldest first. */
  tail(n?: number): string[] {
    const from = n === undefined ? 0 : Math.max(0, this.lines.length - n);
    return this.lines.slice(from).map((l) => l.line);
  }

  /**
   * Calls `listener` with every new line until the returned function is called, or until the
   * console closes for good (the instance is removed), which calls `end` once.
   */
  follow(listener: LineListener, end: () => void): () => void {
    this.listeners.set(listener, end);
    return () => this.listeners.delete(listener);
  }

  /** The instance is gone: every follower is ended. */
  close(): void {
    const ends = [...this.listeners.values()];
    this.listeners.clear();
    for (const end of ends) end();
  }

  /** How many follow the console now. */
  get followers(): number {
    return this.listeners.size;
  }
}
