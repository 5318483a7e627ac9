/** The incident waterfall: rows in critical-path order, bars to scale, the slowest step marked, gaps named, text escaped. */
import { INCIDENT_STEPS } from '../../../protocol/tracing';
import { TraceSchema, type Trace, type TraceSpan } from '../../../local/drill/report';
import { renderHtmlReport } from '../../../local/drill/view/html-report';
import { MIN_BAR_PX, traceWaterfalls, waterfallRows } from '../../../local/drill/view/trace-waterfall';
import { allGroups, elementById } from './support';
import { sampleReport, sampleSummary } from './sample-report';

let spanCount = 0;
const span = (step: TraceSpan['step'], component: TraceSpan['component'], startMs: number, endMs: number, name = `${step ?? 'work'} span`): TraceSpan => ({
  spanId: (++spanCount).toString(16).padStart(16, '0'),
  name,
  component,
  ...(step ? { step } : {}),
  startMs,
  endMs,
});
const trace = (spans: TraceSpan[], traceId = '4bf92f3577b34da6a3ce929d0e0e4736'): Trace => TraceSchema.parse({ traceId, spans });

/** Every step-row of a rendered waterfall: its step, whether it is the slowest, and its bar. */
function rowsOf(svg: string): { step: string; component: string; slowest: boolean; x: number; width: number; label: string }[] {
  return [...svg.matchAll(/<g class="step-row( slowest)?" data-step="([^"]+)" data-component="([^"]+)".*?<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)".*?<text class="bar-duration"[^>]*>([^<]*)<\/text><\/g>/g)].map((m) => ({
    slowest: m[1] !== undefined,
    step: m[2] ?? '',
    component: m[3] ?? '',
    x: Number(m[4]),
    width: Number(m[5]),
    label: m[6] ?? '',
  }));
}

// Spans out of order, two trainers flushing, one span that marks no step, the warning starting before the scenario.
const full = trace([
  span('failback', 'brain', 30_000, 34_000),
  span('pool-scaled', 'arm', 1_000, 7_000, 'PUT agentPools/gpuspot'),
  span(undefined, 'brain', 900, 960, 'failover epoch 1'),
  span('flush-durable', 'trainer', 200, 1_400, 'flush trainer-2'),
  span('flush-durable', 'trainer', 100, 900, 'flush trainer-1'),
  span('warning', 'lambda', -200, 100),
  span('signal-delivered', 'lambda', 900, 900),
  span('trainers-ready', 'kubernetes', 7_000, 8_000),
  // The round that took the first Azure update opened before the last pod was ready: step order, not start order.
  span('first-azure-round', 'aggregator', 6_500, 12_000),
]);

