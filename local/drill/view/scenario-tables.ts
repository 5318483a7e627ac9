/** The tables of a scenario's section in the HTML report: timing figures, signal counters, rounds and timeline. */
import type { DrillReport, TimelineEntry } from '../report';
import { escapeHtml } from './escape';
import { formatCount, formatLoss, formatPercent, formatSeconds } from './format';
import { markerKind } from './markers';
import { MARKER_STYLES } from './palette';

export function timingTable(report: DrillReport): string {
  const rows: [string, number | null, string][] = [
    ['Warning → checkpoint durable', report.checkpoint.warningToDurableMs, 'Spot warning injected until the flushed partial update is durable in Blob Storage (the notice gives 120 s)'],
    ['Signal → pool scaled', report.failover.signalToPoolScaledMs, 'failover signal until the Azure gpuspot pool reports its nodes ready'],
    ['Signal → training resumed', report.failover.signalToTrainingResumedMs, 'failover signal until the first update from an Azure trainer'],
    ['Failback signal → AWS primary', report.failback.signalToAwsPrimaryMs, 'aws-recovered signal until the brain is back in aws-primary'],
    ['Drill duration', report.durationMs, `the whole scenario, ${report.rounds} rounds`],
  ];
  const body = rows.map(([label, ms, why]) => `<tr><th scope="row">${escapeHtml(label)}</th><td class="num">${formatSeconds(ms)}</td><td class="why">${escapeHtml(why)}</td></tr>`).join('');
  return `<div><table class="timings"><caption>Timings</caption><thead><tr><th scope="col">Measure</th><th scope="col" class="num">Time</th><th scope="col">From → to</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

export function signalsTable(report: DrillReport): string {
  const s = report.signals;
  const rows: [string, number, string][] = [
    ['Sent', s.sent, 'signed signals sent to the brain (Lambda and aggregator)'],
    ['Accepted', s.accepted, 'answered 202: acted on'],
    ['Duplicates', s.duplicates, 'answered 200: the same signal id was seen before'],
    ['Retried', s.retried, 'redelivered after a 5xx, 408, 429 or a timeout'],
  ];
  const body = rows.map(([label, n, why]) => `<tr><th scope="row">${label}</th><td class="num">${formatCount(n)}</td><td class="why">${why}</td></tr>`).join('');
  return `<div><table class="signals"><caption>Signals</caption><thead><tr><th scope="col">Counter</th><th scope="col" class="num">Count</th><th scope="col">Meaning</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

export function roundsDetails(report: DrillReport): string {
  const rows = [...report.roundsDetail]
    .sort((a, b) => a.round - b.round)
    .map(
      (r) =>
        `<tr><th scope="row" class="num">${r.round}</th><td class="num">${formatSeconds(r.t)}</td><td class="num">${formatLoss(r.loss)}</td><td class="num">${formatPercent(r.accuracy)}</td>` +
        `<td class="num">${formatCount(r.examples)}</td><td class="num">${r.epoch}</td><td class="num">${r.participants.aws}</td><td class="num">${r.participants.azure}</td><td class="num">${r.partialUpdates}</td></tr>`,
    )
    .join('');
  return (
    `<details class="rounds"><summary>Rounds <span>(${report.roundsDetail.length}, the data behind the charts)</span></summary><div class="table-scroll"><table>` +
    '<thead><tr><th scope="col" class="num">Round</th><th scope="col" class="num">Committed at</th><th scope="col" class="num">Loss</th><th scope="col" class="num">Accuracy</th>' +
    '<th scope="col" class="num">Examples</th><th scope="col" class="num">Epoch</th><th scope="col" class="num">AWS</th><th scope="col" class="num">Azure</th><th scope="col" class="num">Partial updates</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div></details>`
  );
}

function timelineRow(entry: TimelineEntry): string {
  const kind = markerKind(entry.event);
  const color = kind ? MARKER_STYLES[kind].color : undefined;
  const dot = color ? `<span class="dot" style="background:${color}" aria-hidden="true"></span>` : '';
  return (
    `<tr${kind ? ` class="is-marker" data-kind="${kind}"` : ''}><td class="num">${formatSeconds(entry.t, 2)}</td><td><span class="chip">${escapeHtml(entry.component)}</span></td>` +
    `<td class="event">${dot}${escapeHtml(entry.event)}</td><td class="num">${entry.round === undefined ? '' : escapeHtml(entry.round)}</td><td>${escapeHtml(entry.detail ?? '')}</td></tr>`
  );
}

export function timelineDetails(report: DrillReport, open: boolean): string {
  const rows = [...report.timeline].sort((a, b) => a.t - b.t).map(timelineRow).join('');
  return (
    `<details class="timeline"${open ? ' open' : ''}><summary>Timeline <span>(${report.timeline.length} events)</span></summary><div class="table-scroll"><table>` +
    '<thead><tr><th scope="col" class="num">t</th><th scope="col">Component</th><th scope="col">Event</th><th scope="col" class="num">Round</th><th scope="col">Detail</th></tr></thead>' +
    `<tbody>${rows}</tbody></table></div></details>`
  );
}
