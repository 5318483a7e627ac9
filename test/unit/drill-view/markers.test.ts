/** Which timeline entries are markers, and where they land on the round axis. */
import type { RoundMetrics, TimelineEntry } from '../../../local/drill/report';
import { azureIntervals, chartMarkers, MARKER_EVENTS, markerKind, roundAxisStart, roundPosition } from '../../../local/drill/view/markers';

const round = (n: number, t: number): RoundMetrics => ({ round: n, t, loss: 1, accuracy: 0.5, examples: 10, epoch: 0, participants: { aws: 1, azure: 0 }, partialUpdates: 0 });
const entry = (t: number, event: string, extra: Partial<TimelineEntry> = {}): TimelineEntry => ({ t, at: new Date(Date.UTC(2026, 0, 1) + t).toISOString(), component: 'brain', event, ...extra });
const rounds = [round(1, 1000), round(2, 2000), round(3, 4000)];

describe('marker events', () => {
  it('are each recognised as their own kind, from the names the engine emits', () => {
    const names = Object.values(MARKER_EVENTS);
    expect(new Set(names).size).toBe(names.length);
    for (const [kind, name] of Object.entries(MARKER_EVENTS)) expect([kind, markerKind(name)]).toStrictEqual([kind, kind]);
  });

  it('match exactly or after a namespace separator, nothing else', () => {
    expect(['failover-started', 'brain:azure-active', 'phase.aws-primary', 'drill/spot-warning'].map(markerKind)).toStrictEqual(['failoverStarted', 'azureActive', 'awsPrimary', 'spotWarning']);
    expect(['round-committed', 'spot-warning-ignored', 'not-aws-primary', 'Failover-Started', ''].map(markerKind)).toStrictEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('round axis', () => {
  it('puts round r at r and interpolates instants between commits by time', () => {
    expect(roundAxisStart(rounds)).toBe(0);
    expect([0, 500, 1000, 1500, 3000, 4000, 9000].map((t) => roundPosition(t, rounds))).toStrictEqual([0, 0.5, 1, 1.5, 2.5, 3, 3]);
  });

  it('starts at 0 when rounds count from 0, and handles no rounds', () => {
    const fromZero = [round(0, 1000), round(1, 2000)];
    expect(roundAxisStart(fromZero)).toBe(0);
    expect(roundPosition(500, fromZero)).toBe(0);
    expect(roundPosition(1500, fromZero)).toBe(0.5);
    expect(roundPosition(1500, [])).toBe(0);
  });
});

describe('chartMarkers', () => {
  it('keeps marker entries in time order with their round position, skips the initial aws-primary and duplicates', () => {
    const timeline = [
      entry(0, 'aws-primary'),
      entry(1500, 'round-committed'),
      entry(2500, 'spot-warning', { component: 'aws', round: 3, detail: 'i-1' }),
      entry(2500, 'spot-warning', { component: 'aws', round: 3, detail: 'i-1 again' }),
      entry(3000, 'failover-started'),
      entry(4000, 'azure-active'),
      entry(4000, 'aws-primary'),
    ];
    expect(chartMarkers({ timeline, roundsDetail: rounds })).toStrictEqual([
      { kind: 'spotWarning', event: 'spot-warning', label: 'Spot warning', t: 2500, round: 3, position: 2.25, detail: 'i-1' },
      { kind: 'failoverStarted', event: 'failover-started', label: 'failover', t: 3000, position: 2.5 },
      { kind: 'azureActive', event: 'azure-active', label: 'on Azure', t: 4000, position: 3 },
      { kind: 'awsPrimary', event: 'aws-primary', label: 'AWS primary', t: 4000, position: 3 },
    ]);
  });

  it('shades from the failover start to the return to aws-primary, or to the end when it never returns', () => {
    const markers = chartMarkers({ timeline: [entry(3000, 'failover-started'), entry(3500, 'azure-active'), entry(6000, 'failback-started'), entry(7000, 'aws-primary')], roundsDetail: rounds });
    expect(azureIntervals(markers, 9000)).toStrictEqual([{ from: 3000, to: 7000 }]);
    expect(azureIntervals(markers.slice(0, 2), 9000)).toStrictEqual([{ from: 3000, to: 9000 }]);
  });
});
