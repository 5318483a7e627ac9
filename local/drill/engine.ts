/**
 * Runs drill scenarios on the local cloud and measures them into DrillReports (report.ts): a monitor polls the
 * aggregator and the brain as an operator would (GET /healthz, GET /api/status) and reads each committed
 * round's manifest from Blob; the timeline gathers what every component did.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { blobPaths, CONTAINER } from '../../protocol/blob-layout';
import { CheckpointManifestSchema, type CheckpointManifest } from '../../protocol/checkpoint';
import { RunStatusSchema } from '../../protocol/run-status';
import { TrainerProcess } from '../cluster/trainer-process';
import { startAzurite } from '../azurite';
import { freePort } from '../net';
import { startLocalCloud, type Component, type Emit } from './cloud';
import { drillRunConfig, drillShards, startAggregator } from './run';
import { startDrillData } from './data';
import { checkResidency } from './residency';
import { parseRunConfig } from '../../fl-training/config';
import type { DrillDeployment } from './production/deployment';
import { TIME_COMPRESSION_FACTOR } from './production/time-compression';
import { DrillReportSchema, type DrillReport, type RoundMetrics, type Scenario, type TimelineEntry, type TimelineFacts } from './report';
import { notePhase, recordedEvent, SCENARIO_DEFINITIONS, type ScenarioContext, type ScenarioTiming } from './scenarios';
import { MARKER_EVENTS } from './view/markers';
import { incidentTraces } from './traces';
import type { DrillObserver } from './view/progress-view';


export interface DrillOptions {
  readonly seed: number;
  readonly rounds: number;
  readonly shards: number;
  readonly timing: ScenarioTiming;
  readonly provisioningDelayMs: number;
  /** Where each scenario's process logs go (<logDir>/<scenario>/); a temporary folder when absent. */
  readonly logDir?: string;
  /** The production settings every scenario runs, compressed (production/deployment.ts). */
  readonly deployment: DrillDeployment;
}

/**
 * Scenario timing on the drill's clock (1 real minute = 1 drill second): the Spot notice is 2 minutes; Karpenter
 * finds replacement Spot capacity 10 minutes after a reclaim (capacity is scarce right after one; when it is
 * quicker than Azure, no Azure trainer ever trains and the failover was pure cost); an AKS GPU node takes 5 minutes
 * (the low end of 5-11).
 */
export const DEFAULT_DRILL_OPTIONS: Omit<DrillOptions, 'deployment'> = {
  seed: 42,
  rounds: 14,
  shards: 3,
  timing: { noticeMs: 120_000 / TIME_COMPRESSION_FACTOR, replacementMs: 600_000 / TIME_COMPRESSION_FACTOR },
  provisioningDelayMs: 300_000 / TIME_COMPRESSION_FACTOR,
};

/** Where the baseline's data is staged: its own local stores, so any URLs do. */
const BASELINE_DATA_URLS = { aws: 's3://spot-on-baseline/data', azure: 'blob://spot-on-data/baseline' } as const;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface HealthAnswer {
  round: number;
  epoch: number;
  done: boolean;
}

