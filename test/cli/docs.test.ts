// docs.test.ts: the docs say what the program does: option tables and examples match each command's --help; links and § citations resolve in the repo.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nablaRunOptionNames, nablaRunOptions } from '../../src/run-syntax.js';
import { NABLA, NABLA_OCI, NABLA_RUN, ROOT } from '../helpers/paths.js';

/** Files the repository tracks matching `pattern` (so nothing a build or a test wrote). */
const tracked = (...pattern: string[]) =>
  execFileSync('git', ['ls-files', ...pattern], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '');

/** Every Markdown file the repository holds. */
const MARKDOWN = tracked('*.md');

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** Long options named by a piece of text: `--block` for `--block:NAME=PATH`, once each. */
const longOptions = (text: string) =>
  new Set([...text.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]));

/**
 * The options a command's real --help lists: lines indented by two spaces that start with
 * an option (`  -o, --output FILE`, `      --json`, nabla-run's `  --mem=MB`); wrapped text
 * is indented further.
 */
function helpOptions(command: string): Set<string> {
  // nabla-oci's one table lists its global options and every command's.
  if (command === 'nabla-oci')
    return new Set(
      ['', 'create', 'kill', 'delete', 'ps', 'list'].flatMap((c) => [...ociHelpOptions(c)]),
    );
  const args =
    command === 'nabla-run' ? [NABLA_RUN, '--help'] : [NABLA, ...command.split(' '), '--help'];
  return optionsOfHelp(args);
}

function ociHelpOptions(command: string): Set<string> {
  return optionsOfHelp([NABLA_OCI, ...(command ? [command] : []), '--help']);
}

function optionsOfHelp(args: string[]): Set<string> {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.split('\n');
  return new Set(
    lines.flatMap((l) => /^ {2}(?:-\w, | {4})?(--[a-z][a-z0-9-]*)/.exec(l)?.[1] ?? []),
  );
}

/** The first column of each table marked `<!-- options: COMMAND -->`, per file. */
function documentedOptions(command: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const file of MARKDOWN) {
    const lines = read(file).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() !== `<!-- options: ${command} -->`) return;
      const names = found.get(file) ?? new Set<string>();
      // The header and separator rows come first; the rows run until the table ends.
      for (let j = i + 3; j < lines.length && lines[j]?.startsWith('|'); j++) {
        const firstCell = (lines[j] as string).split(/(?<!\\)\|/)[1] ?? '';
        for (const name of longOptions(firstCell)) names.add(name);
      }
      found.set(file, names);
    });
  }
  return found;
}

const withoutHelp = (names: Iterable<string>) =>
  [...names].filter((n) => n !== '--help' && n !== '--version').sort();

describe('option tables in the docs', () => {
  it.each([
    ['nabla-run', ['README.md']],
    ['nabla build', ['README.md']],
    ['nabla fs build', ['README.md']],
    ['nabla image build', ['README.md']],
    ['nabla-oci', ['README.md']],
    ['nabla audit', ['README.md', 'docs/audit.md']],
    ['nabla bench', ['benchmarks/README.md']],
    ['nabla daemon', ['README.md']],
    ['nabla up', ['README.md']],
    ['nabla ps', ['README.md']],
    ['nabla logs', ['README.md']],
    ['nabla stop', ['README.md']],
    ['nabla rm', ['README.md']],
    ['nabla stats', ['README.md']],
    ['nabla events', ['README.md']],
  ])('%s: each marked table lists exactly the options of --help', (command, files) => {
    const help = withoutHelp(helpOptions(command.replace(/^nabla /, '')));
    const tables = documentedOptions(command);
    expect([...tables.keys()].sort()).toEqual(files);
    for (const [file, names] of tables)
      expect(withoutHelp(names), `${file}: table for ${command}`).toEqual(help);
  });

  it("nabla run and audit know nabla-run's options by the names its --help lists", () => {
    expect(withoutHelp(nablaRunOptionNames())).toEqual(withoutHelp(helpOptions('nabla-run')));
  });
});

