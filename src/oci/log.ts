// log.ts: nabla-oci's --log file: one line per message, JSON ({"level","msg","time"}) or text, as runc writes it.
import { appendFileSync } from 'node:fs';

export type LogFormat = 'json' | 'text';
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export interface RuntimeLog {
  /** Appends one line; a log that cannot be written is not a reason to fail the command. */
  write(level: LogLevel, msg: string): void;
}

/**
 * The log containerd's shim reads: it shows the last `{"level":"error","msg":...}` line of
 * `--log` to the user when a command fails (go-runc's getLastRuntimeError). Without `--log`,
 * messages go to stderr. `debug` lines are written only with --debug.
 */
export function runtimeLog(
  path: string | undefined,
  format: LogFormat,
  debug: boolean,
): RuntimeLog {
  return {
    write(level, msg) {
      if (level === 'debug' && !debug) return;
      const time = new Date().toISOString();
      const line =
        format === 'json'
          ? `${JSON.stringify({ level, msg, time })}\n`
          : `time="${time}" level=${level} msg=${JSON.stringify(msg)}\n`;
      try {
        if (path === undefined) process.stderr.write(line);
        else appendFileSync(path, line);
      } catch {
        process.stderr.write(line);
      }
    },
  };
}
