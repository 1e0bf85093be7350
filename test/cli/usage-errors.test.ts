// usage-errors.test.ts: every `nabla` command refuses a bad command line with one line and a pointer, and does nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { example, NABLA, ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const HELLO_DIR = join(ROOT, 'examples/hello');
const K = example('hello');
/** Where a command that ran anyway would leave something: a report, results, a build. */
const OUT = 'out';

/*
 * Each row: a command line and the exact stderr. Every command runs in its own empty
 * directory, so a build or a benchmark that started anyway leaves a file behind; a bench
 * that started anyway would still be running at the timeout and fail the row at once
 * (on the old CLI, `bench --quik` started a full run).
 */
const ROWS: ReadonlyArray<readonly [string[], string]> = [
  // nabla itself
  [
    [],
    'nabla: Missing COMMAND (one of run, build, fs, image, inspect, audit, bench, daemon, up, ps, logs, stop, rm, stats, events, version)',
  ],
  [['biuld', HELLO_DIR], 'nabla: Unknown command: biuld (did you mean build?)'],
  [['frobnicate'], 'nabla: Unknown command: frobnicate'],
  [['ls'], 'nabla: Unknown command: ls'], // not "did you mean run?": two letters are too short to guess from
  [['--verison'], 'nabla: Unknown option: --verison (did you mean --version?)'],
  // build
  [
    ['build', HELLO_DIR, '--cflag', '-O0'],
    'nabla build: Unknown option: --cflag (did you mean --cflags?)',
  ],
  [['build'], 'nabla build: Missing DIR or SOURCES operand'],
  [
    ['build', '--target', 'spx', HELLO_DIR],
    'nabla build: Expected spt or hosted for --target but received "spx" (did you mean spt?)',
  ],
  [['build', HELLO_DIR, '-o'], 'nabla build: Missing FILE for -o'],
  [['build', '--cflags', '--coverage', HELLO_DIR], 'nabla build: Missing FLAGS for --cflags'],
  // yargs takes a value starting with - only after =; the message says so.
  [
    ['build', '--cflags', '-O0', HELLO_DIR],
    'nabla build: Missing FLAGS for --cflags (a value starting with - goes after =: --cflags=-O0)',
  ],
  [['build', '-o', 'a.nabla', '-o', 'b.nabla', HELLO_DIR], 'nabla build: -o given twice'],
  // fs build: none of these may write an image
  [['fs'], 'nabla fs: Missing fs command (build)'],
  [['fs', 'biuld'], 'nabla fs: Unexpected argument: biuld'],
  [['fs', 'build'], 'nabla fs build: Missing DIR operand'],
  [['fs', 'build', HELLO_DIR], 'nabla fs build: Missing -o IMAGE (the image to write)'],
  [['fs', 'build', HELLO_DIR, '-o'], 'nabla fs build: Missing IMAGE for -o'],
  [['fs', 'build', HELLO_DIR, '-o', 'a.img', '-o', 'b.img'], 'nabla fs build: -o given twice'],
  [
    ['fs', 'build', HELLO_DIR, '-o', 'a.img', '--sector-sise=4096'],
    'nabla fs build: Unknown option: --sector-sise (did you mean --sector-size?)',
  ],
  [
    ['fs', 'build', HELLO_DIR, '-o', 'a.img', '--sector-size', '4000'],
    'nabla fs build: Expected a power of two from 512 to 32768 for --sector-size but received "4000"',
  ],
  [
    ['fs', 'build', HELLO_DIR, HELLO_DIR, '-o', 'a.img'],
    `nabla fs build: Unexpected argument: ${HELLO_DIR}`,
  ],
  // inspect
  [['inspect', K, '--jsn'], 'nabla inspect: Unknown option: --jsn (did you mean --json?)'],
  [['inspect'], 'nabla inspect: Missing KERNEL operand'],
  [['inspect', K, 'extra'], 'nabla inspect: Unexpected argument: extra'],
  [['inspect', '--json=yes', K], 'nabla inspect: --json takes no value'],
  [['inspect', '-json', K], 'nabla inspect: Unknown option: -json (did you mean --json?)'],
  [['inspect', K, '--', 'extra'], 'nabla inspect: Unexpected argument after --: extra'],
  // bench: none of these may start a run
  [
    ['bench', '--quik', '--out', OUT],
    'nabla bench: Unknown option: --quik (did you mean --quick?)',
  ],
  [
    ['bench', '--runs', 'abc', '--out', OUT],
    'nabla bench: Expected a positive integer for --runs but received "abc"',
  ],
  [['bench', '--out', OUT, '--runs'], 'nabla bench: Missing N for --runs'],
  [
    ['bench', '--only', 'bot', '--out', OUT],
    'nabla bench: Unknown scenario for --only: bot (did you mean boot?); known: boot, audit, hypercalls, block, network, http, summon, density, start, daemon',
  ],
  [
    ['bench', '--peer', 'solo5-spt', '--out', OUT],
    'nabla bench: Expected NAME=PATH for --peer but received "solo5-spt" (e.g. --peer solo5-spt=/usr/local/bin/solo5-spt)',
  ],
  [['bench', '--out', OUT, 'boot'], 'nabla bench: Unexpected argument: boot'],
  // audit: its own options, and nabla-run's syntax around them
  [
    ['audit', '--out', OUT, '--no-observ', K],
    'nabla audit: Unknown option: --no-observ (did you mean --no-observe?)',
  ],
  [
    ['audit', '--out', OUT, '--format', 'xml', K],
    'nabla audit: Expected md, json or html for --format but received "xml"',
  ],
  [
    ['audit', '--out', OUT, '--observe-timeout=abc', K],
    'nabla audit: Expected a positive integer (milliseconds) for --observe-timeout but received "abc"',
  ],
  [
    ['audit', '--out', OUT, '--timeout=5', K],
    "nabla audit: --timeout is nabla-run's own option; the audit does not take it",
  ],
  [['audit', '--out'], 'nabla audit: Missing DIR for --out'],
  [['audit', '--no-observe'], 'nabla audit: Missing KERNEL operand'],
  [['audit', '--out', OUT, '--mem=abc', K], 'nabla audit: Malformed argument to --mem'],
  // run: nabla-run's syntax and messages, with a suggestion and the pointer
  [['run', '--mme=64', K], "nabla run: Invalid option: `--mme=64' (did you mean --mem?)"],
  [['run', '--bogus', K], "nabla run: Invalid option: `--bogus'"],
  [['run'], 'nabla run: Missing KERNEL operand'],
  [['run', '--mem=abc', K], 'nabla run: Malformed argument to --mem'],
  // the daemon and its verbs: refused before any socket is touched
  [['daemon', '--sokcet', 'x'], 'nabla daemon: Unknown option: --sokcet (did you mean --socket?)'],
  [['daemon', 'extra'], 'nabla daemon: Unexpected argument: extra'],
  [['up'], 'nabla up: Missing NAME operand'],
  [['up', 'web'], 'nabla up: Missing KERNEL operand'],
  [['up', '--mme=3', 'web', K], "nabla up: Invalid option: `--mme=3' (did you mean --mem?)"],
  [
    ['up', '--cpus=0', 'web', K],
    'nabla up: Expected a number of CPUs > 0 for --cpus but received "0"',
  ],
  [['up', '--no-start=1', 'web', K], 'nabla up: --no-start takes no value'],
  [['up', '--summon=tcp:8080', 'web', K], 'nabla up: --summon needs --summon-port'],
  [['up', '--summon-port=80', 'web', K], 'nabla up: --summon-port needs --summon'],
  [['up', '--idle=5', 'web', K], 'nabla up: --idle needs --summon'],
  [
    ['up', '--summon=udp:53', '--summon-port=53', 'web', K],
    'nabla up: Expected tcp:[HOST:]PORT (e.g. tcp:8080, tcp:127.0.0.1:8080, tcp:[::1]:8080) for --summon but received "udp:53"',
  ],
  [
    ['up', '--summon=tcp:80', '--summon-port=70000', 'web', K],
    'nabla up: Expected a port from 1 to 65535 for --summon-port but received "70000"',
  ],
  [
    ['up', '--summon=tcp:80', '--summon-port=80', '--idle=0', 'web', K],
    'nabla up: Expected a number of seconds > 0 for --idle but received "0"',
  ],
  [['ps', 'extra'], 'nabla ps: Unexpected argument: extra'],
  [['logs'], 'nabla logs: Missing NAME operand'],
  [
    ['logs', '--tail', 'x', 'web'],
    'nabla logs: Expected a positive integer for --tail but received "x"',
  ],
  [
    ['stop', '--timeout=0', 'web'],
    'nabla stop: Expected a positive integer for --timeout but received "0"',
  ],
  [['rm', '--forse', 'web'], 'nabla rm: Unknown option: --forse (did you mean --force?)'],
  [['stats', 'a', 'b'], 'nabla stats: Unexpected argument: b'],
  [['events', '--jsn'], 'nabla events: Unknown option: --jsn (did you mean --json?)'],
  // version
  [['version', 'extra'], 'nabla version: Unexpected argument: extra'],
  [['version', '--foo'], 'nabla version: Unknown option: --foo'],
];

