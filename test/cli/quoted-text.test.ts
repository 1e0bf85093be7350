// quoted-text.test.ts: manifest names and paths with ESC, BEL, DEL and C1 reach no terminal raw: inspect, nabla-run, audit, the tender.
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepare } from '../../src/api.js';
import { planMemfd } from '../../src/launch/exec.js';
import { tenderPath } from '../../src/launch/tender-path.js';
import { controlChars } from '../helpers/control-chars.js';
import { buildElf, manifestBytes } from '../helpers/elf-builder.js';
import { example, NABLA, NABLA_RUN, tool } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const scratch = useScratch();

/** A device name that would retitle the terminal and ring its bell, with DEL and a raw CSI. */
const EVIL = 'ev\x1b]0;pwned\x07il\x7f\x9b';
const EVIL_SHOWN = 'ev\\x1b]0;pwned\\x07il\\x7f\\x9b';
/** A path that would turn the terminal red and ring its bell. */
const EVIL_DIR = join(scratch.dir, 'dir\x1b[31m\x07');
const EVIL_DIR_SHOWN = EVIL_DIR.replace('\x1b', '\\x1b').replace('\x07', '\\x07');

const evilElf = scratch.file(
  'evil.nabla',
  buildElf({
    manifest: manifestBytes([
      { name: 'storage', type: 1 },
      { name: EVIL, type: 2 },
    ]),
  }),
);

function run(argv: string[]) {
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return r;
}

/** What a terminal would get from both streams: no control character but newlines. */
function expectNoControl(r: { stdout: string; stderr: string }) {
  expect({ stdout: controlChars(r.stdout), stderr: controlChars(r.stderr) }).toEqual({
    stdout: [],
    stderr: [],
  });
}

describe('untrusted text in output', () => {
  it('nabla inspect: the text escapes the name; --json keeps it exact but escapes it too', () => {
    const text = run([NABLA, 'inspect', evilElf]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`    [2] ${EVIL_SHOWN} NET_BASIC\n`);
    expectNoControl(text);
    const json = run([NABLA, 'inspect', '--json', evilElf]);
    expect(json.status).toBe(0);
    expectNoControl(json);
    expect(JSON.parse(json.stdout).manifest.devices[1].name).toBe(EVIL);
  });

  it("nabla-run: 'declared but not attached' quotes the name escaped", () => {
    const r = run([NABLA_RUN, evilElf]);
    expect(r.stderr).toBe(
      [
        "nabla-run: Device 'storage' of type BLOCK_BASIC declared but not attached.",
        `nabla-run: Device '${EVIL_SHOWN}' of type NET_BASIC declared but not attached.`,
        'nabla-run: All declared devices must be attached. See --help for syntax.',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(1);
  });

  it('nabla audit: the same lines, escaped', () => {
    const r = run([NABLA, 'audit', '--no-observe', evilElf]);
    expect(r.stderr).toContain(
      `Device '${EVIL_SHOWN}' of type NET_BASIC declared but not attached.`,
    );
    expectNoControl(r);
    expect(r.status).toBe(1);
  });

  it('the tender escapes the names it quotes exactly as TypeScript does', () => {
    // A plan made for a file declaring only 'storage', and a file declaring more in its place:
    // the tender reads the manifest itself and must quote it safely.
    const plain = scratch.file(
      'plain.nabla',
      buildElf({ manifest: manifestBytes([{ name: 'storage', type: 1 }]) }),
    );
    const swapped = scratch.file(
      'swapped.nabla',
      buildElf({ manifest: manifestBytes([{ name: EVIL, type: 2 }]) }),
    );
    const disk = scratch.disk('disk.img', 1 << 20);
    const tender = (elf: string) => {
      const prepared = prepare({ kernel: plain, block: [{ name: 'storage', path: disk }] });
      const plan = planMemfd(prepared.encodePlan({ elfFd: 4, deviceFds: [5] }));
      const elfFd = openSync(elf, 'r');
      try {
        return spawnSync(tenderPath(), ['3', plain], {
          argv0: 'nabla-run',
          env: {},
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe', plan, elfFd, prepared.devices[0]?.fd ?? -1],
        });
      } finally {
        closeSync(elfFd);
        closeSync(plan);
        prepared.release();
      }
    };
    const notAttached = tender(evilElf);
    expect(notAttached.stderr).toBe(
      run([NABLA_RUN, evilElf]).stderr.split('\n').slice(1).join('\n'),
    );
    expect(notAttached.status).toBe(1);
    const mismatch = tender(swapped);
    expect(mismatch.stderr).toBe(
      `nabla-run: invalid launch plan: device 0: type BLOCK_BASIC does not match manifest entry 1 '${EVIL_SHOWN}' of type NET_BASIC\n`,
    );
  });

  it('a KERNEL path with ESC and BEL is escaped by nabla-run, inspect, audit and the tender', () => {
    spawnSync('mkdir', [EVIL_DIR]);
    const hello = join(EVIL_DIR, 'hello.nabla');
    copyFileSync(example('hello'), hello);
    const broken = join(EVIL_DIR, 'true');
    copyFileSync('/bin/true', broken);

    const refused = run([NABLA_RUN, broken]);
    const line = `${EVIL_DIR_SHOWN}/true: invalid executable: not a static executable (e_type 3, expected ET_EXEC 2)`;
    expect(refused.stderr).toBe(`nabla-run: ${line}\n`);
    const c = spawnSync(tool('elf-check'), [broken], { encoding: 'utf8' });
    expect(c.stderr).toBe(`elf-check: ${line}\n`);

    const inspect = run([NABLA, 'inspect', hello]);
    expect(inspect.stdout.split('\n')[0]).toMatch(`${EVIL_DIR_SHOWN}/hello.nabla: Solo5 unikernel`);
    expectNoControl(inspect);

    // --verbose: the tender names the kernel it loaded.
    const verbose = run([NABLA_RUN, '--verbose', hello, '--solo5:quiet']);
    expect(verbose.stderr).toContain(`nabla-run: kernel: ${EVIL_DIR_SHOWN}/hello.nabla loaded`);
    expectNoControl(verbose);
    expect(verbose.status).toBe(0);

    const audit = run([NABLA, 'audit', '--no-observe', hello]);
    expect(audit.stdout).toContain(`\`${EVIL_DIR_SHOWN}/hello.nabla\``);
    expectNoControl(audit);
    expect(audit.status).toBe(0);
  });

  it.each([
    [`--block:a${'\x1b'}[31m=disk`, "Invalid option: `--block:a\\x1b[31m=disk'"],
    [`--solo5:${'\x07'}quiet`, "Invalid option: `--solo5:\\x07quiet'"],
    [`--timeout=1${'\x1b'}[2J`, "Malformed argument to --timeout: '1\\x1b[2J'"],
    [`--user=${'\x1b'}]0;x${'\x07'}`, "Unknown user '\\x1b]0;x\\x07' for --user"],
  ])('nabla-run quotes an option %j escaped', (option, shown) => {
    const r = run([NABLA_RUN, option, example('hello')]);
    expect(r.stderr).toContain(`nabla-run: ${shown}`);
    expectNoControl(r);
    expect(r.status).toBe(1);
  });

  it("an interface name too long for Linux is refused in nabla-run's words", () => {
    const r = run([NABLA_RUN, '--net:service=averyveryverylongname0', example('ping')]);
    expect(r.stderr).toBe(
      'nabla-run: Could not attach interface: averyveryverylongname0: Invalid argument (an interface name has 1 to 15 bytes)\n',
    );
    expect(r.status).toBe(1);
  });
});
