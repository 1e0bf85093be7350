// audit-html.test.ts: report.html in headless Chromium: self-contained, with its tables and a Vega chart with marks.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/audit/audit.js';
import { comparisonSpec } from '../../src/audit/chart.js';
import { formatReport } from '../../src/audit/output.js';
import type { AuditReport } from '../../src/audit/report.js';
import { example } from '../helpers/paths.js';
import { useScratch } from '../helpers/scratch.js';

/** Debian's chromium (scripts/setup.sh installs it); nothing here downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';

const scratch = useScratch();

describe('audit report html', () => {
  let browser: BrowserContext;
  let report: AuditReport;
  let profile: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} not found: run scripts/setup.sh (apt package chromium)`);
    profile = mkdtempSync(join(tmpdir(), 'nabla-chromium-'));
    // A fresh profile (--user-data-dir, which Playwright sets from its first argument).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // The machine has no network: keep Chromium from trying to reach one.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    report = await audit({ kernel: example('hello') });
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders the tables and the comparison chart (an inline <svg> with marks) from one file', async () => {
    const path = join(scratch.dir, 'report.html');
    writeFileSync(path, await formatReport(report, 'html'));
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    try {
      await page.goto(pathToFileURL(path).href);
      expect(await page.title()).toBe('Syscall-surface audit: hello.nabla');
      expect(await page.locator('#verdict').textContent()).toMatch(/^PASS/);
      const allowRows = await page.locator('#allowlist tbody tr').allTextContents();
      expect(allowRows).toHaveLength(7);
      expect(allowRows.some((row) => row.includes('exit_group'))).toBe(true);
      const rows = await page.locator('#comparison tbody tr').allTextContents();
      // unikernel, upstream, Docker's profile, gVisor, crun with Docker's profile, hosted.
      expect(rows).toHaveLength(6);
      expect(rows[2]).toContain('298');
      expect(rows[4]).toContain('298');
      // The chart: Vega's SVG with one bar per known count, and their labels.
      const svg = page.locator('#chart svg');
      expect(await svg.count()).toBe(1);
      expect(await svg.getAttribute('class')).toBe('marks');
      const bars = page.locator('#chart svg g.mark-rect path');
      const known = report.comparison.rows.flatMap((r) => [
        r.allowed,
        r.argumentFiltered,
        r.observed,
      ]);
      expect(await bars.count()).toBe(known.filter((n) => n !== null).length);
      const box = await svg.boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(await page.locator('#chart svg g.mark-text text').allTextContents()).toContain('298');
      expect(await page.locator('#footprint').textContent()).toMatch(/^(unavailable|measured|\d)/);
      // Self-contained: the page fetched nothing but itself.
      expect(requests).toEqual([pathToFileURL(path).href]);
    } finally {
      await page.close();
    }
  });

  it('draws one bar per known count in the Vega-Lite specification', () => {
    const spec = comparisonSpec(report.comparison.rows) as { data: { values: unknown[] } };
    const known = report.comparison.rows.flatMap((r) => [
      r.allowed,
      r.argumentFiltered,
      r.observed,
    ]);
    expect(spec.data.values).toHaveLength(known.filter((n) => n !== null).length);
  });
});