/** `nabla build:` -> `nabla build`: the command whose --help the second line names. */
const progOf = (line: string) => line.slice(0, line.indexOf(': '));

describe('nabla usage errors', () => {
  it.each(ROWS)('nabla %j: one line, the pointer, status 1, nothing done', (args, line) => {
    const cwd = join(scratch.dir, `case-${ROWS.findIndex(([a]) => a === args)}`);
    mkdirSync(cwd);
    const r = spawnSync(process.execPath, [NABLA, ...args], {
      cwd,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.signal, 'still running at the timeout: the command started anyway').toBeNull();
    expect(r.stderr).toBe(`${line}\nRun \`${progOf(line)} --help\` for usage.\n`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('`nabla --version` prints the version like `nabla-run --version`', () => {
    const r = spawnSync(process.execPath, [NABLA, '--version'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^nabla \(nabla\) version \d+\.\d+\.\d+\nABI version 2\n$/);
    expect(r.status).toBe(0);
  });

  it('--help wins over a bad option, for a command and for audit', () => {
    for (const args of [
      ['build', '--bogus', '--help'],
      ['audit', '--bogus', '--help'],
    ]) {
      const r = spawnSync(process.execPath, [NABLA, ...args], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: nabla (build|audit) /);
      expect(r.status).toBe(0);
    }
  });
});
