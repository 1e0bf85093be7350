// driver.mjs: runs a SummonFront for examples/http with a TapPool tap, inside the test's namespace; prints one JSON line per event.
/*
 * argv[2] is the root of the built package, argv[3] a JSON config:
 *   { listen, idleSeconds, readyTimeoutMs?, kernel, image? (none: tcp-echo, no block device),
 *     port, startDelayMs? (start() waits this long first: a slow boot),
 *     plan?: ('bad-arg' | 'missing-kernel' | 'wrong-port' | 'ok')[] }  one per start(), then 'ok'.
 * Lines: {"event":"listening","port":N,"tap":...}, then the front's events with their data,
 * {"event":"guest","pid":N} once a guest is ready, {"event":"stopped","pid":N} after stop().
 * SIGTERM closes the front and removes the tap, then prints {"event":"closed"} and exits 0.
 */
const [root, configText] = process.argv.slice(2);
const { run } = await import(`${root}dist/index.js`);
const { SummonFront, TapPool, withTap } = await import(`${root}dist/daemon/summon/index.js`);

const config = JSON.parse(configText);
const say = (event, data = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const pool = new TapPool({ pool: '10.213.0.0/24', prefix: 'nbltest' });
const lease = await pool.create('summon-test');
const plan = [...(config.plan ?? [])];
let guest;

async function start() {
  const step = plan.shift() ?? 'ok';
  const port = step === 'wrong-port' ? config.port + 1 : config.port;
  const args = [`--port=${port}`];
  if (step === 'bad-arg') args.push('--no-such-option');
  if (config.startDelayMs) await new Promise((resolve) => setTimeout(resolve, config.startDelayMs));
  const options = {
    kernel: step === 'missing-kernel' ? `${config.kernel}.missing` : config.kernel,
    args,
    block: config.image ? [{ name: 'storage', path: config.image }] : [],
    stdio: 'pipe',
  };
  guest = run(withTap(options, lease));
  // The exit and the guest's last line of its own (Solo5's lines are the tender's).
  const exited = guest.output().then((o) => {
    const own = o.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('Solo5:'));
    return `status ${o.status ?? o.signal}: ${own.pop() ?? ''}`;
  });
  return { address: lease.guest, port: config.port, exited };
}

async function stop() {
  const g = guest;
  guest = undefined;
  g.kill('SIGKILL');
  await g.exited;
  say('stopped', { pid: g.pid });
}

const front = new SummonFront({
  listen: config.listen,
  idleSeconds: config.idleSeconds,
  readyTimeoutMs: config.readyTimeoutMs,
  start,
  stop,
});
for (const event of ['summon', 'ready', 'idle-stop', 'failed', 'exited']) {
  front.on(event, (data) => {
    say(event, data);
    if (event === 'ready') say('guest', { pid: guest.pid });
  });
}
const bound = await front.listen();
say('listening', { port: bound.port, tap: lease.name, guest: lease.guest, mac: lease.mac });

process.once('SIGTERM', async () => {
  await front.close();
  await pool.remove(lease);
  say('closed');
  process.exit(0);
});
