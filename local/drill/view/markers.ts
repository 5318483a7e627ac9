/**
 * Which timeline events the views draw as markers, and where they fall on a per-round axis.
 *
 * The drill engine emits these exact strings as `TimelineEntry.event` (import {@link MARKER_EVENTS}; do not
 * retype them). An entry is a marker when its `event` equals one of the names, or ends with one after a `:`,
 * `.` or `/` separator (`brain:azure-active`), so a namespaced event still counts; any `component` may emit them.
 *
 * | name | emitted when |
 * |---|---|
 * | `spot-warning` | the Spot interruption warning (or the first of a duplicate storm) is injected |
 * | `outage-started` | an outage without warning begins (capacity loss, AWS outage, VPN outage) |
 * | `outage-ended` | that outage is over (AWS reachable again) |
 * | `failover-started` | the brain enters `failing-over` |
 * | `azure-active` | the brain enters `azure-active` (the gpuspot pool is scaled and Azure trainers run) |
 * | `failback-started` | the brain enters `failing-back` |
 * | `aws-primary` | the brain returns to `aws-primary` after a failback (not for the initial phase: ignored
 *   before any `failover-started` / `failback-started`) |
 */
import type { DrillReport, RoundMetrics } from '../report';

/** The timeline event names drawn as markers, by kind. The engine must emit exactly these strings. */
export const MARKER_EVENTS = {
  spotWarning: 'spot-warning',
  outageStarted: 'outage-started',
  outageEnded: 'outage-ended',
  failoverStarted: 'failover-started',
  azureActive: 'azure-active',
  failbackStarted: 'failback-started',
  awsPrimary: 'aws-primary',
} as const;

export type MarkerKind = keyof typeof MARKER_EVENTS;
export type MarkerEvent = (typeof MARKER_EVENTS)[MarkerKind];

/** A short label per marker kind, for chart annotations and legends. */
export const MARKER_LABELS: Readonly<Record<MarkerKind, string>> = {
  spotWarning: 'Spot warning',
  outageStarted: 'outage',
  outageEnded: 'AWS back',
  failoverStarted: 'failover',
  azureActive: 'on Azure',
  failbackStarted: 'failback',
  awsPrimary: 'AWS primary',
};

const KIND_BY_EVENT = new Map<string, MarkerKind>(Object.entries(MARKER_EVENTS).map(([kind, event]) => [event, kind as MarkerKind]));

/** The marker kind of a timeline event name, or undefined when the event is not a marker. */
export function markerKind(event: string): MarkerKind | undefined {
  const exact = KIND_BY_EVENT.get(event);
  if (exact) return exact;
  const lastSegment = event.split(/[:./]/).pop() ?? '';
  return KIND_BY_EVENT.get(lastSegment);
}

export interface ChartMarker {
  readonly kind: MarkerKind;
  /** The timeline entry's own event string. */
  readonly event: string;
  readonly label: string;
  /** Milliseconds since the scenario started. */
  readonly t: number;
  /** The round the engine attached to the entry, when it did. */
  readonly round?: number;
  /** Where the marker falls on a round axis, fractional: see {@link roundPosition}. */
  readonly position: number;
  readonly detail?: string;
}

/** Rounds in commit order with their commit times, the basis of the round axis. */
function commitPoints(rounds: readonly RoundMetrics[]): RoundMetrics[] {
  return [...rounds].sort((a, b) => a.round - b.round);
}

/** The first value of the round axis: the start of training (round 1 spans 0..1), or 0 when rounds count from 0. */
export function roundAxisStart(rounds: readonly RoundMetrics[]): number {
  const first = commitPoints(rounds)[0];
  return first ? Math.max(0, first.round - 1) : 0;
}

/**
 * The fractional round at time `t`: round `r` sits at `r` (its commit time), an instant between two commits is
 * interpolated linearly in time (a warning halfway through round 4 sits at 3.5), the scenario start is
 * {@link roundAxisStart}, and times after the last commit clamp to the last round.
 */
export function roundPosition(t: number, rounds: readonly RoundMetrics[]): number {
  const points = commitPoints(rounds).map((r) => ({ x: r.round, t: r.t }));
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return 0;
  const start = roundAxisStart(rounds);
  if (start < first.x) points.unshift({ x: start, t: 0 });
  if (t <= (points[0]?.t ?? 0)) return points[0]?.x ?? start;
  if (t >= last.t) return last.x;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (!a || !b || t > b.t) continue;
    const span = b.t - a.t;
    return span <= 0 ? b.x : a.x + ((t - a.t) / span) * (b.x - a.x);
  }
  return last.x;
}

/** The report's marker entries in timeline order, placed on the round axis. */
export function chartMarkers(report: Pick<DrillReport, 'timeline' | 'roundsDetail'>): ChartMarker[] {
  const markers: ChartMarker[] = [];
  let incidentSeen = false;
  const seen = new Set<string>();
  for (const entry of [...report.timeline].sort((a, b) => a.t - b.t)) {
    const kind = markerKind(entry.event);
    if (!kind) continue;
    if (kind === 'failoverStarted' || kind === 'failbackStarted') incidentSeen = true;
    if (kind === 'awsPrimary' && !incidentSeen) continue;
    // A duplicate storm repeats the same event at the same instant; one marker says it.
    const key = `${kind}@${entry.t}`;
    if (seen.has(key)) continue;
    seen.add(key);
    markers.push({
      kind,
      event: entry.event,
      label: MARKER_LABELS[kind],
      t: entry.t,
      ...(entry.round === undefined ? {} : { round: entry.round }),
      position: roundPosition(entry.t, report.roundsDetail),
      ...(entry.detail === undefined ? {} : { detail: entry.detail }),
    });
  }
  return markers;
}

/** Time intervals during which training depended on Azure: from a failover start to the next return to AWS. */
export function azureIntervals(markers: readonly ChartMarker[], endT: number): { from: number; to: number }[] {
  const intervals: { from: number; to: number }[] = [];
  let open: number | undefined;
  for (const m of markers) {
    if ((m.kind === 'failoverStarted' || m.kind === 'azureActive') && open === undefined) open = m.t;
    if (m.kind === 'awsPrimary' && open !== undefined) {
      intervals.push({ from: open, to: m.t });
      open = undefined;
    }
  }
  if (open !== undefined) intervals.push({ from: open, to: endT });
  return intervals;
}
