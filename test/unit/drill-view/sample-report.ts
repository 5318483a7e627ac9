/**
 * Realistic drill reports for the view tests and previews: three trainers on AWS Spot, an incident during
 * `incidentRound`, a failover to the Azure gpuspot pool, and a failback during `failbackRound`. The numbers follow
 * the shape of a real drill (4 s rounds, a simulated 6 s node provisioning delay, MNIST-like loss and accuracy), and
 * the incident's trace with a span per step of its critical path (none for quiet-deploy, which has no incident).
 */
import { DrillReportSchema, type DrillReport, type DrillSummary, type Placement, type RoundMetrics, type Scenario, type TimelineEntry, type Trace, type TraceSpan } from '../../../local/drill/report';
import { MARKER_EVENTS } from '../../../local/drill/view/markers';

export interface SampleOptions {
  readonly scenario?: Scenario;
  readonly rounds?: number;
  /** The round during which the Spot warning (or the outage) happens. */
  readonly incidentRound?: number;
  /** The round during which AWS capacity returns and the brain fails back. */
  readonly failbackRound?: number;
  readonly examplesLost?: number;
  /** Final minus baseline accuracy, in percentage points. */
  readonly accuracyDeltaPp?: number;
  readonly failovers?: number;
  readonly failbacks?: number;
  /** Replaces the detail of the Spot warning / outage entry (for injection tests). */
  readonly incidentDetail?: string;
}

const START = Date.parse('2026-05-14T09:30:00.000Z');
const ROUND_MS = 4000;
const EXAMPLES_PER_TRAINER = 1280;
const PROVISIONING_MS = 6200;

/** Round `r`'s commit time without an outage: 4 s rounds with a little deterministic jitter. */
const scheduledCommit = (r: number) => r * ROUND_MS + ((r * 137) % 300);

