// derive-docker-default.mjs: derives docker-default-x86_64.json from moby's profiles/seccomp/default.json.
// Usage (after npm run build): node data/derive-docker-default.mjs PATH/TO/default.json > data/docker-default-x86_64.json
import { readFileSync } from 'node:fs';
import { syscallTable } from '../dist/native/index.js';

const SOURCE = {
  repository: 'moby/moby',
  path: 'profiles/seccomp/default.json',
  commit: '00f3d189e420d485e42d15fe494f96d272284e0e',
  license: 'Apache-2.0',
};
// The capabilities a container gets without --cap-add (moby's oci/caps/defaults.go): an
// entry that needs any other capability is not in force for a default `docker run`.
const DEFAULT_CAPS = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];
// Docker's name for x86_64 in includes/excludes.arches.
const ARCH = 'amd64';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
// The x86_64 syscalls the libseccomp linked into the addon knows: name -> number.
const numbers = new Map(syscallTable().map(([nr, name]) => [name, nr]));

/** Whether an entry is in force for a default container on x86_64 (any minKernel is met). */
function applies(entry) {
  const inc = entry.includes ?? {};
  const exc = entry.excludes ?? {};
  if (inc.arches && !inc.arches.includes(ARCH)) return false;
  if (inc.caps && !inc.caps.every((c) => DEFAULT_CAPS.includes(c))) return false;
  if (exc.arches?.includes(ARCH)) return false;
  if (exc.caps?.some((c) => DEFAULT_CAPS.includes(c))) return false;
  return true;
}

const conditions = new Map();
const unconditional = new Set();
for (const entry of profile.syscalls) {
  if (entry.action !== 'SCMP_ACT_ALLOW' || !applies(entry)) continue;
  for (const name of entry.names) {
    if (!entry.args || entry.args.length === 0) {
      unconditional.add(name);
      continue;
    }
    const text = entry.args
      .map((a) => `arg${a.index} ${a.op.replace('SCMP_CMP_', '').toLowerCase()} ${a.value}`)
      .join(' && ');
    conditions.set(name, [...(conditions.get(name) ?? []), text]);
  }
}

const named = [...new Set([...unconditional, ...conditions.keys()])];
const allowed = named
  .filter((name) => numbers.has(name))
  .map((name) => ({
    name,
    nr: numbers.get(name),
    ...(unconditional.has(name) ? {} : { when: conditions.get(name).join(' || ') }),
  }))
  .sort((a, b) => a.nr - b.nr);
const notX86_64 = named.filter((name) => !numbers.has(name)).sort();

const out = {
  description:
    "The system calls Docker's default seccomp profile allows on x86_64 for a container with Docker's default capabilities.",
  source: SOURCE,
  derivation: [
    'Entries with action SCMP_ACT_ALLOW whose includes/excludes hold for arch amd64, the default capability set below and a kernel newer than any minKernel.',
    'Names kept when libseccomp (2.5.4, through the addon) resolves them on x86_64; names of other architectures are listed under notX86_64.',
    '"when" gives the argument conditions of a name allowed only conditionally.',
  ],
  capabilities: DEFAULT_CAPS,
  count: allowed.length,
  allowed,
  notX86_64,
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