interface BrainStatus {
  phase: string;
  epoch: number;
  phaseSince: string;
  transitions: { at: string; epoch: number; from: string; to: string; outcome: string; reason: string }[];
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return answer.ok ? ((await answer.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The uninterrupted run with the same seed: the aggregator and one AWS trainer per shard, nothing else, unpaced.
 * Resolves the accuracy after each round (index = round): a scenario of R rounds compares with entry R, since the
 * first R rounds of a longer run are the same computation as an R-round run (the round count is not hashed).
 */
export async function runBaseline(options: Omit<DrillOptions, 'deployment'>): Promise<readonly number[]> {
  const runId = `baseline-${options.seed}`;
  const azurite = await startAzurite();
  const trainerKeys = randomBytes(32).toString('hex');
  const runConfig = drillRunConfig(runId, options.seed, options.rounds, drillShards(options.shards, undefined));
  const data = await startDrillData(parseRunConfig(runConfig), BASELINE_DATA_URLS, azurite);
  const aggregator = await startAggregator(runConfig, { env: { ...data.env.azure, SPOTON_BLOB_CONNECTION_STRING: azurite.connectionString, SPOTON_TRAINER_KEYS: trainerKeys } });
  const url = aggregator.url;
  const trainerPort = await freePort();
  const trainers = drillShards(options.shards, undefined).map(
    ({ id: shard }, i) =>
      new TrainerProcess(
        { clientId: `baseline-${shard}`, cloud: 'aws', shard, nodeName: `baseline-node-${i}`, podIP: `127.0.9.${i + 1}` },
        { ...process.env, ...data.env.aws, SPOTON_AGGREGATOR_URL: url, SPOTON_TRAINER_KEYS: trainerKeys, TRAINER_PORT: String(trainerPort) },
        () => undefined,
      ),
  );
  try {
    await Promise.all(trainers.map((t) => t.ended));
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER);
    const accuracies = [0];
    for (let round = 1; round <= options.rounds; round++) {
      const manifest = CheckpointManifestSchema.parse(JSON.parse((await container.getBlobClient(blobPaths.manifest(runId, round)).downloadToBuffer()).toString('utf8')));
      const accuracy = manifest.metrics.accuracy;
      if (accuracy === undefined) throw new Error(`the baseline's round ${round} has no accuracy`);
      accuracies.push(accuracy);
    }
    return accuracies;
  } finally {
    for (const t of trainers) t.kill();
    await aggregator.stop();
    await data.stop();
    await azurite.stop();
  }
}

/** Runs one scenario end to end and measures it. */
export async function runScenario(scenario: Scenario, options: DrillOptions, baselineAccuracy: number, observer: DrillObserver): Promise<DrillReport> {
  const definition = SCENARIO_DEFINITIONS[scenario];
  const startedAt = Date.now();
  const timeline: TimelineEntry[] = [];
  let currentRound = 0;
  const record = (atMs: number, component: Component, event: string, detail?: string, facts: TimelineFacts = {}) => {
    const entry: TimelineEntry = { t: Math.max(0, atMs - startedAt), at: new Date(atMs).toISOString(), component, event, ...(detail ? { detail } : {}), ...facts, round: currentRound };
    timeline.push(entry);
    observer.timeline(scenario, entry);
  };
  const emit: Emit = (component, event, detail, facts) => record(Date.now(), component, event, detail, facts);
  observer.scenarioStarted(scenario, options.rounds);
  emit('drill', 'scenario-started', scenario);
  const runId = `drill-${scenario}-${options.seed}`;
  const shards = drillShards(options.shards, options.deployment.shards);
  const cloud = await startLocalCloud(
    { runId, seed: options.seed, rounds: options.rounds, shards, provisioningDelayMs: options.provisioningDelayMs, deployment: options.deployment, ...(options.logDir ? { logDir: path.join(options.logDir, scenario) } : {}), ...(definition.duplicateDeliveries ? { duplicateDeliveries: definition.duplicateDeliveries } : {}), ...(definition.deadlineMs ? { deadlineMs: definition.deadlineMs } : {}) },
    emit,
  );
  const container = BlobServiceClient.fromConnectionString(cloud.storage).getContainerClient(CONTAINER);
  const rounds: RoundMetrics[] = [];
  const epochs: number[] = [0];
  let phase = 'aws-primary';
  let done = false;
  let monitoring = true;
  let lastPlacement = '';

  const readManifest = async (round: number): Promise<CheckpointManifest> =>
    CheckpointManifestSchema.parse(JSON.parse((await container.getBlobClient(blobPaths.manifest(runId, round)).downloadToBuffer()).toString('utf8')));

  const context: ScenarioContext = {
    cloud,
    emit,
    round: () => currentRound,
    phase: () => phase,
    done: () => done,
    sleep,
    async runStatus() {
      const body = await container.getBlobClient(blobPaths.status(runId)).downloadToBuffer().catch(() => undefined);
      return body === undefined ? undefined : RunStatusSchema.parse(JSON.parse(body.toString('utf8')));
    },
    async brainNotes() {
      return (await getJson<{ notes?: { kind: string; message: string }[] }>(`${cloud.brainUrl}/api/status`))?.notes ?? [];
    },
    async until(what, predicate, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`${scenario}: timed out waiting for ${what} (round ${currentRound}, phase ${phase})`);
        await sleep(100);
      }
    },
    async inject(file, change, copies = 1) {
      const event = recordedEvent(file);
      change(event);
      const bus = cloud.aws.buses.get('default');
      if (bus === undefined) throw new Error('no default bus');
      const first = await bus.inject(event, { restamp: true });
      // EventBridge delivers at least once: a copy keeps the event's id.
      for (let i = 1; i < copies; i++) await bus.inject(first.event);
      return first.event.id;
    },
  };

