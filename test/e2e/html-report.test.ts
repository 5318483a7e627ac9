/**
 * The HTML drill report in a real browser: headless Chromium (from npm, see support/chromium.ts) opens the file from disk, with the network
 * closed, and the page must render without errors, without any request, and with every chart drawn.
 * `UPDATE_SCREENSHOT=1` also saves the first screen to docs/drill-report.png (for the README); CI leaves it alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderHtmlReport } from '../../local/drill/view/html-report';
import { sampleReport, sampleSummary } from '../unit/drill-view/sample-report';
import { CHROMIUM_ARGS, chromiumExecutable } from './support/chromium';

const SCREENSHOT = resolve(__dirname, '../../docs/drill-report.png');
const VIEWPORT = { width: 1280, height: 900 };

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
  dir = mkdtempSync(join(tmpdir(), 'spot-on-report-'));
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens an HTML string from a file:// URL and collects every page error, console error and non-file request. */
async function open(name: string, html: string): Promise<{ page: Page; problems: string[] }> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const page = await browser.newPage({ viewport: VIEWPORT });
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('request', (request) => {
    if (!request.url().startsWith('file://')) problems.push(`request: ${request.url()}`);
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems };
}

describe('HTML drill report in Chromium', () => {
  it('renders two scenarios with all charts drawn, no errors, no requests, and fits 1280 px', async () => {
    const summary = sampleSummary();
    const { page, problems } = await open('report.html', renderHtmlReport(summary, { generatedAt: '2026-05-14T09:31:12Z' }));
    try {
      const layout = await page.evaluate(() => ({
        sections: [...document.querySelectorAll('section.scenario')].map((s) => s.getAttribute('data-scenario')),
        charts: [...document.querySelectorAll('svg.chart')].map((svg) => {
          const box = svg.getBoundingClientRect();
          return { id: svg.id, width: box.width, height: box.height, titled: svg.querySelector(':scope > title')?.textContent !== '', points: svg.querySelectorAll('circle.point').length };
        }),
        scrollWidth: document.documentElement.scrollWidth,
        overflowingTables: [...document.querySelectorAll('.table-scroll')].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.closest('section')?.id),
        scripts: document.scripts.length,
      }));
      expect(layout.sections).toStrictEqual(['spot-interruption', 'aws-outage']);
      expect(layout.charts.map((c) => c.id)).toStrictEqual([
        'scenario-spot-interruption-loss',
        'scenario-spot-interruption-accuracy',
        'scenario-spot-interruption-placement',
        'scenario-spot-interruption-trace-1',
        'scenario-aws-outage-loss',
        'scenario-aws-outage-accuracy',
        'scenario-aws-outage-placement',
        'scenario-aws-outage-trace-1',
      ]);
      for (const chart of layout.charts) {
        expect(chart.width).toBeGreaterThan(400);
        expect(chart.height).toBeGreaterThan(100);
        expect(chart.titled).toBe(true);
      }
      expect(layout.charts.map((c) => c.points)).toStrictEqual([10, 10, 0, 0, 10, 10, 0, 0]);
      expect(layout.scrollWidth).toBeLessThanOrEqual(VIEWPORT.width);
      expect(layout.overflowingTables).toStrictEqual([]);
      expect(layout.scripts).toBe(0);
      expect(problems).toStrictEqual([]);
      if (process.env.UPDATE_SCREENSHOT === '1') await page.screenshot({ path: SCREENSHOT });
    } finally {
      await page.close();
    }
  });

  it('draws each incident waterfall with a visible bar per step span, inside the page', async () => {
    const summary = sampleSummary();
    const { page, problems } = await open('waterfall.html', renderHtmlReport(summary));
    try {
      const waterfalls = await page.evaluate(() =>
        [...document.querySelectorAll('svg.chart.waterfall')].map((svg) => {
          const section = svg.closest('section')?.getBoundingClientRect();
          const boxes = [...svg.querySelectorAll('rect.bar, text')].map((el) => el.getBoundingClientRect());
          return {
            scenario: svg.closest('section')?.getAttribute('data-scenario'),
            steps: [...svg.querySelectorAll('g.step-row')].map((g) => g.getAttribute('data-step')),
            barWidths: [...svg.querySelectorAll('rect.bar')].map((bar) => bar.getBoundingClientRect().width),
            slowest: [...svg.querySelectorAll('g.step-row.slowest')].map((g) => g.getAttribute('data-step')),
            slowestBold: Number(getComputedStyle(svg.querySelector('g.step-row.slowest .row-label') ?? svg).fontWeight),
            plainBold: Number(getComputedStyle(svg.querySelector('g.step-row:not(.slowest) .row-label') ?? svg).fontWeight),
            outside: boxes.filter((b) => b.left < (section?.left ?? 0) - 1 || b.right > Math.min(section?.right ?? 0, window.innerWidth) + 1).length,
            missing: svg.closest('figure')?.querySelector('.missing-steps')?.textContent ?? null,
          };
        }),
      );
      const stepSpans = (i: number) => (summary.scenarios[i]?.traces[0]?.spans ?? []).filter((s) => s.step !== undefined).length;
      expect(waterfalls.map((w) => [w.scenario, w.steps.length])).toStrictEqual([
        ['spot-interruption', stepSpans(0)],
        ['aws-outage', stepSpans(1)],
      ]);
      expect(waterfalls[0]?.steps).toStrictEqual(['warning', 'flush-durable', 'signal-delivered', 'pool-scaled', 'trainers-ready', 'first-azure-round', 'failback']);
      for (const w of waterfalls) {
        expect(w.barWidths).toHaveLength(w.steps.length);
        for (const width of w.barWidths) expect(width).toBeGreaterThanOrEqual(2); // the 45 ms signal too
        expect(w.slowest).toStrictEqual(['pool-scaled']);
        expect(w.slowestBold).toBeGreaterThan(w.plainBold);
        expect(w.outside).toBe(0);
      }
      expect(waterfalls.map((w) => w.missing)).toStrictEqual([null, 'No warning or flush-durable in this trace.']);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(VIEWPORT.width);
      expect(problems).toStrictEqual([]);
    } finally {
      await page.close();
    }
  });

  it('keeps hostile report text as text: no script element, nothing runs', async () => {
    const sample = sampleReport({ incidentDetail: '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">' });
    // Span names are whatever a component exported.
    const hostile = { ...sample, traces: sample.traces.map((t) => ({ ...t, spans: t.spans.map((s) => ({ ...s, name: '<script>document.title="pwned"</script>' })) })) };
    const { page, problems } = await open('hostile.html', renderHtmlReport({ scenarios: [hostile] }));
    try {
      const result = await page.evaluate(() => ({
        title: document.title,
        scripts: document.querySelectorAll('script').length,
        images: document.querySelectorAll('img').length,
        detail: [...document.querySelectorAll('tr.is-marker td')].map((td) => td.textContent ?? '').find((t) => t.includes('script')),
        span: document.querySelector('svg.waterfall g.step-row > title')?.textContent,
      }));
      expect(result).toStrictEqual({
        title: 'Spot-On failover drill',
        scripts: 0,
        images: 0,
        detail: '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">',
        span: expect.stringContaining('warning: <script>document.title="pwned"</script> on lambda'),
      });
      expect(problems).toStrictEqual([]);
    } finally {
      await page.close();
    }
  });
});
