// usage.ts: nabla-run's help and version texts.
import { readFileSync } from 'node:fs';
import { SPT_ABI_VERSION } from '../elf/abi.js';
import { PACKAGE_JSON } from '../package/paths.js';

export function usage(prog: string): string {
  return `usage: ${prog} [ OPTIONS ] [ -- ] KERNEL [ ARGS ]
Run the Solo5 spt unikernel KERNEL as a sandboxed process; ARGS become its command line.
A drop-in for solo5-spt: same options, statuses and messages.

Options:
  --mem=MB                         guest memory in MiB (default 512)
  --block:NAME=PATH                attach file PATH as the block device NAME
  --block-sector-size:NAME=N       block size of NAME in bytes: a power of two >= 512 (default 512)
  --net:NAME=IFACE                 attach the existing tap interface IFACE as the network device NAME
  --net:NAME=@FD                   use the already open tap descriptor FD for NAME
  --net-mac:NAME=MAC               MAC address of NAME (default: random, locally administered)
  --x-exec-heap                    leave guest memory outside its segments executable
  --help                           show this help
  --version                        show the version and the Solo5 ABI version

nabla-run's own options (not in solo5-spt; like the others, before KERNEL):
  --user=NAME|UID[:GROUP|GID]      the user the guest runs as (default when root: nobody; without
                                   root the guest keeps your ids and another user is an error)
  --timeout=SECONDS                kill the guest after SECONDS (e.g. 10, 1.5): it ends with 137
                                   (SIGKILL) and "${prog}: guest timed out after SECONDS s"
  --core                           allow core dumps (default: none, and the guest is not dumpable)
  --verbose                        print each sandboxing step, and each fallback, on stderr

Every device the unikernel's manifest declares must be attached.
The guest's status is nabla-run's: 0 success, 1 failure, 255 abort; a guest killed by the
sandbox ends like a process killed by that signal (159 SIGSYS, 139 SIGSEGV in a shell).
Before it starts, the guest gets an empty environment, only its planned descriptors, no
capabilities, new user/mount/ipc/uts/cgroup namespaces (and an empty network namespace
without a network device) where the host allows, and no core dumps.

Examples:
  ${prog} hello.nabla Hello world
  ${prog} --mem=64 --block:storage=disk.img app.nabla
  ${prog} --block:storage=disk.img --block-sector-size:storage=4096 app.nabla
  ${prog} --net:service=tap0 --net-mac:service=02:00:00:00:00:01 app.nabla
  ${prog} --user=daemon --timeout=30 --verbose app.nabla
`;
}

export function version(prog: string): string {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as {
    version: string;
  };
  return `${prog} (nabla) version ${pkg.version}\nABI version ${SPT_ABI_VERSION}\n`;
}
