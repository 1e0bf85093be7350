// error-codes.ts: every stable code a NablaError carries, each with its one-line meaning (docs/errors.md lists the same).

/**
 * The codes, grouped by the stage of a run that raises them. A code names a kind of failure
 * a script can act on, never one message: the messages may be reworded, a code keeps its name
 * and meaning (add codes; never rename or reuse one). `test/errors/codes.test.ts` holds this
 * list and the table in docs/errors.md equal, and produces every code from a real failure.
 */
export const ERROR_CODES = {
  // The command line and the options, from the CLI or the API alike.
  USAGE:
    'the command line cannot be read: an unknown option or command, a missing operand or value, an option given twice or without its partner',
  OPTION_INVALID:
    'an option has a value nabla refuses: a wrong type, form or range (--mem, a block size, a MAC, --user, --timeout, a key RunOptions lacks)',
  ARGV_UNREADABLE:
    'the argument bytes cannot be read from /proc/self/cmdline and an argument is not valid UTF-8',
  // The unikernel file (docs/elf-validation.md).
  KERNEL_OPEN: 'KERNEL cannot be opened, or is not a regular file',
  ELF_INVALID:
    'KERNEL fails a check of its ELF header, program headers or segments (also: it does not fit the memory size)',
  ABI_MISMATCH:
    'KERNEL is not a Solo5 spt unikernel of ABI version 2: no ABI note, another target or another version',
  MANIFEST_INVALID: "KERNEL's Solo5 manifest note is missing or invalid",
  // Devices: what is attached against what the manifest declares.
  DEVICE_UNDECLARED: 'a device is attached that the manifest does not declare (with that type)',
  DEVICE_DUPLICATE: 'a device is attached more than once',
  DEVICE_NOT_ATTACHED: 'a device the manifest declares is not attached',
  BLOCK_OPEN: "a block device's backing file cannot be opened, or is not a regular file",
  BLOCK_SIZE:
    "a block device's backing file is not a whole number of blocks, or smaller than one block",
  NET_ATTACH:
    'a network interface cannot be attached: no such tap, no permission, a bad name, an MTU the manifest cannot hold',
  NET_NOT_TAP:
    'a descriptor given as @FD is not a tap carrying bare Ethernet frames (or is not open)',
  // The launch: the guest's command line, its user, the tender.
  CMDLINE_TOO_LONG: "the guest's command line (ARGS joined with spaces) is over 8191 bytes",
  USER_UNKNOWN: 'the user or group --user names is not in the user or group database',
  USER_LOOKUP_FAILED: 'looking up the user or group --user names failed (the C library said why)',
  USER_NOT_PERMITTED: '--user names another user, which only root can switch to',
  CGROUP:
    'a control group cannot be used: not a cgroup directory, a file of it not writable or readable, no v1 memory, cpu or pids hierarchy',
  TENDER_FAILED:
    'the tender is not built or not executable, executing it failed, or the start engine could not start the guest',
  // nabla build.
  BUILD_INPUT:
    'the sources or output of a build are not usable: none found, missing, or a directory where a file is needed',
  BUILD_MANIFEST: 'a manifest.json cannot be read, is not JSON, or breaks a rule of its schema',
  BUILD_NO_COMPILER: 'the C compiler ($CC, else gcc) is not installed',
  BUILD_FAILED: 'the C compiler failed; its own messages come first',
  // nabla fs build.
  FS_INPUT:
    'the directory or the image of `nabla fs build` is not usable: DIR missing or not a directory, IMAGE a directory or inside DIR',
  FS_ENTRY:
    'a file under DIR cannot go into the image: a link, device, FIFO or socket, a name too long or not ASCII, too large, or unreadable',
  // nabla-oci and nabla image build (docs/oci.md).
  OCI: "a nabla-oci command failed: the bundle's config.json cannot be used, the container does not exist or is in the wrong state, or the operation has no meaning for a unikernel (exec, checkpoint, update)",
  IMAGE_INPUT:
    'the unikernel or the output of `nabla image build` is not usable, or the tag is malformed',
  // nabla audit.
  AUDIT_MISMATCH: 'the compiled filter and the policy table disagree (the report is still written)',
  AUDIT_UNPROVABLE: 'the filter holds an instruction or a path the proof cannot follow',
  AUDIT_OBSERVE_FAILED: 'the syscall recorder (syscall-trace) is missing, or failed to record',
  AUDIT_HOSTED:
    'the hosted build cannot be run: no such executable, or an argument that is not UTF-8',
  // nabla bench.
  BENCH_INTERRUPTED:
    'a benchmark run was stopped by SIGINT or SIGTERM (status 130 or 143); its processes were killed',
  BENCH_FAILED: 'one or more benchmark variants failed (the report is still written)',
  // nabla daemon and the commands that talk to it (docs/daemon.md).
  DAEMON_SOCKET:
    'the daemon cannot listen on its socket: no default path, a directory it cannot make, a file that is not a socket, or another daemon listening there',
  DAEMON_STATE:
    'the daemon cannot use its state directory: it cannot be made, the database cannot be opened, or another daemon holds it',
  DAEMON_UNREACHABLE:
    'no daemon is listening on the socket a client command names (or the default)',
  DAEMON_FORBIDDEN:
    "the daemon refused a client: its uid is not root's, not the daemon's, and it is not in the daemon's --group",
  REQUEST_INVALID:
    'a request to the daemon breaks the API schema: a missing, unknown or malformed field of the body or the query (the message names it)',
  ROUTE_UNKNOWN: 'no route of the daemon API has that method and path',
  INSTANCE_NOT_FOUND: 'the daemon has no instance of that name',
  INSTANCE_EXISTS: 'the daemon has an instance of that name already',
  INSTANCE_STATE:
    'the instance is in the wrong state for the request: running when it must not be (remove without force, start)',
  // Not the user's input.
  INTERNAL: 'a failure nabla did not expect (a bug): printed as "internal error: ..."',
} as const;

/** A stable code of nabla's own. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The errno name of a failed host call (`ENOENT`): the code of a NativeError, as Node's own
 * system errors carry it. No code of nabla's looks like one (a test holds that).
 */
export type ErrnoName = `E${string}`;

/** Every code an error can carry: one of nabla's, or the errno name of a failed host call. */
export type NablaErrorCode = ErrorCode | ErrnoName;

/** True for an errno name (E and capitals or digits, as `ENOENT`, `EUNKNOWN`). */
export function isErrnoName(code: string): code is ErrnoName {
  return /^E[A-Z0-9]+$/.test(code);
}

/**
 * Failures that are no fault of the input: a bug, or a host call failing where nabla expects
 * none. The CLI prints them as `internal error: ...` (and their stack under NABLA_DEBUG).
 */
export function isInternalCode(code: string): boolean {
  return code === 'INTERNAL' || isErrnoName(code);
}
