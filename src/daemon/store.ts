// store.ts: the daemon's state in SQLite (better-sqlite3, WAL): each instance's config, desired and last known state, and its console's last lines.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { NablaError } from '../errors.js';
import type { InstanceConfig } from './schema.js';

/** What is recorded of an instance; the live parts (pid) are not. */
export interface InstanceRecord {
  name: string;
  config: InstanceConfig;
  /** Whether it should run: a daemon that starts again starts those that should. */
  desired: 'running' | 'stopped';
  state: string;
  restarts: number;
  exit: { status: number; signal: string | null; oomKilled?: boolean } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export type RecordChange = Partial<Omit<InstanceRecord, 'name' | 'config' | 'createdAt'>>;

interface Row {
  name: string;
  config: string;
  desired: 'running' | 'stopped';
  state: string;
  restarts: number;
  exit_status: number | null;
  exit_signal: string | null;
  exit_oom_killed: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS instances (
  name TEXT PRIMARY KEY,
  config TEXT NOT NULL,
  desired TEXT NOT NULL CHECK (desired IN ('running', 'stopped')),
  state TEXT NOT NULL,
  restarts INTEGER NOT NULL DEFAULT 0,
  exit_status INTEGER,
  exit_signal TEXT,
  exit_oom_killed INTEGER,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
CREATE TABLE IF NOT EXISTS log_lines (
  instance TEXT NOT NULL REFERENCES instances (name) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (instance, seq)
) WITHOUT ROWID;
`;

/** Column of each RecordChange key (exit is two). */
const COLUMNS: Record<string, string> = {
  desired: 'desired',
  state: 'state',
  restarts: 'restarts',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

function fromRow(row: Row): InstanceRecord {
  return {
    name: row.name,
    config: JSON.parse(row.config) as InstanceConfig,
    desired: row.desired,
    state: row.state,
    restarts: row.restarts,
    exit: row.exit_status === null ? null : exitOf(row),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** The last exit; `oomKilled` only where a memory limit made it known. */
function exitOf(row: Row): NonNullable<InstanceRecord['exit']> {
  const exit = { status: row.exit_status ?? 0, signal: row.exit_signal };
  return row.exit_oom_killed === null ? exit : { ...exit, oomKilled: row.exit_oom_killed === 1 };
}

/** One new console line to record. */
export interface LogLine {
  instance: string;
  seq: number;
  line: string;
}

export class Store {
  private readonly db: Database.Database;
  private readonly statements;

  /**
   * Opens (or makes) DIR/state.db and takes it for this process alone: a second daemon on the
   * same directory would start every guest a second time, so it is refused instead.
   */
  constructor(dir: string) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.db = new Database(join(dir, 'state.db'), { timeout: 0 });
    } catch (error) {
      throw new NablaError(`${dir}: cannot open the state database: ${(error as Error).message}`, {
        code: 'DAEMON_STATE',
        cause: error,
      });
    }
    try {
      // EXCLUSIVE: the lock taken by the first write is kept until close (WAL then needs no
      // shared memory file); NORMAL sync loses nothing when the process is killed, only
      // possibly the last transactions at a power loss.
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
      // A state directory of a daemon from before OOM kills were recorded gets the column.
      const columns = this.db.pragma('table_info(instances)') as Array<{ name: string }>;
      if (!columns.some((c) => c.name === 'exit_oom_killed'))
        this.db.exec('ALTER TABLE instances ADD COLUMN exit_oom_killed INTEGER');
    } catch (error) {
      this.db.close();
      const busy = (error as { code?: string }).code === 'SQLITE_BUSY';
      throw new NablaError(
        busy
          ? `${dir}: the state directory is in use by another nabla daemon`
          : `${dir}: cannot use the state database: ${(error as Error).message}`,
        { code: 'DAEMON_STATE', cause: error },
      );
    }
    this.statements = {
      all: this.db.prepare<[], Row>('SELECT * FROM instances ORDER BY created_at, name'),
      insert: this.db.prepare(
        `INSERT INTO instances (name, config, desired, state, restarts, created_at)
         VALUES (@name, @config, @desired, @state, 0, @createdAt)`,
      ),
      remove: this.db.prepare('DELETE FROM instances WHERE name = ?'),
      logs: this.db.prepare<[string, number], { line: string }>(
        'SELECT line FROM (SELECT seq, line FROM log_lines WHERE instance = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
      ),
      lastSeq: this.db.prepare<[string], { seq: number | null }>(
        'SELECT max(seq) AS seq FROM log_lines WHERE instance = ?',
      ),
      addLine: this.db.prepare(
        'INSERT OR REPLACE INTO log_lines (instance, seq, line) VALUES (?, ?, ?)',
      ),
      trim: this.db.prepare('DELETE FROM log_lines WHERE instance = ? AND seq <= ?'),
    };
  }

  all(): InstanceRecord[] {
    return this.statements.all.all().map(fromRow);
  }

  /** Records a new instance (one statement: it is there whole or not at all). */
  insert(record: InstanceRecord): void {
    this.statements.insert.run({
      name: record.name,
      config: JSON.stringify(record.config),
      desired: record.desired,
      state: record.state,
      createdAt: record.createdAt,
    });
  }

  update(name: string, change: RecordChange): void {
    const sets: string[] = [];
    const values: Record<string, unknown> = { name };
    for (const [key, value] of Object.entries(change)) {
      if (key === 'exit') {
        const exit = value as InstanceRecord['exit'];
        sets.push(
          'exit_status = @exitStatus',
          'exit_signal = @exitSignal',
          'exit_oom_killed = @exitOom',
        );
        values.exitStatus = exit?.status ?? null;
        values.exitSignal = exit?.signal ?? null;
        values.exitOom = exit?.oomKilled === undefined ? null : Number(exit.oomKilled);
      } else if (COLUMNS[key] !== undefined) {
        sets.push(`${COLUMNS[key]} = @${key}`);
        values[key] = value;
      }
    }
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE instances SET ${sets.join(', ')} WHERE name = @name`).run(values);
  }

  /** Removes the instance and its console lines. */
  remove(name: string): void {
    this.statements.remove.run(name);
  }

  /** The last `limit` console lines recorded for `name`, oldest first. */
  logs(name: string, limit: number): string[] {
    return this.statements.logs.all(name, limit).map((r) => r.line);
  }

  /** The number of the last line recorded for `name` (0: none). */
  lastSeq(name: string): number {
    return this.statements.lastSeq.get(name)?.seq ?? 0;
  }

  /**
   * Records new console lines and drops, per instance, those at or below `trimTo` (what fell
   * out of its ring), in one transaction.
   */
  appendLogs(lines: readonly LogLine[], trimTo: ReadonlyMap<string, number>): void {
    this.db.transaction(() => {
      for (const l of lines) this.statements.addLine.run(l.instance, l.seq, l.line);
      for (const [instance, seq] of trimTo) this.statements.trim.run(instance, seq);
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
