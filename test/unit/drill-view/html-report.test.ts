/** The HTML report: one section per scenario, charts with a point per round, markers at the right rounds, escaping. */
import { renderHtmlReport } from '../../../local/drill/view/html-report';
import { roundPosition } from '../../../local/drill/view/markers';
import { allGroups, elementById, markersOf, pointXByRound } from './support';
import { sampleReport, sampleSummary } from './sample-report';

describe('renderHtmlReport', () => {
  const summary = sampleSummary();
  const html = renderHtmlReport(summary, { generatedAt: '2026-05-14T09:31:12Z' });

  it('is one complete document with a section per scenario, in order', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(allGroups(html, /<section class="card scenario" id="([^"]+)"/)).toStrictEqual(['scenario-spot-interruption', 'scenario-aws-outage']);
    expect(allGroups(html, /<h2 id="scenario-[^"]+-title">([^<]+)<\/h2>/)).toStrictEqual(['spot-interruption', 'aws-outage']);
    expect(html).toContain('2 scenarios · generated 2026-05-14 09:31 UTC');
  });

  it('is self-contained: no scripts, no external resources, and a CSP that forbids fetching', () => {
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\bsrc=/i);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`);
  });

  it('draws loss and accuracy with one point per committed round', () => {
    for (const report of summary.scenarios) {
      for (const chart of ['loss', 'accuracy']) {
        const svg = elementById(html, 'svg', `scenario-${report.scenario}-${chart}`);
        expect([...pointXByRound(svg).keys()]).toStrictEqual(report.roundsDetail.map((r) => r.round));
        expect(svg).toMatch(/^<svg class="chart line-chart" [^>]*role="img" aria-labelledby="[^"]+-title [^"]+-desc"/);
      }
    }
    const seven = renderHtmlReport({ scenarios: [sampleReport({ rounds: 7, incidentRound: 2, failbackRound: 6 })] });
    expect(pointXByRound(elementById(seven, 'svg', 'scenario-spot-interruption-loss')).size).toBe(7);
  });

  it('puts the markers between the rounds they happened in', () => {
    const report = summary.scenarios[0];
    if (!report) throw new Error('no sample');
    const svg = elementById(html, 'svg', 'scenario-spot-interruption-loss');
    const points = pointXByRound(svg);
    const between = (x: number, from: number, to: number) => x > (points.get(from) ?? NaN) && x < (points.get(to) ?? NaN);
    const markers = markersOf(svg);
    expect(markers.map((m) => m.event)).toStrictEqual(['spot-warning', 'failover-started', 'azure-active', 'failback-started', 'aws-primary']);
    const byEvent = new Map(markers.map((m) => [m.event, m]));
    // The warning comes during round 3, the failback during round 8 (sample-report.ts).
    expect(between(byEvent.get('spot-warning')?.x ?? NaN, 2, 3)).toBe(true);
    expect(between(byEvent.get('failback-started')?.x ?? NaN, 7, 8)).toBe(true);
    for (const m of markers) {
      const t = report.timeline.find((e) => e.event === m.event)?.t ?? NaN;
      expect(m.position).toBeCloseTo(roundPosition(t, report.roundsDetail), 2);
    }
    // The placement chart marks the same events by time.
    expect(allGroups(elementById(html, 'svg', 'scenario-spot-interruption-placement'), /<g class="marker" data-kind="\w+" data-event="([^"]+)"/)).toStrictEqual(markers.map((m) => m.event));
  });

  it('draws one placement row per trainer and a bar per interval, coloured by cloud and ended by its glyph', () => {
    const svg = elementById(html, 'svg', 'scenario-aws-outage-placement');
    expect(allGroups(svg, /<g class="trainer-row" data-client="([^"]+)"/)).toStrictEqual(['trainer-0', 'trainer-1', 'trainer-2']);
    expect(allGroups(svg, /<g class="interval" data-cloud="(\w+)"/)).toStrictEqual(['aws', 'azure', 'aws', 'aws', 'azure', 'aws', 'aws', 'azure', 'aws']);
    expect(allGroups(svg, /class="end end-([\w-]+)"/)).toStrictEqual(['killed', 'scaled-in', 'stopped', 'killed', 'scaled-in', 'stopped', 'killed', 'scaled-in', 'stopped']);
  });

  it('shows the verdict, the timing figures, the signal counters and the whole timeline', () => {
    const section = elementById(html, 'section', 'scenario-spot-interruption');
    expect(section).toContain('<span class="badge pass">PASS</span>');
    expect(section).toContain('<div class="label">Final accuracy</div><div class="value">94.6%</div><div class="note">baseline 95.0% · -0.4 pp</div>');
    expect(allGroups(section, /<table class="timings">.*?<tbody>(.*?)<\/tbody>/s)[0]?.match(/<td class="num">([^<]+)<\/td>/g)).toStrictEqual([
      '<td class="num">1.2 s</td>',
      '<td class="num">6.3 s</td>',
      '<td class="num">7.8 s</td>',
      '<td class="num">4.8 s</td>',
      '<td class="num">40.8 s</td>',
    ]);
    expect(allGroups(section, /<table class="signals">.*?<tbody>(.*?)<\/tbody>/s)[0]?.match(/<td class="num">(\d+)<\/td>/g)).toStrictEqual(['<td class="num">2</td>', '<td class="num">2</td>', '<td class="num">0</td>', '<td class="num">0</td>']);
    const timeline = allGroups(section, /<details class="timeline" open>(.*?)<\/details>/s)[0] ?? '';
    expect(timeline.match(/<tr[ >]/g)?.length).toBe(1 + (summary.scenarios[0]?.timeline.length ?? 0));
    expect(allGroups(timeline, /<tr class="is-marker" data-kind="(\w+)">/)).toStrictEqual(['spotWarning', 'failoverStarted', 'azureActive', 'failbackStarted', 'awsPrimary']);
    expect(elementById(html, 'section', 'scenario-aws-outage')).toContain('<th scope="row">Warning → checkpoint durable</th><td class="num">—</td>');
  });

  it('lists the time compression and every setting that differs from production, escaped', () => {
    const summary = {
      ...sampleSummary(),
      timeCompression: { factor: 60, meaning: '1 real minute = 1 drill second(s)' },
      differsFromProduction: [{ setting: 'TRAINER_PORT', production: '8080', drill: 'a free port', reason: 'no <collision> with local services' }],
    };
    const html = renderHtmlReport(summary);
    expect(html).toContain('Time compression: 1 real minute = 1 drill second(s).');
    expect(html).toContain('<th scope="row">TRAINER_PORT</th><td>8080</td><td>a free port</td><td class="why">no &lt;collision&gt; with local services</td>');
    expect(renderHtmlReport(sampleSummary())).not.toContain('Differs from production');
  });

  it('marks a failing scenario and says why', () => {
    const failing = renderHtmlReport({ scenarios: [sampleReport({ examplesLost: 812, accuracyDeltaPp: -3.2 })] });
    expect(failing).toContain('<span class="badge fail large">1 OF 1 FAIL</span>');
    expect(failing).toContain('<span class="badge fail">FAIL</span>');
    expect(failing).toContain('<li>examples lost 812 (expected 0)</li><li>accuracy 94.6% vs baseline 97.8%: -3.2 pp (allowed ±2 pp)</li>');
    expect(failing.match(/class="kpi is-fail"/g)?.length).toBe(2);
  });

  it('escapes report text: a hostile detail, client id or event name stays text', () => {
    const hostile = sampleReport({ incidentDetail: '<script>alert(1)</script><img src=x onerror=alert(2)>' });
    const tampered = {
      ...hostile,
      placement: hostile.placement.map((p) => ({ ...p, clientId: `${p.clientId}"><script>alert(3)</script>`, node: "n' onmouseover='alert(4)" })),
      timeline: [...hostile.timeline, { t: 1, at: '2026-05-14T09:30:00.001Z', component: 'drill' as const, event: '</td></tr></table><script>alert(5)</script>' }],
    };
    const page = renderHtmlReport({ scenarios: [tampered] }, { title: '<b>drill</b>' });
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i); // no real tag got an event-handler attribute
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(page).toContain('data-client="trainer-0&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"');
    expect(page).toContain('n&#39; onmouseover=&#39;alert(4)');
    expect(page).toContain('&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(5)&lt;/script&gt;');
    expect(page).toContain('<title>&lt;b&gt;drill&lt;/b&gt;</title>');
  });

  it('renders an empty summary as a page that says so', () => {
    expect(renderHtmlReport({ scenarios: [] })).toContain('<p class="card empty">No scenarios in this report.</p>');
  });

  it('gives a scenario that appears twice distinct ids', () => {
    const twice = renderHtmlReport({ scenarios: [sampleReport(), sampleReport()] });
    expect(allGroups(twice, /<section class="card scenario" id="([^"]+)"/)).toStrictEqual(['scenario-spot-interruption', 'scenario-spot-interruption-2']);
    expect(twice).toContain('id="scenario-spot-interruption-2-loss"');
  });
});
