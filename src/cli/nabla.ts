// nabla.ts: the `nabla` command family (yargs); each command lives in cli/commands/.
import * as run from './commands/run.js';

export async function main(argv: readonly string[]): Promise<number> {
  // `run` keeps solo5-spt's own syntax (--block:NAME=PATH), which yargs would rewrite.
  if (argv[0] === run.command) return run.runRaw(argv.slice(1));

  const { default: yargs } = await import('yargs');
  const { version } = await import('./usage.js');
  let status = 0;
  await yargs([...argv])
    .scriptName('nabla')
    .usage('$0 <command> [options]')
    .command(
      run.command,
      run.describe,
      () => {},
      () => {},
    )
    .command(
      'version',
      'Show the nabla version and the Solo5 ABI version',
      () => {},
      () => {
        process.stdout.write(version('nabla'));
      },
    )
    .example('$0 run hello.nabla Hello', 'boot a unikernel with a command line')
    .example('$0 run --block:storage=disk.img app.nabla', 'attach a block device')
    .demandCommand(1, 'Name a command; see --help.')
    .strict()
    .fail((message, error) => {
      process.stderr.write(
        `nabla: ${message ?? error?.message}\nRun \`nabla --help\` for usage.\n`,
      );
      status = 1;
    })
    .help()
    .version(false)
    .parseAsync();
  return status;
}
