// usage.ts: nabla-run's help and version texts; the options' lines come from their one description (src/run-syntax.ts).
import { readFileSync } from 'node:fs';
import { deviceKinds } from '../devices/registry.js';
import { SPT_ABI_VERSION } from '../elf/abi.js';
import { PACKAGE_JSON } from '../package/paths.js';
import { optionLines } from '../run-syntax.js';

export function usage(prog: string): string {
  return `usage: ${prog} [ OPTIONS ] [ -- ] KERNEL [ ARGS ]
Run the Solo5 spt unikernel KERNEL as a sandboxed process; ARGS become its command line.
A drop-in for solo5-spt: same options, statuses and messages.

Options:
${optionLines('solo5-spt', prog)}

nabla-run's own options (not in solo5-spt; like the others, before KERNEL):
${optionLines('nabla-run', prog)}

Every device the unikernel's manifest declares must be attached.
The guest's status is nabla-run's: 0 success, 1 failure, 255 abort; a guest killed by the
sandbox ends like a process killed by that signal (159 SIGSYS, 139 SIGSEGV in a shell).
Before it starts, the guest gets an empty environment, only its planned descriptors, no
capabilities, new user/mount/ipc/uts/cgroup namespaces (and an empty network namespace
without a network device) where the host allows, and no core dumps.

Examples:
${examples(prog)}
`;
}

/** A plain run, each device kind's examples, then nabla-run's own options. */
function examples(prog: string): string {
  return [
    'hello.nabla Hello world',
    ...deviceKinds().flatMap((kind) => kind.examples),
    '--user=daemon --timeout=30 --verbose app.nabla',
  ]
    .map((words) => `  ${prog} ${words}`)
    .join('\n');
}

export function version(prog: string): string {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as {
    version: string;
  };
  return `${prog} (nabla) version ${pkg.version}\nABI version ${SPT_ABI_VERSION}\n`;
}
