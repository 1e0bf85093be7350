// net-http.test.ts: examples/http serves a `nabla fs build` image to curl and raw clients in a namespace: many files over one keep-alive connection, 10 MiB intact, HEAD, 404, 400, 405, 505, pipelining, HTTP/1.0, idle close; spt and hosted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIG, BIG_SIZE, CONTENT_TYPES, makeSite, type Site, sha256 } from '../helpers/http-site.js';
import { canUseNetns, type Netns, type NsProcess, useNetns } from '../helpers/netns.js';
import { example, hosted, ROOT } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

const RAW_CLIENT = join(ROOT, 'test', 'conformance', 'http', 'raw-client.py');
/** The guest's --idle-timeout, and the most the raw client waits for that close. */
const IDLE_SECONDS = 3;
const IDLE_LIMIT = 15;

const scratch = useScratch();
let site: Site;

beforeAll(() => {
  site = makeSite(scratch.dir);
}, 60_000);

/** A URL path for a name in the image: each segment percent-encoded ("a file.txt" -> "a%20file.txt"). */
const urlPath = (name: string) => `/${name.split('/').map(encodeURIComponent).join('/')}`;

async function curl(ns: Netns, args: string[]): Promise<string> {
  const r = await ns.run('curl', ['-sS', '--max-time', '60', ...args], 90_000);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** Every name of the site but the big file, and the paths that map to an index.html. */
function smallRequests(): { path: string; name: string }[] {
  const names = [...site.files.keys()].filter((n) => n !== BIG);
  return [
    ...names.map((name) => ({ path: urlPath(name), name })),
    { path: '/', name: 'index.html' },
    { path: '/docs/', name: 'docs/index.html' },
  ];
}

async function curlChecks(ns: Netns, host: string, tag: string): Promise<void> {
  // Every small file over one connection: curl reuses it for every URL of one command line,
  // and %{num_connects} says how many connections each transfer had to open.
  const requests = smallRequests();
  const out = join(scratch.dir, `${tag}-out`);
  const args = ['--write-out', '%{num_connects} %{http_code} %{content_type}\\n'];
  requests.forEach((r, i) => {
    args.push('-o', join(out, String(i)), `http://${host}${r.path}`);
  });
  const lines = (await curl(ns, ['--create-dirs', ...args])).trimEnd().split('\n');
  expect(lines).toEqual(requests.map((r, i) => `${i === 0 ? 1 : 0} 200 ${CONTENT_TYPES[r.name]}`));
  requests.forEach((r, i) => {
    expect(readFileSync(join(out, String(i))), r.path).toEqual(site.files.get(r.name));
  });

  // The 10 MiB file, streamed from the device as the client reads.
  const bigOut = join(out, 'big');
  expect(
    await curl(ns, ['-o', bigOut, '-w', '%{http_code} %{size_download}', `http://${host}/${BIG}`]),
  ).toBe(`200 ${BIG_SIZE}`);
  const big = site.files.get(BIG);
  if (big === undefined) throw new Error('no big file');
  expect(sha256(readFileSync(bigOut))).toBe(sha256(big));

  // HEAD: the GET's headers, no body.
  const head = await curl(ns, ['-I', '-w', '%{size_download}', `http://${host}/${BIG}`]);
  expect(head.split('\r\n')).toEqual([
    'HTTP/1.1 200 OK',
    'Content-Type: application/octet-stream',
    `Content-Length: ${BIG_SIZE}`,
    '',
    '0',
  ]);

  const code = (args: string[]) => curl(ns, ['-o', '/dev/null', '-w', '%{http_code}', ...args]);
  expect(await code([`http://${host}/missing.html`])).toBe('404');
  expect(await code([`http://${host}/docs/missing/`])).toBe('404');
  expect(await code(['--path-as-is', `http://${host}/docs/../index.html`])).toBe('400');
  expect(await code(['--path-as-is', `http://${host}/%2e%2e/index.html`])).toBe('400');
  const del = await curl(ns, ['-i', '-X', 'DELETE', `http://${host}/index.html`]);
  expect(del.split('\r\n').slice(0, 5)).toEqual([
    'HTTP/1.1 405 Method Not Allowed',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Length: 23',
    'Allow: GET, HEAD',
    'Connection: close',
  ]);
  // A directory without its slash is redirected to it.
  const redirect = await curl(ns, ['-L', '-w', ' %{num_redirects}', `http://${host}/docs`]);
  expect(redirect).toBe(`${site.files.get('docs/index.html')?.toString()} 1`);
}

const error = (status: string, extra: Record<string, string> = {}) => {
  const body = `${status.slice('HTTP/1.1 '.length)}\n`;
  return {
    status,
    body,
    'content-length': String(body.length),
    'content-type': 'text/plain; charset=utf-8',
    connection: 'close',
    after: '',
    ...extra,
  };
};
const BAD = error('HTTP/1.1 400 Bad Request');
const file = (name: string, extra: Record<string, string> = {}) => {
  const bytes = site.files.get(name) ?? Buffer.alloc(0);
  return {
    status: 'HTTP/1.1 200 OK',
    body: bytes.toString('latin1'),
    'content-length': String(bytes.length),
    'content-type': CONTENT_TYPES[name],
    ...extra,
  };
};

async function rawChecks(ns: Netns, host: string): Promise<void> {
  const r = await ns.run('python3', [RAW_CLIENT, host, String(IDLE_LIMIT)], 120_000);
  expect(r.status, r.stderr).toBe(0);
  const notFound = error('HTTP/1.1 404 Not Found');
  expect(JSON.parse(r.stdout)).toEqual({
    garbage: BAD,
    'no-version': BAD,
    'bad-version': BAD,
    'two-spaces': BAD,
    http2: error('HTTP/1.1 505 HTTP Version Not Supported'),
    http09: error('HTTP/1.1 505 HTTP Version Not Supported'),
    'no-host': BAD,
    'two-hosts': BAD,
    'no-colon': BAD,
    folded: BAD,
    'nul-in-header': BAD,
    'relative-target': BAD,
    'nul-in-path': BAD,
    'bad-escape': BAD,
    'short-escape': BAD,
    dotdot: BAD,
    'dotdot-inner': BAD,
    'dotdot-encoded': BAD,
    'dotdot-slash': BAD,
    'get-with-body': BAD,
    chunked: BAD,
    post: error('HTTP/1.1 405 Method Not Allowed', { allow: 'GET, HEAD' }),
    options: error('HTTP/1.1 405 Method Not Allowed', { allow: 'GET, HEAD' }),
    'huge-header': error('HTTP/1.1 431 Request Header Fields Too Large'),
    pipelined: {
      responses: [
        file('css/site.css'),
        {
          status: 'HTTP/1.1 200 OK',
          body: '',
          'content-length': String(BIG_SIZE),
          'content-type': 'application/octet-stream',
        },
        { ...notFound, connection: undefined, after: undefined },
        {
          ...error('HTTP/1.1 301 Moved Permanently'),
          connection: undefined,
          after: undefined,
          location: '/docs/',
        },
        { ...notFound, body: '', connection: undefined, after: undefined },
        file('notes.txt'),
        file('data.json', { connection: 'close' }),
      ].map((x) => JSON.parse(JSON.stringify(x))),
      after: '',
    },
    http10: {
      plain: { ...file('notes.txt', { connection: 'close' }), after: '' },
      kept: [
        file('notes.txt', { connection: 'keep-alive' }),
        file('data.json', { connection: 'close' }),
      ],
      after: '',
    },
    idle: { status: 'HTTP/1.1 200 OK', after: '', closed_in_time: true },
    flood: {
      big: sha256(site.files.get(BIG) ?? Buffer.alloc(0)),
      css: [site.files.get('css/site.css')?.toString('latin1')], // all 300 the same, the file
      css_count: 300,
      last: 'HTTP/1.1 200 OK',
      after: '',
    },
  });
}

/** Every check, then one more request: the guest still serves after all of them. */
async function exercise(ns: Netns, guest: NsProcess, host: string, tag: string): Promise<void> {
  // The image's entries: every file and every directory above one.
  const dirs = new Set(
    [...site.files.keys()].flatMap((n) =>
      n
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  const entries = site.files.size + dirs.size;
  await guest.waitFor(`http: serving ${entries} entries from storage on TCP port 80\n`);
  await curlChecks(ns, host, tag);
  await rawChecks(ns, host);
  expect(await curl(ns, [`http://${host}/notes.txt`])).toBe(
    site.files.get('notes.txt')?.toString(),
  );
}

describe.skipIf(!canUseNetns)('http conformance', () => {
  const netns = useNetns();

  it('http spt: curl and raw clients against the guest under the tender', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.9.1/24' });
    const guest = ns.nablaRun(
      [
        '--net:service=tap0',
        `--block:storage=${site.image}`,
        example('http'),
        '--ipv4=10.7.9.2/24',
        '--ipv4-gateway=10.7.9.1',
        `--idle-timeout=${IDLE_SECONDS}`,
      ],
      180_000,
    );
    await guest.waitFor('tcpip: 10.7.9.2/24 on service, mtu 1500\n');
    await exercise(ns, guest, '10.7.9.2', 'spt');
  }, 180_000);

  it('http hosted: the same app as a Linux process over the same kind of tap', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.10.1/24' });
    const guest = ns.spawn(
      hosted('http'),
      [
        '--net:service=tap0',
        `--block:storage=${site.image}`,
        '--',
        '--ipv4=10.7.10.2/24',
        `--idle-timeout=${IDLE_SECONDS}`,
      ],
      180_000,
    );
    await exercise(ns, guest, '10.7.10.2', 'hosted');
  }, 180_000);

  it.each([
    ['--port=0', "http: cannot use '--port=0'"],
    ['--port=65536', "http: cannot use '--port=65536'"],
    ['--idle-timeout=x', "http: cannot use '--idle-timeout=x'"],
    ['--verbose', "http: cannot use '--verbose'"],
  ])('http spt: %s is refused with one line, the usage, and status 1', async (arg, line) => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.11.1/24' });
    const exit = await ns.nablaRun([
      '--net:service=tap0',
      `--block:storage=${site.image}`,
      example('http'),
      arg,
    ]).exited;
    expect(exit.status).toBe(1); // the guest's SOLO5_EXIT_FAILURE
    const own = exit.stdout.split('\n').filter((l) => !l.startsWith('Solo5: '));
    expect(own).toEqual([
      line,
      'usage: http.nabla [--ipv4=ADDR/PREFIX] [--ipv4-gateway=ADDR] [--port=N] [--idle-timeout=SECONDS]',
      '',
    ]);
  });

  it('http spt: an image that is not ustar is refused with one line naming the device', async () => {
    const ns = netns();
    ns.addTap({ name: 'tap0', address: '10.7.12.1/24' });
    const junk = scratch.file('junk.img', Buffer.alloc(4096, 0x41));
    const exit = await ns.nablaRun([
      '--net:service=tap0',
      `--block:storage=${junk}`,
      example('http'),
    ]).exited;
    expect(exit.status).toBe(1); // the guest's SOLO5_EXIT_FAILURE
    const own = exit.stdout.split('\n').filter((l) => !l.startsWith('Solo5: '));
    expect(own).toEqual(['http: storage: header at offset 0: checksum field is not octal', '']);
  });
});
