// http-site.ts: a site directory for examples/http (every content type, a nested index, a space in a name, a 10 MiB random file) and its image made by `nabla fs build`.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { example, hosted, NABLA } from './paths.js';
import type { StressTarget } from './tcp-stress.js';

export interface Site {
  dir: string;
  image: string;
  /** Each file's name in the image and its bytes. */
  files: Map<string, Buffer>;
}

/** The Content-Type examples/http must give each small file (parse.c's table). */
export const CONTENT_TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'css/site.css': 'text/css; charset=utf-8',
  'js/app.js': 'text/javascript; charset=utf-8',
  'data.json': 'application/json',
  'notes.txt': 'text/plain; charset=utf-8',
  'img/logo.png': 'image/png',
  'img/photo.jpg': 'image/jpeg',
  'img/anim.gif': 'image/gif',
  'img/icon.svg': 'image/svg+xml',
  'favicon.ico': 'image/vnd.microsoft.icon',
  'app.wasm': 'application/wasm',
  'font.woff2': 'font/woff2',
  'doc.pdf': 'application/pdf',
  'SHOUT.PNG': 'image/png',
  blob: 'application/octet-stream',
  'docs/index.html': 'text/html; charset=utf-8',
  'a file.txt': 'text/plain; charset=utf-8',
};

export const BIG = 'big.bin';
export const BIG_SIZE = 10 << 20;

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Writes the site under `root`/site and builds `root`/site.img from it with the CLI. */
export function makeSite(root: string, withBig = true): Site {
  const dir = join(root, 'site');
  const files = new Map<string, Buffer>();
  for (const name of Object.keys(CONTENT_TYPES)) {
    // Distinct bytes per file, so a response for the wrong file is seen.
    files.set(
      name,
      Buffer.from(`${name}\n${randomBytes(200 + name.length * 13).toString('hex')}\n`),
    );
  }
  if (withBig) files.set(BIG, randomBytes(BIG_SIZE));
  for (const [name, bytes] of files) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  const image = join(root, 'site.img');
  execFileSync(process.execPath, [NABLA, 'fs', 'build', dir, '-o', image], { stdio: 'pipe' });
  return { dir, image, files };
}

/*
 * examples/http as a stress target (tcp-stress.ts): every connection asks for one small file
 * with "Connection: close", so the server answers, then closes first (its side of each
 * connection waits in TIME_WAIT), and the harness's "prefix, then the server's FIN" form checks
 * each answer's status line (net-http.test.ts checks the bytes).
 */
export function httpStressTarget(image: string, kind: 'spt' | 'hosted' = 'spt'): StressTarget {
  return {
    kind,
    image: kind === 'spt' ? example('http') : hosted('http'),
    runOptions: [`--block:storage=${image}`],
    args: ['--port=8080'],
    port: 8080,
    ready: 'http: serving',
    proto: {
      kind: 'fixed',
      request: 'GET /index.html HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n',
      prefix: 'HTTP/1.1 200 OK\r\n',
      heavy: 'GET /big.bin HTTP/1.1\r\nHost: guest\r\n\r\n',
    },
  };
}