/** A sample report; validated against DrillReportSchema, so a drift in the contract fails here first. */
export function sampleReport(options: SampleOptions = {}): DrillReport {
  const scenario = options.scenario ?? 'spot-interruption';
  const rounds = options.rounds ?? 10;
  const incidentRound = options.incidentRound ?? 3;
  const failbackRound = options.failbackRound ?? 8;
  const warned = scenario === 'spot-interruption' || scenario === 'duplicate-storm';
  // A Spot warning or a capacity loss takes one node; an AWS or VPN outage takes every AWS trainer.
  const lost = scenario === 'aws-outage' || scenario === 'vpn-outage' ? ['trainer-0', 'trainer-1', 'trainer-2'] : ['trainer-1'];
  const timeline: TimelineEntry[] = [];
  const at = (t: number, component: TimelineEntry['component'], event: string, detail?: string, round?: number) =>
    timeline.push({ t, at: new Date(START + t).toISOString(), component, event, ...(detail === undefined ? {} : { detail }), ...(round === undefined ? {} : { round }) });

  // The incident and the failover.
  const tIncident = scheduledCommit(incidentRound - 1) + 1500;
  const tDurable = tIncident + 1240;
  const tSignal = warned ? tIncident + 1300 : tIncident + 5000; // without a warning: the aggregator's aws-silent timeout
  const tFailover = tSignal + 50;
  const tPoolScaled = tSignal + PROVISIONING_MS + 50;
  const tAzureActive = tPoolScaled + 60;
  const tResumed = tSignal + 7800;
  // With every AWS trainer gone no round commits until the Azure trainers resume; the interrupted round is redone.
  const outageGap = lost.length === 3 ? tResumed + ROUND_MS - scheduledCommit(incidentRound) : 0;
  const commitAt = (r: number) => scheduledCommit(r) + (r >= incidentRound ? outageGap : 0);
  // The failback.
  const tRecovered = commitAt(failbackRound - 1) + 900;
  const tFailback = tRecovered + 45;
  const tAwsTrainer = tRecovered + 3000;
  const tAwsPrimary = tRecovered + 4800;
  const tScaledIn = tAwsPrimary + 400;
  const durationMs = commitAt(rounds) + 600;

  at(0, 'drill', 'scenario-started', `${scenario}: seed 42, ${rounds} rounds, 3 trainers on AWS Spot`);
  at(0, 'brain', 'phase', 'aws-primary, epoch 0');
  for (let r = 1; r <= rounds; r++) {
    if (r === incidentRound) {
      if (warned) {
        at(tIncident, 'aws', MARKER_EVENTS.spotWarning, options.incidentDetail ?? 'EC2 Spot Instance Interruption Warning: i-0b7e41c2d9a3f5e18 (ip-10-0-2-41), terminate in 2 min', r);
        if (scenario === 'duplicate-storm') at(tIncident + 20, 'eventbridge', 'duplicate-delivered', 'same event id delivered 24 more times', r);
        at(tIncident + 35, 'eventbridge', 'rule-matched', 'spotInterruption -> spot-on-interruption', r);
        at(tIncident + 120, 'lambda', 'flush-requested', 'trainer-1 on i-0b7e41c2d9a3f5e18', r);
        at(tDurable, 'trainer', 'checkpoint-flushed', 'trainer-1: partial update, 812 of 1,280 examples, durable in Blob', r);
        at(tSignal, 'signals', 'signal-sent', 'capacity-lost-3f9a0c51e2', r);
      } else {
        at(tIncident, 'drill', MARKER_EVENTS.outageStarted, options.incidentDetail ?? 'AWS unreachable: trainers, EventBridge and Lambda stop', r);
        for (const id of lost) at(tIncident + 10, 'trainer', 'trainer-killed', `${id} (no warning)`, r);
        at(tSignal - 20, 'aggregator', 'aws-silent', 'no AWS trainer reported for 5.0 s', r);
        at(tSignal, 'signals', 'signal-sent', 'aws-silent-77b1e0d4a9 (from the aggregator)', r);
      }
      at(tSignal + 45, 'brain', 'signal-accepted', '202, epoch 0 -> 1', r);
      at(tFailover, 'brain', MARKER_EVENTS.failoverStarted, `epoch 1: scale gpuspot 0 -> ${lost.length}`, r);
      at(tFailover + 40, 'arm', 'pool-scaling', `PUT agentPools/gpuspot count=${lost.length} (202, Azure-AsyncOperation)`, r);
    }
    if (r === failbackRound) {
      if (!warned) at(tRecovered - 300, 'drill', MARKER_EVENTS.outageEnded, 'AWS reachable again', r);
      at(tRecovered, 'signals', 'signal-sent', 'aws-recovered-c40e9b2f17', r);
      at(tFailback, 'brain', MARKER_EVENTS.failbackStarted, 'epoch 3: move trainers back to AWS', r);
      for (const id of lost) at(tAwsTrainer, 'cluster', 'trainer-started', `${id} on aws`, r);
      at(tAwsPrimary, 'brain', MARKER_EVENTS.awsPrimary, 'epoch 4', r);
      at(tScaledIn, 'arm', 'pool-scaled', `gpuspot ${lost.length} -> 0`, r);
    }
    at(commitAt(r), 'aggregator', 'round-committed', `round ${r}`, r);
  }
  // Failover steps that land in later rounds.
  const roundOf = (t: number) => Array.from({ length: rounds }, (_, i) => i + 1).find((r) => commitAt(r) >= t) ?? rounds;
  at(tPoolScaled, 'arm', 'pool-scaled', `gpuspot 0 -> ${lost.length}`, roundOf(tPoolScaled));
  at(tAzureActive, 'brain', MARKER_EVENTS.azureActive, 'epoch 2', roundOf(tAzureActive));
  at(tResumed, 'trainer', 'training-resumed', `${lost.join(', ')} on azure from the round ${incidentRound - 1} checkpoint`, roundOf(tResumed));
  at(durationMs, 'drill', 'scenario-finished', 'examples lost 0');
  timeline.sort((a, b) => a.t - b.t);

  const roundsDetail: RoundMetrics[] = [];
  for (let r = 1; r <= rounds; r++) {
    const t = commitAt(r);
    const azure = t > tResumed && t < tScaledIn ? lost.length : 0;
    const aws = t < tIncident || t > tAwsPrimary ? 3 : 3 - lost.length;
    const partial = warned && r === incidentRound ? 1 : 0;
    const epoch = t < tFailover ? 0 : t < tAzureActive ? 1 : t < tFailback ? 2 : t < tAwsPrimary ? 3 : 4;
    roundsDetail.push({
      round: r,
      t,
      loss: Number((2.05 * Math.exp(-0.42 * r) + 0.21 + 0.012 * Math.sin(r * 1.7)).toFixed(4)),
      accuracy: Number((0.955 - 0.78 * Math.exp(-0.46 * r) + 0.003 * Math.cos(r * 2.3)).toFixed(4)),
      examples: aws * EXAMPLES_PER_TRAINER + azure * EXAMPLES_PER_TRAINER + (partial ? 812 : 0),
      epoch,
      participants: { aws: aws + partial, azure },
      partialUpdates: partial,
    });
  }
  const final = roundsDetail[roundsDetail.length - 1]?.accuracy ?? 0;
  const baseline = Number((final - (options.accuracyDeltaPp ?? -0.4) / 100).toFixed(4));

  const placement: Placement[] = ['trainer-0', 'trainer-1', 'trainer-2'].flatMap((clientId, i): Placement[] => {
    const firstNode = `ip-10-0-${i + 1}-${23 + i * 18}`;
    if (!lost.includes(clientId)) return [{ clientId, cloud: 'aws', node: firstNode, from: 0, to: durationMs, end: 'stopped' }];
    return [
      { clientId, cloud: 'aws', node: firstNode, from: 0, to: warned ? tDurable : tIncident + 10, end: warned ? 'flushed' : 'killed' },
      { clientId, cloud: 'azure', node: `aks-gpuspot-21873645-vmss00000${i}`, from: tResumed - 700, to: tScaledIn, end: 'scaled-in' },
      { clientId, cloud: 'aws', node: `ip-10-0-${i + 4}-${17 + i * 9}`, from: tAwsTrainer, to: durationMs, end: 'stopped' },
    ];
  });

  const firstAzureCommit = roundsDetail.find((r) => r.participants.azure > 0)?.t ?? tResumed;
  const traces =
    scenario === 'quiet-deploy'
      ? []
      : [
          incidentTrace(scenario, {
            warned,
            lost,
            tIncident,
            tDurable,
            tSignal,
            tFailover,
            tPoolScaled,
            tTrainersReady: tResumed - 700,
            tResumed,
            firstAzureCommit,
            tRecovered,
            tAwsPrimary,
          }),
        ];

  return DrillReportSchema.parse({
    scenario,
    seed: 42,
    rounds,
    examplesLost: options.examplesLost ?? 0,
    examplesRedone: 0,
    checkpoint: { warningToDurableMs: warned ? tDurable - tIncident : null },
    failover: { signalToPoolScaledMs: tPoolScaled - tSignal, signalToTrainingResumedMs: tResumed - tSignal },
    failback: { signalToAwsPrimaryMs: tAwsPrimary - tRecovered },
    accuracy: { final, baseline },
    epochs: [0, 1, 2, 3, 4],
    failovers: options.failovers ?? 1,
    failbacks: options.failbacks ?? 1,
    deadLettered: { interruption: 0, outbox: 0 },
    signals: scenario === 'duplicate-storm' ? { sent: 26, accepted: 2, duplicates: 24, retried: 0 } : warned ? { sent: 2, accepted: 2, duplicates: 0, retried: 0 } : { sent: 2, accepted: 2, duplicates: 0, retried: 1 },
    durationMs,
    roundsDetail,
    placement,
    timeline,
    traces,
  });
}

