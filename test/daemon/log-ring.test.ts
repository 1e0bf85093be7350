// log-ring.test.ts: an instance's console ring alone: lines split from chunks as they come, the line and byte bounds, numbering across a restart, followers.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LINE_MAX, LogRing, RING_BYTES, RING_LINES } from '../../src/daemon/log-ring.js';

describe('LogRing', () => {
  it('splits chunks into lines wherever they break, and keeps a last line without a newline', async () => {
    const ring = new LogRing();
    const out = new PassThrough();
    const err = new PassThrough();
    ring.attach(out);
    ring.attach(err);
    const closed = Promise.all([out, err].map((s) => new Promise((r) => s.once('close', r))));
    out.write('hel');
    out.write('lo\r\nwor');
    err.write('oops\n');
    out.write('ld\nlast');
    out.end();
    err.end();
    await closed;
    expect(ring.tail()).toEqual(['hello', 'oops', 'world', 'last']);
    expect(ring.tail(2)).toEqual(['world', 'last']);
  });

  it(`keeps at most ${RING_LINES} lines and ${RING_BYTES} bytes, numbering every line`, () => {
    const ring = new LogRing();
    for (let i = 1; i <= RING_LINES + 10; i++) ring.push(`line ${i}`);
    expect(ring.tail()).toHaveLength(RING_LINES);
    expect(ring.tail(1)).toEqual([`line ${RING_LINES + 10}`]);
    expect(ring.firstSeq).toBe(11);
    expect(ring.lastSeq).toBe(RING_LINES + 10);
    const big = new LogRing();
    for (let i = 0; i < 100; i++) big.push('x'.repeat(10_000));
    expect(big.tail().length).toBe(Math.floor(RING_BYTES / 10_001));
  });

  it('cuts a line longer than LINE_MAX', async () => {
    const ring = new LogRing();
    const s = new PassThrough();
    ring.attach(s);
    const closed = new Promise((r) => s.once('close', r));
    s.end('y'.repeat(LINE_MAX + 5));
    await closed;
    expect(ring.tail().map((l) => l.length)).toEqual([LINE_MAX, 5]);
  });

  it('goes on from the lines a previous daemon recorded', () => {
    const ring = new LogRing(['a', 'b'], 41);
    const seen: number[] = [];
    ring.onLine = (l) => seen.push(l.seq);
    ring.push('c');
    expect(ring.tail()).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([42]);
    expect(ring.firstSeq).toBe(40);
  });

  it('hands new lines to followers until they leave, and ends them when it closes', () => {
    const ring = new LogRing();
    const got: string[] = [];
    let ended = 0;
    const leave = ring.follow(
      (l) => got.push(l),
      () => ended++,
    );
    ring.follow(
      () => {},
      () => ended++,
    );
    ring.push('one');
    leave();
    ring.push('two');
    expect(got).toEqual(['one']);
    ring.close();
    expect(ended).toBe(1);
    expect(ring.followers).toBe(0);
  });
});