describe('traceWaterfalls', () => {
  const html = traceWaterfalls([full], 'scenario-x', 'spot-interruption');
  const svg = elementById(html, 'svg', 'scenario-x-trace-1');
  const rows = rowsOf(svg);

  it('draws one row per step span, in critical-path order, and ignores spans that mark no step', () => {
    expect(svg).toMatch(/^<svg class="chart waterfall" [^>]*role="img"[^>]*><title id="scenario-x-trace-1-title">spot-interruption: incident critical path, trace 4bf92f35<\/title>/);
    expect(rows.map((r) => r.step)).toStrictEqual(['warning', 'flush-durable', 'flush-durable', 'signal-delivered', 'pool-scaled', 'trainers-ready', 'first-azure-round', 'failback']);
    expect(rows.map((r) => r.component)).toStrictEqual(['lambda', 'trainer', 'trainer', 'lambda', 'arm', 'kubernetes', 'aggregator', 'brain']);
    // Two spans of one step: by start.
    expect(allGroups(svg, /<title>flush-durable: ([^,]+) on trainer/)).toStrictEqual(['flush trainer-1', 'flush trainer-2']);
    expect(svg).not.toContain('failover epoch 1');
  });

  it('puts bars on one time axis from the earliest step start, each as long as its span', () => {
    const warning = rows[0];
    const pool = rows.find((r) => r.step === 'pool-scaled');
    const failback = rows.find((r) => r.step === 'failback');
    if (!warning || !pool || !failback) throw new Error('rows missing');
    const pxPerMs = pool.width / 6_000;
    expect(failback.width / pxPerMs).toBeCloseTo(4_000, -1);
    expect(warning.width / pxPerMs).toBeCloseTo(300, -1);
    // The warning starts the axis (at -0.2 s), the failback ends it.
    expect((pool.x - warning.x) / pxPerMs).toBeCloseTo(1_200, -1);
    expect((failback.x + failback.width - warning.x) / pxPerMs).toBeCloseTo(34_200, -1);
    expect(svg).toContain('seconds since the first step started (0.20 s before the scenario started)');
    expect(rows.map((r) => r.label.replace(' · slowest', ''))).toStrictEqual(['0.30 s', '0.80 s', '1.2 s', '0.00 s', '6.0 s', '1.0 s', '5.5 s', '4.0 s']);
  });

  it('keeps a zero-length step visible', () => {
    expect(rows.find((r) => r.step === 'signal-delivered')?.width).toBe(MIN_BAR_PX);
  });

  it('marks the slowest step, and only it', () => {
    expect(rows.filter((r) => r.slowest).map((r) => r.step)).toStrictEqual(['pool-scaled']);
    expect(rows.find((r) => r.slowest)?.label).toBe('6.0 s · slowest');
    expect(html).toContain('slowest: pool-scaled 6.0 s');
    expect(svg.match(/class="slowest-band"/g)).toHaveLength(1);
    const instant = traceWaterfalls([trace([span('warning', 'lambda', 5, 5), span('signal-delivered', 'lambda', 5, 5)])], 'z', 'spot-interruption');
    expect(instant).not.toContain('slowest');
  });

  it('shows the trace id short, with the whole id at hand, and a legend of the components drawn', () => {
    expect(html).toContain('<code class="trace-id" title="4bf92f3577b34da6a3ce929d0e0e4736">4bf92f35</code>');
    expect(html).toContain('data-trace-id="4bf92f3577b34da6a3ce929d0e0e4736"');
    const legend = allGroups(html, /<ul class="legend">(.*?)<\/ul>/s)[0] ?? '';
    expect(allGroups(legend, /<\/svg>([^<]+)<\/li>/)).toStrictEqual(['lambda', 'trainer', 'arm', 'kubernetes', 'aggregator', 'brain', 'slowest step (outlined, shaded row)']);
  });

  it('names the steps a trace lacks, and says nothing when it has them all', () => {
    expect(html).not.toContain('missing-steps');
    const partial = traceWaterfalls([trace([span('signal-delivered', 'aggregator', 0, 40), span('pool-scaled', 'arm', 40, 6_000)])], 'y', 'aws-outage');
    expect(partial).toContain('<p class="missing-steps">No warning, flush-durable, trainers-ready, first-azure-round or failback in this trace.</p>');
    const noFailback = traceWaterfalls([trace(full.spans.filter((s) => s.step !== 'failback'))], 'y', 'spot-interruption');
    expect(noFailback).toContain('<p class="missing-steps">No failback in this trace.</p>');
  });

  it('draws a waterfall per incident trace and skips traces with no step', () => {
    const other = trace([span('warning', 'lambda', 50_000, 50_200)], '0af7651916cd43dda3ce929d0e0e4736');
    const noSteps = trace([span(undefined, 'brain', 0, 10)], '11111111111111111111111111111111');
    const two = traceWaterfalls([full, noSteps, other], 's', 'capacity-loss');
    expect(allGroups(two, /<svg class="chart waterfall" id="([^"]+)"/)).toStrictEqual(['s-trace-1', 's-trace-2']);
    expect(allGroups(two, /data-trace-id="([^"]+)"/)).toStrictEqual([full.traceId, other.traceId]);
  });

  it('says in one line that a scenario has no incident trace', () => {
    expect(traceWaterfalls([], 'q', 'quiet-deploy')).toBe('<p class="empty waterfall-note">No incident traces: this scenario recorded no trace with a step of the critical path.</p>');
    const noSteps = traceWaterfalls([trace([span(undefined, 'brain', 0, 10)])], 'q', 'quiet-deploy');
    expect(noSteps).toBe('<p class="empty waterfall-note">No incident traces: 1 trace recorded, none with a step of the critical path.</p>');
    expect(noSteps).not.toContain('<svg');
  });

  it('escapes span names: a hostile name stays text', () => {
    const hostile = trace([span('warning', 'lambda', 0, 100, '<script>alert(1)</script>'), span('failback', 'brain', 100, 250, '"><img src=x onerror=alert(2)>')]);
    const out = traceWaterfalls([hostile], 'h', 'spot-interruption');
    expect(out).not.toMatch(/<script|<img/i);
    expect(out).toContain('warning: &lt;script&gt;alert(1)&lt;/script&gt; on lambda');
    expect(out).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });
});

describe('waterfallRows', () => {
  it('orders by step, then start, and measures each span', () => {
    const rows = waterfallRows(full);
    expect(rows.map((r) => r.span.step)).toStrictEqual(['warning', 'flush-durable', 'flush-durable', 'signal-delivered', 'pool-scaled', 'trainers-ready', 'first-azure-round', 'failback']);
    expect(rows.map((r) => r.durationMs)).toStrictEqual([300, 800, 1_200, 0, 6_000, 1_000, 5_500, 4_000]);
  });
});

describe('the waterfall in the HTML report', () => {
  const html = renderHtmlReport(sampleSummary());

  it('draws the sample incident with all seven steps, after the timing figures', () => {
    const section = elementById(html, 'section', 'scenario-spot-interruption');
    const svg = elementById(section, 'svg', 'scenario-spot-interruption-trace-1');
    expect(rowsOf(svg).map((r) => r.step)).toStrictEqual([...INCIDENT_STEPS]);
    expect(rowsOf(svg).filter((r) => r.slowest).map((r) => r.step)).toStrictEqual(['pool-scaled']);
    expect(section.indexOf('<table class="timings">')).toBeLessThan(section.indexOf('<svg class="chart waterfall"'));
    expect(section).not.toContain('missing-steps');
  });

  it('names what an outage without warning lacks, and draws each trainer getting ready', () => {
    const section = elementById(html, 'section', 'scenario-aws-outage');
    expect(rowsOf(elementById(section, 'svg', 'scenario-aws-outage-trace-1')).map((r) => r.step)).toStrictEqual([
      'signal-delivered',
      'pool-scaled',
      'trainers-ready',
      'trainers-ready',
      'trainers-ready',
      'first-azure-round',
      'failback',
    ]);
    expect(section).toContain('<p class="missing-steps">No warning or flush-durable in this trace.</p>');
  });

  it('notes a scenario without incident traces instead of drawing an empty chart', () => {
    const quiet = renderHtmlReport({ scenarios: [sampleReport({ scenario: 'quiet-deploy', failovers: 0, failbacks: 0 })] });
    expect(quiet).toContain('<p class="empty waterfall-note">No incident traces: ');
    expect(quiet).not.toContain('chart waterfall');
  });
});
