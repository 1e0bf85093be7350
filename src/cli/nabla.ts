// nabla.ts: the `nabla` command family (yargs); each command lives in cli/commands/.
import { textToBytes } from '../bytes.js';
import * as run from './commands/run.js';

/** Errors a command may throw that are the user's to fix: print the message, not a stack. */
const USER_ERRORS = new Set(['NablaError', 'ManifestError', 'BuildError']);

export async function main(argv: readonly string[]): Promise<number> {
  // `run` keeps solo5-spt's own syntax (--block:NAME=PATH), which yargs would rewrite.
  if (argv[0] === run.command) return run.runRaw(argv.slice(1));
  // `audit` takes the same solo5-spt device syntax; it parses its own options around it.
  if (argv[0] === 'audit') return (await import('./commands/audit.js')).runRaw(argv.slice(1));

  const [{ default: yargs }, audit, bench, build, inspect, version] = await Promise.all([
    import('yargs'),
    import('./commands/audit.js'),
    import('./commands/bench.js'),
    import('./commands/build.js'),
    import('./commands/inspect.js'),
    import('./commands/version.js'),
  ]);
  let status = 0;
  const parsing = yargs([...argv])
    .scriptName('nabla')
    .usage('$0 <command> [options]')
    .command(
      run.command,
      run.describe,
      () => {},
      () => {},
    )
    .command(build)
    .command(inspect)
    .command(
      audit.command,
      audit.describe,
      () => {},
      () => {},
    )
    .command(bench)
    .command(version)
    .example('$0 run hello.nabla Hello', 'boot a unikernel with a command line')
    .example('$0 build examples/hello', 'build a unikernel from C and manifest.json')
    .example('$0 inspect hello.nabla', 'show what a unikernel declares')
    .example('$0 audit --out report hello.nabla', 'prove and report its syscall surface')
    .example('$0 bench --quick', 'compare boot, I/O and density with the alternatives here')
    .demandCommand(1, 'Name a command; see --help.')
    .strict()
    .fail((message, error) => {
      // A user error may carry its own status (nabla bench: 130 when interrupted).
      status = (error as { exitCode?: number } | undefined)?.exitCode ?? 1;
      if (error && !USER_ERRORS.has(error.name)) {
        process.stderr.write(`nabla: internal error: ${error.message}\n`);
        if (process.env.NABLA_DEBUG) process.stderr.write(`${error.stack}\n`);
        return;
      }
      // A path that is not UTF-8 prints as its bytes (bytes.ts), as nabla-run prints it.
      process.stderr.write(textToBytes(`nabla: ${error?.message ?? message}\n`));
      if (!error) process.stderr.write('Run `nabla --help` for usage.\n');
    })
    .help()
    .version(false)
    .parseAsync();
  // yargs rejects after calling fail() for an error a handler threw; fail() has reported it.
  await parsing.catch(() => {
    if (status === 0) status = 1;
  });
  return status;
}
