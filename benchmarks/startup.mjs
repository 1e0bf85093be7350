// startup.mjs: wall time of `nabla-run hello` next to `node -e 0`, interleaved runs, medians and ratio.
import { spawnSync } from 'node:child_process';
import { example, NABLA_RUN } from '../dist/package/paths.js';

const runs = Number(process.argv[2] ?? 30);
const variants = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'nabla-run hello': [process.execPath, [NABLA_RUN, example('hello'), '--solo5:quiet']],
};

const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let i = 0; i < runs; i++) {
  for (const [name, [cmd, args]] of Object.entries(variants)) {
    const start = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${name} exited ${r.status}`);
    samples[name].push(ms);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(samples['node -e 0']);
console.log(`${runs} interleaved runs each`);
for (const [name, xs] of Object.entries(samples)) {
  console.log(
    `${name.padEnd(18)} median ${median(xs).toFixed(1)} ms  ratio ${(median(xs) / base).toFixed(2)}`,
  );
}