  const monitor = (async () => {
    while (monitoring) {
      const [health, brain] = await Promise.all([
        getJson<HealthAnswer>(`${cloud.aggregatorUrl}/healthz`),
        getJson<BrainStatus>(`${cloud.brainUrl}/api/status?transitions=50`),
      ]);
      if (brain && brain.phase !== phase) {
        phase = brain.phase;
        notePhase(context, phase);
        const marker = { 'failing-over': MARKER_EVENTS.failoverStarted, 'azure-active': MARKER_EVENTS.azureActive, 'failing-back': MARKER_EVENTS.failbackStarted, 'aws-primary': MARKER_EVENTS.awsPrimary }[brain.phase];
        // Timed when the brain changed phase (phaseSince), not when this poll noticed it.
        record(Date.parse(brain.phaseSince) || Date.now(), 'brain', marker ?? brain.phase, `phase ${brain.phase}, epoch ${brain.epoch}`);
        observer.phaseChanged(scenario, brain.phase, brain.epoch);
      }
      if (brain && !epochs.includes(brain.epoch)) epochs.push(brain.epoch);
      if (health) {
        for (let round = currentRound + 1; round <= health.round; round++) {
          const manifest = await readManifest(round).catch(() => undefined);
          if (manifest === undefined) break;
          const metrics: RoundMetrics = {
            round,
            t: Date.now() - startedAt,
            loss: manifest.metrics.loss ?? 0,
            accuracy: manifest.metrics.accuracy ?? 0,
            examples: manifest.metrics.examples,
            epoch: manifest.epoch,
            participants: { aws: manifest.participants.filter((p) => p.cloud === 'aws').length, azure: manifest.participants.filter((p) => p.cloud === 'azure').length },
            partialUpdates: manifest.participants.filter((p) => p.partial).length,
          };
          rounds.push(metrics);
          currentRound = round;
          emit('aggregator', 'round-committed', `round ${round}: ${metrics.participants.aws} AWS + ${metrics.participants.azure} Azure trainer(s)${metrics.partialUpdates ? `, ${metrics.partialUpdates} partial` : ''}, accuracy ${(metrics.accuracy * 100).toFixed(1)}%`);
          observer.roundCommitted(scenario, metrics);
        }
        done = health.done && cloud.simulator.live().length === 0;
      }
      const placement = { aws: cloud.simulator.live('aws').length, azure: cloud.simulator.live('azure').length };
      if (JSON.stringify(placement) !== lastPlacement) {
        lastPlacement = JSON.stringify(placement);
        observer.placementChanged(scenario, placement);
      }
      await sleep(250);
    }
  })();

  let failure: Error | undefined;
  try {
    for (let i = 0; i < shards.length; i++) cloud.simulator.launchAwsNode();
    await definition.run(context, options.timing);
    await context.until('every round committed and every trainer finished', () => done, 180_000);
  } catch (error) {
    failure = error as Error;
    emit('drill', 'scenario-failed', failure.message);
  }
  monitoring = false;
  await monitor;
  const brain = await getJson<BrainStatus>(`${cloud.brainUrl}/api/status?transitions=50`);
  const residency = await checkResidency({ data: cloud.data, pinnedToAws: cloud.pinnedToAws, storage: cloud.storage, trainers: cloud.simulator.allTrainers() });
  if (residency.leaks.length > 0) emit('drill', 'residency-breach', residency.leaks.join('; '));
  timeline.sort((a, b) => a.t - b.t);
  const deadLettered = { interruption: await cloud.aws.queues.count(cloud.queues.interruptionDlq), outbox: await cloud.aws.queues.count(cloud.queues.outboxDlq) };
  const report = measure();
  await cloud.stop();
  if (failure) throw Object.assign(failure, { report });
  observer.scenarioFinished(scenario, report);
  return report;