interface IncidentTimes {
  readonly warned: boolean;
  readonly lost: readonly string[];
  readonly tIncident: number;
  readonly tDurable: number;
  readonly tSignal: number;
  readonly tFailover: number;
  readonly tPoolScaled: number;
  readonly tTrainersReady: number;
  readonly tResumed: number;
  readonly firstAzureCommit: number;
  readonly tRecovered: number;
  readonly tAwsPrimary: number;
}

/**
 * The incident's trace as the components export it: with a warning, the Lambda's warning span (the event was sent
 * 180 ms before the drill saw it, so the step starts before its timeline entry), the trainer's flush and the Lambda's
 * signal; without one, the aggregator's aws-silent signal. Then ARM scaling the pool, one pod per lost trainer
 * getting ready, the first round with an Azure trainer and the brain's failback, plus a few spans that mark no step.
 */
function incidentTrace(scenario: Scenario, t: IncidentTimes): Trace {
  let n = 0;
  const spans: TraceSpan[] = [];
  const span = (name: string, component: TraceSpan['component'], startMs: number, endMs: number, step?: TraceSpan['step'], parent?: TraceSpan): TraceSpan => {
    n += 1;
    const made: TraceSpan = {
      spanId: `5a0e${n.toString(16).padStart(12, '0')}`,
      ...(parent ? { parentSpanId: parent.spanId } : {}),
      name,
      component,
      ...(step ? { step } : {}),
      startMs,
      endMs,
    };
    spans.push(made);
    return made;
  };
  const root = t.warned
    ? span('EC2 Spot Instance Interruption Warning', 'lambda', t.tIncident - 180, t.tIncident + 120, 'warning')
    : span('aws-silent', 'aggregator', t.tSignal - 5020, t.tSignal - 20);
  if (t.warned) {
    const flush = span('POST /flush trainer-1', 'lambda', t.tIncident + 120, t.tDurable + 10, undefined, root);
    span('flush partial update to Blob', 'trainer', t.tIncident + 130, t.tDurable, 'flush-durable', flush);
  }
  const signal = span(t.warned ? 'signal capacity-lost' : 'signal aws-silent', t.warned ? 'lambda' : 'aggregator', t.tSignal, t.tSignal + 45, 'signal-delivered', root);
  const failover = span('failover epoch 1', 'brain', t.tFailover, t.tFailover + 60, undefined, signal);
  span('PUT agentPools/gpuspot', 'arm', t.tFailover + 40, t.tPoolScaled, 'pool-scaled', failover);
  t.lost.forEach((id, i) => span(`pod ${id} ready`, 'kubernetes', t.tPoolScaled + 40, t.tTrainersReady + i * 160, 'trainers-ready', failover));
  span('round with an Azure trainer', 'aggregator', t.tResumed, t.firstAzureCommit, 'first-azure-round', failover);
  span('failback epoch 3', 'brain', t.tRecovered + 45, t.tAwsPrimary, 'failback', root);
  const traceId = `${scenario === 'spot-interruption' ? '4bf92f3577b34da6' : '0af7651916cd43dd'}a3ce929d0e0e4736`;
  return { traceId, spans: spans.sort((a, b) => a.startMs - b.startMs) };
}

/** Two scenarios: a Spot warning with flush, and an AWS outage without warning. */
export function sampleSummary(): DrillSummary {
  return { scenarios: [sampleReport({ scenario: 'spot-interruption' }), sampleReport({ scenario: 'aws-outage', incidentRound: 4, failbackRound: 8, accuracyDeltaPp: -1.1 })] };
}
