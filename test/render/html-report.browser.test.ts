/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by
 * playwright-core with the system executable (nothing downloads a browser).
 * It loads the GenomeWell report from disk, and the test checks what an
 * auditor would notice: no console errors, no request leaving the file, every
 * internal link lands somewhere, one diagram node per component and one arrow
 * per flow. A full-page screenshot is kept in build/test-artifacts/.
 *
 * Without Chromium the test skips with the reason, unless CI is set: in CI a
 * missing browser is a failure (`.ci/run` installs the `chromium` package).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintModelText } from '../../src/model/lint/index.ts';
import { loadLayoutEngine } from '../../src/render/diagram-svg.ts';
import { renderHtmlReport } from '../../src/render/html-report.ts';

// The callbacks given to page.evaluate run in the page; the project compiles without the DOM library.
declare const document: any, location: any, window: any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  console.warn(`html-report.browser.test: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium; in CI a missing browser fails)`);
}

const ARTIFACTS = resolve('build/test-artifacts');
const MODEL_FILE = 'examples/genomewell/threat-model.yml';

describe.skipIf(!haveChromium && !process.env.CI)('HTML report in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const requests: string[] = [];
  let profile: string;
  let reportPath: string;
  let componentCount: number;
  let flowCount: number;

  beforeAll(async () => {
    const { model, findings } = lintModelText(readFileSync(MODEL_FILE, 'utf8'), MODEL_FILE, { today: '2026-12-01' });
    if (!model) throw new Error('the GenomeWell model does not load');
    componentCount = model.components.length;
    flowCount = model.flows.length;
    const html = renderHtmlReport({ model, findings, file: MODEL_FILE, viz: await loadLayoutEngine(), generatedAt: '2026-12-01', toolVersion: 'test' });
    mkdirSync(ARTIFACTS, { recursive: true });
    reportPath = join(ARTIFACTS, 'genomewell-report.html');
    writeFileSync(reportPath, html);

    profile = mkdtempSync(join(tmpdir(), 'threatloop-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // This machine (and CI) has no network: nothing may try to reach it.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 1000 },
    });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(reportPath).href, { waitUntil: 'load' });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads from disk with no console error and no request outside the file', async () => {
    expect(problems).toEqual([]);
    expect(requests.filter((url) => url !== pathToFileURL(reportPath).href)).toEqual([]);
    expect(await page.title()).toBe('Threat model: GenomeWell');
  });

  it('resolves every internal link, in the tables and in the diagram', async () => {
    const links = await page.evaluate(() => {
      const hrefs = [
        ...[...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href')!),
        // Graphviz writes SVG links as xlink:href.
        ...[...document.querySelectorAll('svg a')].map((a) => a.getAttribute('href') ?? a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') ?? ''),
      ];
      return hrefs.map((href) => ({ href, found: href.startsWith('#') && document.getElementById(decodeURIComponent(href.slice(1))) !== null }));
    });
    expect(links.length).toBeGreaterThan(300);
    expect(links.filter((l) => !l.found)).toEqual([]);
    // Threat ids, components and flows are all reachable from the tables.
    const hrefs = new Set(links.map((l) => l.href));
    for (const anchor of ['#threat-22', '#component-s3', '#flow-logic-s3', '#boundary-cloud-core']) expect(hrefs).toContain(anchor);

    // Clicking a diagram node jumps to the component's row.
    await page.click('svg #diagram-component-s3 a');
    expect(await page.evaluate(() => location.hash)).toBe('#component-s3');
  });

  it('draws one diagram node per component and one arrow per flow, boundaries as clusters', async () => {
    const counts = await page.evaluate(() => ({
      svgs: document.querySelectorAll('#diagram svg').length,
      nodes: document.querySelectorAll('#diagram svg g.node').length,
      edges: document.querySelectorAll('#diagram svg g.edge').length,
      clusters: document.querySelectorAll('#diagram svg g.cluster').length,
      greyed: document.querySelectorAll('#diagram svg g.node.dfd-out-of-scope').length,
      stores: document.querySelectorAll('#diagram svg g.node.dfd-data-store').length,
      width: document.querySelector('#diagram svg')!.getBoundingClientRect().width,
    }));
    expect(counts).toMatchObject({ svgs: 1, nodes: componentCount, edges: flowCount, clusters: 5, greyed: 2, stores: 3 });
    expect(counts.width).toBeGreaterThan(600);
  }, 60_000);

  it('keeps screenshots of the report and its diagram, and prints to PDF', async () => {
    // The first screen (a full-page shot of 53 threats is 6 MB and slow), then the diagram alone.
    await page.evaluate(() => window.scrollTo(0, 0));
    const screenshot = join(ARTIFACTS, 'genomewell-report.png');
    await page.screenshot({ path: screenshot });
    expect(statSync(screenshot).size).toBeGreaterThan(50_000);
    await page.locator('#diagram').screenshot({ path: join(ARTIFACTS, 'genomewell-diagram.png') });
    const pdf = await page.pdf({ format: 'A4', landscape: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    writeFileSync(join(ARTIFACTS, 'genomewell-report.pdf'), pdf);
    // Printing must not leave the console with errors either.
    expect(problems).toEqual([]);
  }, 120_000);
});
