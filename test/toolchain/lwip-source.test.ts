// lwip-source.test.ts: the lwIP tree scripts/fetch-lwip.sh left in build/lwip is Debian's lwip 2.1.3 source package, its files matching the .dsc's checksums.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LWIP_DIR, LWIP_VERSION, packagePath } from '../../src/package/paths.js';

const DOWNLOAD = packagePath('build/lwip/download');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The .dsc's Checksums-Sha256 lines: [sha256, size, name]. */
function dscChecksums(text: string): Array<[string, number, string]> {
  const block = /^Checksums-Sha256:\n((?: .*\n)+)/m.exec(text)?.[1] ?? '';
  return block
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .map(([sum, size, name]) => [sum ?? '', Number(size), name ?? '']);
}

describe('lwip source (scripts/fetch-lwip.sh)', () => {
  const dscs = readdirSync(DOWNLOAD).filter((n) => n.endsWith('.dsc'));

  it('one .dsc, for the pinned upstream version', () => {
    expect(dscs).toHaveLength(1);
    const text = readFileSync(join(DOWNLOAD, dscs[0] as string), 'utf8');
    expect(text).toMatch(/^Source: lwip$/m);
    expect(text).toMatch(new RegExp(`^Version: ${LWIP_VERSION.replaceAll('.', '\\.')}[+-]`, 'm'));
    // Signed by its uploader (the signature is not checked here: see fetch-lwip.sh).
    expect(text).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----$/m);
  });

  it("every file the .dsc lists is there with the .dsc's size and sha256", () => {
    const text = readFileSync(join(DOWNLOAD, dscs[0] as string), 'utf8');
    const listed = dscChecksums(text);
    expect(listed.map(([, , name]) => name).sort()).toEqual([
      expect.stringMatching(/\.debian\.tar\.xz$/),
      expect.stringMatching(/\.orig\.tar\.xz$/),
    ]);
    for (const [sum, size, name] of listed) {
      const file = join(DOWNLOAD, name);
      expect(statSync(file).size, name).toBe(size);
      expect(sha256(file), name).toBe(sum);
    }
  });

  it("the unpacked tree is that version, and the sources the SDK compiles are the orig tarball's", () => {
    const init = readFileSync(join(LWIP_DIR, 'src/include/lwip/init.h'), 'utf8');
    const [major, minor, revision] = LWIP_VERSION.split('.');
    expect(init).toMatch(new RegExp(`#define LWIP_VERSION_MAJOR\\s+${major}\\b`));
    expect(init).toMatch(new RegExp(`#define LWIP_VERSION_MINOR\\s+${minor}\\b`));
    expect(init).toMatch(new RegExp(`#define LWIP_VERSION_REVISION\\s+${revision}\\b`));
    expect(init).toMatch(/#define LWIP_VERSION_RC\s+LWIP_RC_RELEASE\b/);
    const text = readFileSync(join(DOWNLOAD, dscs[0] as string), 'utf8');
    expect(readFileSync(join(LWIP_DIR, '.nabla-verified'), 'utf8')).toBe(
      `${/^Version: (.*)$/m.exec(text)?.[1]} ${sha256(join(DOWNLOAD, dscs[0] as string))}\n`,
    );
    // Debian's patches touch the sockets API, PPP and its unix port, none of these files.
    const orig = readdirSync(DOWNLOAD).find((n) => n.endsWith('.orig.tar.xz')) as string;
    for (const file of ['src/core/tcp.c', 'src/core/tcp_in.c', 'src/core/ipv4/etharp.c']) {
      const packed = execFileSync('tar', [
        '-xOJf',
        join(DOWNLOAD, orig),
        `lwip-${LWIP_VERSION}/${file}`,
      ]);
      expect(readFileSync(join(LWIP_DIR, file)).equals(packed), file).toBe(true);
    }
  });
});
