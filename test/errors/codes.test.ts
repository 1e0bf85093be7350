// codes.test.ts: each error code is in docs/errors.md with its meaning, comes from a real failure (API and CLI) with its message, and every throw site names one.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { auditPrepared } from '../../src/audit/audit.js';
import { SECCOMP_RET_ALLOW, SECCOMP_RET_KILL_PROCESS } from '../../src/audit/bpf-sim.js';
import { observeProcess } from '../../src/audit/observe.js';
import { verifyFilter } from '../../src/audit/verify-policy.js';
import { plainProgress } from '../../src/bench/progress.js';
import { runScenarios } from '../../src/bench/runner.js';
import type { Scenario } from '../../src/bench/types.js';
import { rawArguments } from '../../src/cli/raw-argv.js';
import type { Supervisor } from '../../src/daemon/supervisor.js';
import { ERROR_CODES, type ErrorCode, isErrnoName } from '../../src/error-codes.js';
import { NablaError, type NablaErrorJson } from '../../src/errors.js';
import { buildOciImage } from '../../src/image/oci-image.js';
import { audit, buildFsImage, prepare, run } from '../../src/index.js';
import { decidePrivileges, type PrivilegeContext } from '../../src/launch/privilege.js';
import { NativeError } from '../../src/native/errors.js';
import { mapBundle } from '../../src/oci/bundle.js';
import { buildUnikernel } from '../../src/toolchain/build.js';
import { bpf, LD, RET } from '../audit/bpf-asm.js';
import { buildElf, manifestBytes } from '../helpers/elf-builder.js';
import { example, NABLA, ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();
const hello = example('hello');
const blk = example('blk');
const ping = example('ping'); // declares the network device `service`
const HELLO_MANIFEST = join(ROOT, 'examples', 'hello', 'manifest.json');

// ---- the list and the docs ------------------------------------------------------------------

/** The rows of the code table in docs/errors.md: code, meaning, example. */
function documentedCodes(): Array<{ code: string; meaning: string; example: string }> {
  const lines = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.trim() === '<!-- error-codes -->');
  expect(start, 'docs/errors.md marks its table with <!-- error-codes -->').toBeGreaterThan(0);
  const rows = [];
  for (let i = start + 3; i < lines.length && lines[i]?.startsWith('|'); i++) {
    const cells = (lines[i] as string).split(/(?<!\\)\|/).map((c) => c.trim());
    rows.push({
      code: (cells[1] ?? '').replace(/^`|`$/g, ''),
      meaning: (cells[2] ?? '').replace(/\\\|/g, '|'),
      example: cells[3] ?? '',
    });
  }
  return rows;
}

