/** `spot-on status` as text: a pure function of the report, one screen for `--watch` to redraw. */
import type { Cloud } from '../../protocol/run-status';
import type { IncidentReport, StatusReport } from './report';

/** `41s`, `5m 02s`, `2h 05m`: seconds as a person reads a duration. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

const secondsSince = (from: string, to: string) => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
const percent = (share: number) => `${(share * 100).toFixed(2)}%`;

function trainersLine(report: StatusReport, cloud: Cloud): string {
  const trainers = report.trainers[cloud];
  const pools = trainers.pools.map((p) => `${p.pool ?? 'pool not named'}: ${p.trainers}`).join(', ');
  return `${cloud} ${trainers.reporting} of ${trainers.registered} reporting${pools === '' ? '' : ` (${pools})`}`;
}

function poolLine(report: StatusReport): string {
  const pool = report.azurePool;
  const which = pool.capacity === 'spot' ? 'Spot' : 'on-demand (deadline safety net)';
  return 'error' in pool ? `${which}, unreadable (${pool.error}); the brain wants ${pool.desiredNodes}` : `${which}, ${pool.nodes} node(s), ${pool.provisioningState}; the brain wants ${pool.desiredNodes}`;
}

function trainingLine(report: StatusReport): string {
  if (report.runStatus.updatedAt === null) return 'no run status yet';
  const metrics = [report.loss === null ? undefined : `loss ${report.loss.toFixed(4)}`, report.accuracy === null ? undefined : `accuracy ${percent(report.accuracy)}`].filter(Boolean);
  const age = formatDuration(secondsSince(report.runStatus.updatedAt, report.asOf));
  const of = report.schedule === null ? '' : ` of ${report.schedule.rounds}`;
  return `round ${report.round ?? '-'}${of}${metrics.length === 0 ? '' : `, ${metrics.join(', ')}`}${deadlineText(report)} (${report.runStatus.source}, ${age} ago, aggregator epoch ${report.runStatus.aggregatorEpoch ?? '-'})`;
}

function deadlineText(report: StatusReport): string {
  const schedule = report.schedule;
  if (schedule?.deadlineAt == null) return '';
  const left = (Date.parse(schedule.deadlineAt) - Date.parse(report.asOf)) / 1000;
  const when = left >= 0 ? `deadline in ${formatDuration(left)}` : `deadline passed ${formatDuration(-left)} ago`;
  return `; ${when}, ${schedule.onTrack ? 'on track' : 'behind the uniform-progress line'}`;
}

function incidentLine(incident: IncidentReport): string {
  const span = incident.ongoing ? `ongoing for ${formatDuration(incident.durationSeconds)}` : `lasted ${formatDuration(incident.durationSeconds)}`;
  const active = incident.azureActiveAfterSeconds === null ? 'Azure never active' : `Azure active after ${formatDuration(incident.azureActiveAfterSeconds)}`;
  const end = incident.outcome === null ? '' : `, ${incident.outcome}`;
  const trace = incident.traceId === null ? '' : ` trace ${incident.traceId}`;
  return `  ${incident.openedAt}  ${incident.cause.padEnd(14)} ${span}, ${active}${end}${incident.error === null ? '' : ` (${incident.error})`}  [${incident.id}${trace}]`;
}

function costLine(report: StatusReport): string {
  const cost = report.costSoFar;
  if (cost === null) return 'no usage in status.json yet';
  const gpu = cost.gpu.map((line) => `${line.cloud} ${line.pool} ${line.pricing} ${line.nodeHours.toFixed(2)} h $${line.usd.toFixed(2)}`).join(', ') || 'none yet';
  return `$${cost.totalUsd.toFixed(2)} so far: GPU $${cost.gpuUsd.toFixed(2)} (${gpu}), standby $${cost.standbyUsd.toFixed(2)}; ${cost.prices}`;
}

/** The report as lines of text. */
export function renderStatusText(report: StatusReport): string {
  const lines = [
    `run ${report.runId} as of ${report.asOf}`,
    `brain       ${report.phase}, epoch ${report.epoch}, for ${formatDuration(secondsSince(report.phaseSince, report.asOf))}`,
    `azure pool  ${poolLine(report)}`,
    `trainers    ${trainersLine(report, 'aws')}; ${trainersLine(report, 'azure')}`,
    `training    ${trainingLine(report)}`,
    `cost        ${costLine(report)}`,
    report.incidents.length === 0 ? 'incidents   none' : 'incidents   (newest last)',
    ...report.incidents.map(incidentLine),
    ...report.notes.map((note) => `note: ${note}`),
  ];
  return lines.join('\n');
}