/** The verbs that talk to the daemon (yargs commands, checked like build). */
const DAEMON_VERBS = ['ps', 'logs', 'stop', 'rm', 'stats', 'events'];

/** Command lines in code (fenced blocks, `spans`): the program, the command and the words after. */
function documentedCommandLines(): Array<{ where: string; prog: string; words: string[] }> {
  const found: Array<{ where: string; prog: string; words: string[] }> = [];
  for (const file of MARKDOWN) {
    const lines = read(file).split('\n');
    let fenced = false;
    lines.forEach((line, i) => {
      if (line.startsWith('```')) {
        fenced = !fenced;
        return;
      }
      const code = fenced ? [line] : [...line.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
      // An example that shows its own error is meant to be wrong.
      if (/^[a-z -]+: (Unknown|Invalid) option/.test(lines[i + 1] ?? '')) return;
      for (const text of code) {
        for (const m of text.matchAll(
          /(?:^|[\s$])(?:node bin\/)?(nabla-run|nabla)(?:\.js)? +([^#|&;`]*)/g,
        )) {
          let prog = m[1] as string;
          let words = (m[2] as string).split(/\s+/).filter((w) => w !== '');
          if (prog === 'nabla') {
            const command = words[0];
            const commands = [
              'build',
              'fs',
              'image',
              'inspect',
              'audit',
              'bench',
              'run',
              'daemon',
              'up',
            ];
            if (!commands.includes(command ?? '') && !DAEMON_VERBS.includes(command ?? ''))
              continue;
            // `nabla fs build`, `nabla image build`: the subcommand is part of the program's name.
            const sub = command === 'fs' || command === 'image';
            const name = sub ? `${command} ${words[1] ?? ''}` : command;
            prog = command === 'run' ? 'nabla-run' : `nabla ${name}`;
            words = words.slice(sub ? 2 : 1);
          }
          found.push({ where: `${file}:${i + 1}`, prog, words });
        }
      }
    });
  }
  return found;
}

describe('command lines in the docs', () => {
  it('use only options the command has (before KERNEL, for nabla-run and audit)', () => {
    const known = new Map<string, Set<string>>();
    const optionsOf = (prog: string) => {
      let names = known.get(prog);
      if (names === undefined) {
        names = helpOptions(prog.replace(/^nabla /, ''));
        // audit takes nabla-run's options around its own (those its description says it does).
        if (prog === 'nabla audit')
          for (const o of nablaRunOptions())
            if (o.audited && o.takes !== 'action') names.add(o.name);
        known.set(prog, names);
      }
      return names;
    };
    const lines = documentedCommandLines();
    expect(lines.length).toBeGreaterThan(10);
    const wrong: string[] = [];
    for (const { where, prog, words } of lines) {
      // nabla-run and audit read options up to KERNEL, up up to NAME; after, the words are the guest's.
      const kernelAt = words.findIndex((w) => !/^[[-]/.test(w));
      const scope =
        prog === 'nabla-run' || prog === 'nabla audit' || prog === 'nabla up'
          ? words.slice(0, kernelAt < 0 ? words.length : kernelAt)
          : words;
      for (const name of longOptions(scope.join(' ')))
        if (!optionsOf(prog).has(name)) wrong.push(`${where}: ${prog} ${name}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('links in the docs', () => {
  it('resolve to files in the repository', () => {
    const broken: string[] = [];
    for (const file of MARKDOWN) {
      const text = read(file);
      const targets = [
        ...[...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string),
        // [path.md] with no (target) is a link that was never finished.
        ...[...text.matchAll(/\[([^\]\s]+\.(?:md|ts|c|h|json))\](?!\()/g)].map(
          (m) => m[1] as string,
        ),
      ];
      for (const target of targets) {
        if (/^(https?:|mailto:|#)/.test(target)) continue;
        const path = resolve(ROOT, dirname(file), target.split('#')[0] as string);
        const inside = !relative(ROOT, path).startsWith('..');
        if (!inside || !existsSync(path)) broken.push(`${file}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/** Every tracked text file (a NUL byte marks a binary, such as a fuzz corpus entry). */
function trackedText(): Array<{ file: string; text: string }> {
  return tracked()
    .filter((file) => existsSync(join(ROOT, file)))
    .map((file) => ({ file, text: read(file) }))
    .filter(({ text }) => !text.includes('\0'));
}

/** The numbers of a Markdown file's numbered headings: `## 4. Memory` gives 4, `### 4.2 x` 4.2. */
function sectionNumbers(file: string): Set<string> {
  const numbers = [...read(file).matchAll(/^#{1,6} +(\d+(?:\.\d+)*)\.? /gm)];
  return new Set(numbers.map((m) => m[1] as string));
}

/**
 * `docs/abi.md §5`, `docs/abi.md §2-3`, and in docs/ `[elf-validation.md](elf-validation.md)
 * §1–§2`: the document (a link's target, or the name itself) and the first and last section.
 * Docs cite their neighbours by relative links; code cites from the repository root.
 */
const CITATION = /([\w./-]+\.md)\)?`? *§ *(\d+(?:\.\d+)*)(?: *[-–] *§? *(\d+(?:\.\d+)*))?/g;

describe('references in the repository', () => {
  // The contract used to live in a document outside the repository (the shared docs); every
  // reference now points at docs/abi.md. This file names the forms it looks for: it is skipped.
  const SELF = 'test/cli/docs.test.ts';
  const OUTSIDE: Array<[string, RegExp]> = [
    ['the shared ABI document', /spt-abi/i],
    ['a section of the shared ABI document', /spt ABI §/i],
    ['a path into the shared docs or tools', /(?:\.\.\/)+shared\/|\/work\/shared\b/],
  ];

  it('no tracked file cites a document or path outside the repository', () => {
    const found: string[] = [];
    for (const { file, text } of trackedText()) {
      if (file === SELF) continue;
      text.split('\n').forEach((line, i) => {
        for (const [what, pattern] of OUTSIDE)
          if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('every "FILE.md §N" citation names a tracked document and a section it has', () => {
    const markdown = new Set(MARKDOWN);
    const cited = new Map<string, number>();
    const wrong: string[] = [];
    for (const { file, text } of trackedText()) {
      if (file === SELF) continue; // its comments show the forms, not real citations
      text.split('\n').forEach((line, i) => {
        for (const m of line.matchAll(CITATION)) {
          const name = m[1] as string;
          const doc = [join(dirname(file), name), name].find((f) => markdown.has(f));
          const where = `${file}:${i + 1}: ${m[0]}`;
          if (doc === undefined) {
            wrong.push(`${where}: no such document`);
            continue;
          }
          cited.set(doc, (cited.get(doc) ?? 0) + 1);
          const sections = sectionNumbers(doc);
          for (const n of [m[2], m[3]])
            if (n !== undefined && !sections.has(n)) wrong.push(`${where}: ${doc} has no §${n}`);
        }
      });
    }
    expect(wrong).toEqual([]);
    // The contract is cited from code and docs alike; none of these checks may pass vacuously.
    expect(cited.get('docs/abi.md') ?? 0).toBeGreaterThan(20);
  });

  it('docs/abi.md: its own "§N" references name its sections, numbered 1 to 11', () => {
    const text = read('docs/abi.md');
    const sections = sectionNumbers('docs/abi.md');
    for (let n = 1; n <= 11; n++) expect(sections, `§${n}`).toContain(String(n));
    const wrong: string[] = [];
    text.split('\n').forEach((line, i) => {
      // A bare § (not after another document's name) is a section of this page.
      for (const m of line.matchAll(/(?<!\.md\)?`? *)§ *(\d+(?:\.\d+)*)/g))
        if (!sections.has(m[1] as string)) wrong.push(`docs/abi.md:${i + 1}: §${m[1]}`);
    });
    expect(wrong).toEqual([]);
  });
});