describe('the code list', () => {
  it('docs/errors.md lists exactly the codes of src/error-codes.ts, in order, with the same meanings', () => {
    const rows = documentedCodes();
    expect(rows.map((r) => r.code)).toEqual(Object.keys(ERROR_CODES));
    for (const row of rows) {
      expect(row.meaning, row.code).toBe(ERROR_CODES[row.code as ErrorCode]);
      expect(row.example, `${row.code}: an example message`).not.toBe('');
    }
  });

  it("the README's table by stage names every code once", () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
    const start = lines.indexOf('<!-- error-codes: by stage -->');
    expect(start).toBeGreaterThan(0);
    const named: string[] = [];
    for (let i = start + 3; lines[i]?.startsWith('|'); i++)
      named.push(
        ...[...(lines[i] as string).matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1] as string),
      );
    expect([...named].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('no code of nabla looks like an errno name (those are NativeError codes)', () => {
    expect(Object.keys(ERROR_CODES).filter(isErrnoName)).toEqual([]);
    expect(isErrnoName('ENOENT')).toBe(true);
    expect(isErrnoName('ELF_INVALID')).toBe(false);
  });
});

// ---- every throw site names its code --------------------------------------------------------

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** The argument text of each `new NablaError(...)` in `text`, up to its closing parenthesis. */
function constructorCalls(text: string): string[] {
  const calls: string[] = [];
  for (
    let at = text.indexOf('new NablaError(');
    at >= 0;
    at = text.indexOf('new NablaError(', at + 1)
  ) {
    let depth = 0;
    let end = at + 'new NablaError'.length;
    for (; end < text.length; end++) {
      if (text[end] === '(') depth++;
      else if (text[end] === ')' && --depth === 0) break;
    }
    calls.push(text.slice(at, end + 1));
  }
  return calls;
}

describe('throw sites', () => {
  const sites = sourceFiles('src').map((file) => ({
    file,
    uncoded: constructorCalls(readFileSync(join(ROOT, file), 'utf8')).filter(
      (call) => !/\bcode:/.test(call),
    ),
  }));

  it('every `new NablaError(...)` names its code', () => {
    const uncoded = sites.filter((s) => s.uncoded.length > 0);
    expect(uncoded).toEqual([]);
  });
});

// ---- every code from a real failure ---------------------------------------------------------

/** The error a call raises, in its JSON form (what `--format json` prints). */
async function raised(call: () => unknown): Promise<NablaErrorJson> {
  try {
    await call();
  } catch (error) {
    if (error instanceof NablaError) return error.toJSON();
    throw error;
  }
  throw new Error('it did not fail');
}

/** `nabla ARGS` asked for JSON: its failure as the one JSON object on stderr, and the status. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): NablaErrorJson {
  const r = spawnSync(process.execPath, [NABLA, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  expect(r.stderr.endsWith('\n') && r.stderr.indexOf('\n') === r.stderr.length - 1, r.stderr).toBe(
    true,
  );
  const { error } = JSON.parse(r.stderr) as { error: NablaErrorJson };
  expect(r.status).toBe(error.exitCode);
  return error;
}

const asAlice: PrivilegeContext = {
  euid: 1000,
  uid: 1000,
  gid: 1000,
  highestFd: 5,
  keepsHostNetwork: false,
};

/** A flaky peer for the boot scenario: boots the first time (its check), fails every trial. */
function flakyPeer(): string {
  const marker = join(scratch.dir, 'peer-ran');
  const nablaRun = join(ROOT, 'bin', 'nabla-run.js');
  const peer = join(scratch.dir, 'flaky-peer');
  writeFileSync(
    peer,
    `#!/bin/sh\n[ -e '${marker}' ] && exit 3\ntouch '${marker}'\nexec '${process.execPath}' '${nablaRun}' "$@"\n`,
    { mode: 0o755 },
  );
  return peer;
}

interface Case {
  code: ErrorCode;
  /** How the failure is brought about. */
  via: string;
  fail: () => Promise<NablaErrorJson> | NablaErrorJson;
  message: string | RegExp;
  /** Default 1. */
  exitCode?: number;
}

const disk = (name: string, bytes: number) => scratch.disk(name, bytes);
const elf = (name: string, spec: Parameters<typeof buildElf>[0]) =>
  scratch.file(name, buildElf(spec));
const missing = join(scratch.dir, 'missing');

/** A supervisor on a state of its own (no daemon, no socket), closed after `use`. */
async function withSupervisor<T>(use: (s: Supervisor) => Promise<T>): Promise<T> {
  const { Store } = await import('../../src/daemon/store.js');
  const { Supervisor } = await import('../../src/daemon/supervisor.js');
  const { DEFAULT_TIMINGS } = await import('../../src/daemon/config.js');
  const store = new Store(join(scratch.dir, `state-${Math.random().toString(36).slice(2)}`));
  const supervisor = new Supervisor({ store, timings: DEFAULT_TIMINGS });
  try {
    return await use(supervisor);
  } finally {
    await supervisor.close();
    store.close();
  }
}

const CASES: Case[] = [
  // The command line and the options.
  {
    code: 'USAGE',
    via: 'nabla inspect --json without KERNEL',
    fail: () => cli(['inspect', '--json']),
    message: 'Missing KERNEL operand',
  },
  {
    code: 'USAGE',
    via: 'nabla audit --format json with a misspelt option',
    fail: () => cli(['audit', '--format', 'json', '--mme=64', hello]),
    message: 'Unknown option: --mme (did you mean --mem?)',
  },
  {
    code: 'USAGE',
    via: 'nabla audit --format json, --block-sector-size without --block',
    fail: () => cli(['audit', '--format=json', '--block-sector-size:storage=4096', blk]),
    message: '--block-sector-size:storage given without --block:storage=PATH',
  },
  {
    code: 'OPTION_INVALID',
    via: 'nabla audit --format json --mem=abc',
    fail: () => cli(['audit', '--format', 'json', '--mem=abc', hello]),
    message: 'Malformed argument to --mem',
  },
  {
    code: 'OPTION_INVALID',
    via: 'audit() with an empty hosted path',
    fail: () => raised(() => audit({ kernel: hello, hosted: '' })),
    message: 'Expected a path or null for hosted but received ""',
  },
  {
    code: 'OPTION_INVALID',
    via: 'prepare() with a negative memMiB',
    fail: () => raised(() => prepare({ kernel: hello, memMiB: -1 })),
    message: /^Expected .* for memMiB but received -1$/,
  },
  {
    code: 'ARGV_UNREADABLE',
    via: 'rawArguments() when /proc/self/cmdline disagrees and an argument was decoded lossily',
    fail: () =>
      raised(() =>
        rawArguments({
          argv: ['node', 'script', 'k\ufffd'],
          execArgv: [],
          cmdline: () => Buffer.from('node\0script\0other\0'),
        }),
      ),
    message:
      'Cannot read the argument bytes from /proc/self/cmdline (it does not match the arguments Node decoded), and an argument is not valid UTF-8',
  },
  // The unikernel.
  {
    code: 'KERNEL_OPEN',
    via: 'prepare() with a KERNEL that does not exist',
    fail: () => raised(() => prepare({ kernel: missing })),
    message: `${missing}: Could not open: No such file or directory`,
  },
  {
    code: 'KERNEL_OPEN',
    via: 'nabla inspect --json of a directory',
    fail: () => cli(['inspect', '--json', scratch.dir]),
    message: `${scratch.dir}: Could not open: Not a regular file (a directory)`,
  },
  {
    code: 'ELF_INVALID',
    via: 'run() of a host executable',
    fail: () => raised(() => run({ kernel: '/bin/true' })),
    message:
      '/bin/true: invalid executable: not a static executable (e_type 3, expected ET_EXEC 2)',
  },
  {
    code: 'ELF_INVALID',
    via: 'nabla inspect --json of a text file',
    fail: () => cli(['inspect', '--json', scratch.file('text.nabla', 'x'.repeat(80))]),
    message: `${join(scratch.dir, 'text.nabla')}: invalid executable: bad ELF magic`,
  },
  {
    code: 'ABI_MISMATCH',
    via: 'prepare() of an hvt unikernel',
    fail: () =>
      raised(() => prepare({ kernel: elf('hvt.nabla', { abi: { target: 1, version: 2 } }) })),
    message: `${join(scratch.dir, 'hvt.nabla')}: Executable is not for the solo5-spt target`,
  },
  {
    code: 'ABI_MISMATCH',
    via: 'nabla inspect --json of an ELF without an ABI note',
    fail: () => cli(['inspect', '--json', elf('noabi.nabla', { abi: null })]),
    message: `${join(scratch.dir, 'noabi.nabla')}: No Solo5 ABI information found in executable`,
  },
  {
    code: 'MANIFEST_INVALID',
    via: 'prepare() of a unikernel without a manifest',
    fail: () => raised(() => prepare({ kernel: elf('nomft.nabla', { manifest: null }) })),
    message: `${join(scratch.dir, 'nomft.nabla')}: No Solo5 manifest found in executable`,
  },
  {
    code: 'MANIFEST_INVALID',
    via: 'nabla inspect --json of a corrupted manifest',
    fail: () => cli(['inspect', '--json', elf('badmft.nabla', { manifest: manifestBytes([], 5) })]),
    message: `${join(scratch.dir, 'badmft.nabla')}: Solo5 manifest is invalid`,
  },
  // Devices.
  {
    code: 'DEVICE_UNDECLARED',
    via: 'prepare() attaching a block device hello does not declare',
    fail: () =>
      raised(() =>
        prepare({ kernel: hello, block: [{ name: 'foo', path: disk('foo.img', 4096) }] }),
      ),
    message: "Resource not declared in manifest: 'foo'",
  },
  {
    code: 'DEVICE_DUPLICATE',
    via: 'prepare() attaching storage twice',
    fail: () => {
      const path = disk('twice.img', 4096);
      return raised(() =>
        prepare({
          kernel: blk,
          block: [
            { name: 'storage', path },
            { name: 'storage', path },
          ],
        }),
      );
    },
    message: "Device 'storage' is attached more than once",
  },
  {
    code: 'DEVICE_NOT_ATTACHED',
    via: 'nabla audit --format json of blk without its disk',
    fail: () => cli(['audit', '--format', 'json', '--no-observe', '--no-footprint', blk]),
    message:
      "Device 'storage' of type BLOCK_BASIC declared but not attached.\nAll declared devices must be attached. See --help for syntax.",
  },
  {
    code: 'BLOCK_OPEN',
    via: 'prepare() with a missing backing file',
    fail: () => raised(() => prepare({ kernel: blk, block: [{ name: 'storage', path: missing }] })),
    message: `Could not open block device: ${missing}: No such file or directory`,
  },
  {
    code: 'BLOCK_SIZE',
    via: 'prepare() with a backing file of 1.5 blocks',
    fail: () =>
      raised(() =>
        prepare({
          kernel: blk,
          block: [{ name: 'storage', path: disk('odd.img', 6144), sectorSize: 4096 }],
        }),
      ),
    message: 'storage: Backing storage size must be block aligned (4096 bytes)',
  },
  {
    code: 'NET_ATTACH',
    via: 'prepare() with an interface that does not exist',
    fail: () =>
      raised(() => prepare({ kernel: ping, net: [{ name: 'service', iface: 'nabla-none0' }] })),
    message: 'Could not attach interface: nabla-none0: No such device',
  },
  {
    code: 'NET_NOT_TAP',
    via: 'prepare() with a regular file as @FD',
    fail: () => {
      const fd = openSync(disk('not-a-tap', 0), 'r');
      return raised(() => prepare({ kernel: ping, net: [{ name: 'service', fd }] }));
    },
    message:
      /^Could not attach interface: @\d+: not a tap device \(TUNGETIFF: Inappropriate ioctl for device\)$/,
  },
  // The launch.
  {
    code: 'CMDLINE_TOO_LONG',
    via: 'prepare() with 8192 bytes of arguments',
    fail: () => raised(() => prepare({ kernel: hello, args: ['x'.repeat(8192)] })),
    message: 'Guest command line too long (max=8191 characters)',
  },
  {
    code: 'USER_UNKNOWN',
    via: 'prepare() with a user nobody has',
    fail: () => raised(() => prepare({ kernel: hello, user: 'nabla-no-such-user' })),
    message: "Unknown user 'nabla-no-such-user' for --user: not found in the user database",
  },
  {
    code: 'USER_UNKNOWN',
    via: 'nabla audit --format json --user=GROUP that does not exist',
    fail: () =>
      cli([
        'audit',
        '--format',
        'json',
        '--no-observe',
        '--no-footprint',
        '--user=root:nabla-no-such-group',
        hello,
      ]),
    message: "Unknown group 'nabla-no-such-group' for --user: not found in the group database",
  },
  {
    code: 'USER_LOOKUP_FAILED',
    via: 'decidePrivileges() when the user database fails (an LDAP server gone)',
    fail: () =>
      raised(() =>
        decidePrivileges(
          { user: 'alice' },
          {
            ...asAlice,
            database: {
              userByName: () => {
                throw new NativeError(
                  'getpwnam_r(alice): Input/output error',
                  'EIO',
                  5,
                  'getpwnam_r',
                );
              },
              userById: () => null,
              groupByName: () => null,
            },
          },
        ),
      ),
    message: "Could not look up user 'alice' for --user: getpwnam_r(alice): Input/output error",
  },
  {
    code: 'USER_NOT_PERMITTED',
    via: 'decidePrivileges() for root asked by a non-root caller',
    fail: () => raised(() => decidePrivileges({ user: '0:0' }, asAlice)),
    message: '--user=0:0 needs root: running as uid 1000, gid 1000',
  },
  {
    code: 'CGROUP',
    via: 'run() with a cgroup directory that is not a control group',
    fail: () => raised(() => run({ kernel: hello }, { cgroups: [scratch.dir] })),
    message: `${scratch.dir}: not a control group (not on a cgroup file system)`,
  },
  {
    code: 'TENDER_FAILED',
    via: 'run() with NABLA_TENDER naming nothing',
    fail: () => {
      vi.stubEnv('NABLA_TENDER', missing);
      return raised(() => run({ kernel: hello }));
    },
    message: `tender not found or not executable: ${missing} (run \`npm run build:tender\`)`,
  },
  // nabla build.
  {
    code: 'BUILD_INPUT',
    via: 'buildUnikernel() writing onto a directory',
    fail: () =>
      raised(() =>
        buildUnikernel({
          sources: [join(ROOT, 'examples', 'hello', 'hello.c')],
          manifest: HELLO_MANIFEST,
          output: scratch.dir,
        }),
      ),
    message: `${scratch.dir}: Is a directory; the output must be a file`,
  },
  {
    code: 'BUILD_MANIFEST',
    via: 'buildUnikernel() with a manifest that breaks a rule',
    fail: () =>
      raised(() =>
        buildUnikernel({
          sources: [join(ROOT, 'examples', 'hello', 'hello.c')],
          manifest: scratch.file(
            'bad-manifest.json',
            '{"type":"solo5.manifest","version":1,"devices":[{"name":"a-b","type":"BLOCK_BASIC"}]}',
          ),
          output: join(scratch.dir, 'bad.nabla'),
        }),
      ),
    message: `${join(scratch.dir, 'bad-manifest.json')}: devices[0].name: expected 1-67 characters [A-Za-z0-9] but received "a-b"`,
  },
  {
    code: 'BUILD_NO_COMPILER',
    via: 'buildUnikernel() with CC naming nothing',
    fail: () => {
      vi.stubEnv('CC', missing);
      return raised(() =>
        buildUnikernel({
          sources: [join(ROOT, 'examples', 'hello', 'hello.c')],
          manifest: HELLO_MANIFEST,
          output: join(scratch.dir, 'nocc.nabla'),
        }),
      );
    },
    message: `${missing}: C compiler not found (install gcc, or set CC)`,
  },
  {
    code: 'BUILD_FAILED',
    via: 'buildUnikernel() of a source that does not compile',
    fail: () =>
      raised(() =>
        buildUnikernel({
          sources: [
            scratch.file('broken.c', 'int solo5_app_main(void) { return missing_name; }\n'),
          ],
          manifest: HELLO_MANIFEST,
          output: join(scratch.dir, 'broken.nabla'),
        }),
      ),
    message: /^building \S+\/broken\.nabla failed \(gcc exit status 1\)\n.*missing_name/s,
  },
  // nabla fs build.
  {
    code: 'FS_INPUT',
    via: 'buildFsImage() with DIR naming nothing',
    fail: () => raised(() => buildFsImage({ dir: missing, output: join(scratch.dir, 'fs.img') })),
    message: `${missing}: No such file or directory`,
  },
  {
    code: 'FS_INPUT',
    via: 'buildFsImage() writing onto a directory',
    fail: () =>
      raised(() => buildFsImage({ dir: join(ROOT, 'examples', 'hello'), output: scratch.dir })),
    message: `${scratch.dir}: Is a directory; the image must be a file`,
  },
  {
    code: 'FS_ENTRY',
    via: 'buildFsImage() of a directory holding a FIFO',
    fail: () => {
      const dir = join(scratch.dir, 'fs-fifo');
      mkdirSync(dir);
      execFileSync('mkfifo', [join(dir, 'pipe')]);
      return raised(() => buildFsImage({ dir, output: join(scratch.dir, 'fifo.img') }));
    },
    message: `${join(scratch.dir, 'fs-fifo', 'pipe')}: is a FIFO; an image holds regular files and directories only`,
  },
  // nabla-oci and nabla image build.
  {
    code: 'OCI',
    via: 'mapBundle() of a bundle whose entrypoint is a Linux program',
    fail: () =>
      raised(() =>
        mapBundle(scratch.dir, { root: { path: 'rootfs' }, process: { args: ['/bin/sh'] } }, 'c1'),
      ),
    message:
      'process.args[0] "/bin/sh" is not a unikernel: nabla-oci runs a .nabla or .spt file of the image (its entrypoint)',
  },
  {
    code: 'IMAGE_INPUT',
    via: 'buildOciImage() of a file that is not named as a unikernel',
    fail: () => raised(() => buildOciImage({ kernel: '/etc/passwd' })),
    message: "/etc/passwd: a unikernel's name ends in .nabla or .spt (nabla-oci runs such a file)",
  },
  // nabla audit.
  {
    code: 'AUDIT_MISMATCH',
    via: 'auditPrepared() with a policy table lacking a rule the filter has',
    fail: async () => {
      const prepared = prepare({ kernel: hello });
      try {
        const lacking = {
          ...prepared,
          policy: prepared.policy.filter((r) => r.syscall !== 'arch_prctl'),
        };
        return await raised(() => auditPrepared(lacking, { kernel: hello, observe: false }));
      } finally {
        prepared.release();
      }
    },
    message: /^the compiled filter and the policy table disagree .*first: arch_prctl\(158\)/,
  },
  {
    code: 'AUDIT_UNPROVABLE',
    via: 'verifyFilter() of a program testing bits of a range',
    fail: () =>
      raised(() =>
        verifyFilter(
          bpf([LD(0), [0x45, 0, 1, 1], RET(SECCOMP_RET_ALLOW), RET(SECCOMP_RET_KILL_PROCESS)]),
          [],
        ),
      ),
    message: /^the filter cannot be proven: instruction 1 \(code 0x45, k 1\) tests bits of a range/,
  },
  {
    code: 'AUDIT_OBSERVE_FAILED',
    via: 'observeProcess() of a program that does not exist',
    fail: () => raised(() => observeProcess(missing, [])),
    message: `syscall-trace: ${missing}: cannot execute: No such file or directory`,
  },
  {
    code: 'AUDIT_HOSTED',
    via: 'nabla audit --format json --hosted naming nothing',
    fail: () => cli(['audit', '--format', 'json', '--no-footprint', '--hosted', missing, hello]),
    message: `${missing}: No such hosted executable`,
  },
  // nabla bench.
  {
    code: 'BENCH_INTERRUPTED',
    via: 'runScenarios() with its signal aborted',
    fail: () => {
      const controller = new AbortController();
      controller.abort();
      const scenario: Scenario = {
        name: 's',
        title: 'S',
        baseline: 'a',
        trials: { quick: 1, full: 1 },
        variants: [{ name: 'a', trial: async () => [] }],
      };
      return raised(() =>
        runScenarios([scenario], {
          quick: true,
          peers: {},
          progress: plainProgress(() => {}),
          signal: controller.signal,
        }),
      );
    },
    message: 'interrupted',
    exitCode: 130, // 128 + SIGINT, as a shell shows an interrupted process
  },
  {
    code: 'BENCH_FAILED',
    via: 'nabla bench handler with a peer that fails its trials',
    fail: async () => {
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const { handler } = await import('../../src/cli/commands/bench.js');
      return raised(() =>
        handler({
          only: ['boot'],
          runs: 1,
          peer: { 'solo5-spt': flakyPeer() },
          out: join(scratch.dir, 'bench'),
        }),
      );
    },
    message:
      /^1 variant\(s\) failed \(the report says so too\):\n {2}boot \/ solo5-spt hello: .*: status 3$/,
  },
  // nabla daemon and its clients.
  {
    code: 'DAEMON_SOCKET',
    via: 'listenOnSocket() on a path that holds a regular file',
    fail: async () => {
      const { createServer } = await import('node:http');
      const { listenOnSocket } = await import('../../src/daemon/listen.js');
      return raised(() => listenOnSocket(createServer(), scratch.file('not-a-socket', ''), null));
    },
    message: `${join(scratch.dir, 'not-a-socket')}: exists and is not a socket; not touching it`,
  },
  {
    code: 'DAEMON_STATE',
    via: 'a Store on a state directory that is a regular file',
    fail: async () => {
      const { Store } = await import('../../src/daemon/store.js');
      const file = scratch.file('state-file', '');
      return raised(() => new Store(file));
    },
    message: new RegExp(`^${join(scratch.dir, 'state-file')}: cannot open the state database: `),
  },
  {
    code: 'DAEMON_UNREACHABLE',
    via: 'nabla ps --json with no daemon on the socket',
    fail: () => cli(['ps', '--json', '--socket', missing]),
    message: `no daemon is listening on ${missing} (start one with: nabla daemon)`,
  },
  {
    code: 'DAEMON_FORBIDDEN',
    via: "refusal() of another user's connection",
    fail: async () => {
      const { refusal } = await import('../../src/daemon/peer.js');
      return raised(() => {
        throw refusal({ pid: 0, uid: 54321, gid: 54321 }, { uid: 0, group: null });
      });
    },
    message: 'uid 54321 may not use this daemon: only root and uid 0 may',
  },
  {
    code: 'REQUEST_INVALID',
    via: 'parseRequest() of a create without a name',
    fail: async () => {
      const { parseRequest, CreateRequest } = await import('../../src/daemon/schema.js');
      return raised(() => parseRequest(CreateRequest, { kernel: hello }, 'body'));
    },
    message: 'Invalid body: name: required',
  },
  {
    code: 'ROUTE_UNKNOWN',
    via: 'findRoute() of a method no route has',
    fail: async () => {
      const { findRoute } = await import('../../src/daemon/server.js');
      return raised(() => findRoute('PUT', '/v1/instances'));
    },
    message: 'no route for PUT /v1/instances',
  },
  {
    code: 'INSTANCE_NOT_FOUND',
    via: 'Supervisor.get() of a name never created',
    fail: () => withSupervisor((s) => raised(() => s.get('nope'))),
    message: 'nope: no such instance',
  },
  {
    code: 'INSTANCE_EXISTS',
    via: 'Supervisor.create() of a name in use',
    fail: () =>
      withSupervisor(async (s) => {
        const config = { name: 'twice', kernel: hello, args: [], restart: 'no' as const };
        await s.create(config, false);
        return raised(() => s.create(config, false));
      }),
    message: 'twice: an instance of that name exists',
  },
  {
    code: 'INSTANCE_STATE',
    via: 'Supervisor.remove() of a running guest without force',
    fail: () =>
      withSupervisor(async (s) => {
        const idle = join(ROOT, 'build', 'bench', 'idle.nabla');
        await s.create({ name: 'busy', kernel: idle, args: [], restart: 'no' }, true);
        try {
          return await raised(() => s.remove('busy', false));
        } finally {
          await s.remove('busy', true);
        }
      }),
    message: 'busy: is running; stop it first, or remove with force',
  },
  // Not the user's input.
  {
    code: 'INTERNAL',
    via: 'observeProcess() asked to read a filter (a guest-only option)',
    fail: () => raised(() => observeProcess('/bin/true', [], { readFilter: true })),
    message: 'readFilter applies to guests only (observeGuest)',
  },
];

describe('every code comes from a real failure', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
  afterAll(() => vi.unstubAllEnvs());

  it('each code has a case below', () => {
    const covered = new Set(CASES.map((c) => c.code));
    expect(Object.keys(ERROR_CODES).filter((c) => !covered.has(c as ErrorCode))).toEqual([]);
  });

  it.each(CASES)('$code: $via', async (c) => {
    const error = await c.fail();
    expect(error.code).toBe(c.code);
    if (typeof c.message === 'string') expect(error.message).toBe(c.message);
    else expect(error.message).toMatch(c.message);
    expect(error.exitCode).toBe(c.exitCode ?? 1);
  });
});