  function measure(): DrillReport {
    const transitions = brain?.transitions ?? [];
    const at = (event: string) => timeline.find((e) => e.event === event)?.t;
    const trainers = cloud.simulator.allTrainers();
    // Trained but never in the model: work the aggregator refused for a stale epoch and the trainer trained again
    // in the same round is redone, and work refused because another trainer's update for the same shard and round
    // counted is duplicated; neither is lost (they cost compute, not data).
    const processed = trainers.reduce((sum, t) => sum + (t.result ? t.result.examplesProcessed - t.result.examplesRedone - (t.result.examplesDuplicated ?? 0) : 0), 0);
    const aggregated = rounds.reduce((sum, r) => sum + r.examples, 0);
    const warning = at(MARKER_EVENTS.spotWarning);
    const durable = timeline.find((e) => e.event === 'flush-durable' && warning !== undefined && e.t >= warning)?.t;
    const failoverAt = at(MARKER_EVENTS.failoverStarted);
    const poolScaled = timeline.find((e) => e.component === 'arm' && e.event === 'operation-succeeded' && failoverAt !== undefined && e.t >= failoverAt && (e.nodeCount ?? 0) > 0)?.t;
    const resumed = rounds.find((r) => r.participants.azure > 0)?.t;
    const failbackAt = at(MARKER_EVENTS.failbackStarted);
    const primaryAgain = timeline.find((e) => e.event === MARKER_EVENTS.awsPrimary && failbackAt !== undefined && e.t >= failbackAt)?.t;
    const since = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? null : to - from);
    const signalInvocations = cloud.signal.invocations();
    const hostSignals = cloud.hostInvocations.filter((i) => i.functionName === 'signals');
    return DrillReportSchema.parse({
      scenario,
      seed: options.seed,
      rounds: currentRound,
      examplesLost: Math.max(0, processed - aggregated),
      examplesRedone: trainers.reduce((sum, t) => sum + (t.result?.examplesRedone ?? 0), 0),
      examplesDuplicated: trainers.reduce((sum, t) => sum + (t.result?.examplesDuplicated ?? 0), 0),
      checkpoint: { warningToDurableMs: since(warning, durable) },
      failover: { signalToPoolScaledMs: since(failoverAt, poolScaled), signalToTrainingResumedMs: since(failoverAt, resumed) },
      failback: { signalToAwsPrimaryMs: since(failbackAt, primaryAgain) },
      accuracy: { final: rounds.at(-1)?.accuracy ?? 0, baseline: baselineAccuracy },
      epochs,
      failovers: transitions.filter((t) => t.from === 'aws-primary' && t.to === 'failing-over').length,
      failbacks: transitions.filter((t) => t.from === 'failing-back' && t.to === 'aws-primary' && t.outcome === 'completed').length,
      signals: {
        sent: signalInvocations.reduce((sum, i) => sum + i.messageIds.length, 0),
        accepted: hostSignals.filter((i) => i.status === 202).length,
        duplicates: hostSignals.filter((i) => i.status === 200).length,
        retried: signalInvocations.reduce((sum, i) => sum + i.failedMessageIds.length, 0),
      },
      deadLettered,
      durationMs: Date.now() - startedAt,
      residency,
      roundsDetail: rounds,
      placement: cloud.simulator.placements.map((p) => ({
        clientId: p.clientId,
        cloud: p.cloud,
        node: p.node,
        from: p.from - startedAt,
        ...(p.to === undefined ? {} : { to: p.to - startedAt }),
        ...(p.end === undefined ? {} : { end: p.end === 'complete' || p.end === 'failed' ? 'stopped' : p.end }),
      })),
      timeline,
      traces: incidentTraces(cloud.traces.spans(), startedAt),
    });
  }
}
