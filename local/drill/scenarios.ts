/**
 * What each drill scenario does to the system. A scenario only acts the way the world would (EC2 warns and
 * reclaims, Karpenter replaces, an outage starts and ends, the VPN drops, EventBridge and SQS deliver twice); everything Spot-On
 * does in response is the production code reacting.
 */
import type { RunStatus } from '../../protocol/run-status';
import { loadEvent } from '../corpus';
import { MARKER_EVENTS } from './view/markers';
import type { Scenario } from './report';
import type { Emit, LocalCloud } from './cloud';
import { DEADLINE_SCENARIO_DEADLINE_MS } from './run';

/** How a scenario drives the run; `until` helpers poll the monitor. */
export interface ScenarioContext {
  readonly cloud: LocalCloud;
  readonly emit: Emit;
  /** The latest committed round. */
  round(): number;
  /** The brain's phase. */
  phase(): string;
  /** Rounds are committed and no trainer is left. */
  done(): boolean;
  until(what: string, predicate: () => boolean, timeoutMs?: number): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** The aggregator's status.json as it is now (its schedule holds the run's deadline). */
  runStatus(): Promise<RunStatus | undefined>;
  /** The notes the brain's status endpoint shows (safety-net, deferred, scaled...). */
  brainNotes(): Promise<readonly { readonly kind: string; readonly message: string }[]>;
  /** Injects a recorded AWS event (made current) `copies` times onto the default bus; returns its new id. */
  inject(file: string, change: (event: Record<string, unknown>) => void, copies?: number): Promise<string>;
}

export interface ScenarioTiming {
  /** The Spot notice, compressed (two minutes in EC2). */
  readonly noticeMs: number;
  /** Karpenter's replacement of a reclaimed node (launch plus join). */
  readonly replacementMs: number;
}

export interface ScenarioDefinition {
  readonly duplicateDeliveries?: number;
  /** Rounds of this scenario's run when the incident outlasts the default run; its baseline trains as many. */
  readonly rounds?: number;
  /** The run's deadline (run config deadlineMs), when the scenario trains against one. */
  readonly deadlineMs?: number;
  run(context: ScenarioContext, timing: ScenarioTiming): Promise<void>;
}

/** The recorded Spot warning, re-aimed at one of our instances. */
function spotWarningFor(instanceId: string) {
  return (event: Record<string, unknown>) => {
    event.resources = [`arn:aws:ec2:us-west-2a:instance/${instanceId}`];
    event.detail = { 'instance-id': instanceId, 'instance-action': 'terminate' };
  };
}

/**
 * The first AWS node whose trainer's shard Azure may take over: the loss a scenario stages is one Azure covers (a
 * shard pinned to AWS only pauses; aws-outage shows that).
 */
function movableVictim(context: ScenarioContext): string | undefined {
  const live = context.cloud.simulator.live('aws');
  return context.cloud.simulator.awsInstanceIds().find((id) => {
    const shard = live.find((p) => p.spec.instanceId === id)?.shard;
    return shard !== undefined && !context.cloud.pinnedToAws.has(shard);
  });
}

/** One AWS node warned, its trainer flushed, the node reclaimed and replaced by Karpenter. */
async function spotInterruption(context: ScenarioContext, timing: ScenarioTiming, copies = 1, replacementMs = timing.replacementMs): Promise<void> {
  await context.until('round 1 committed', () => context.round() >= 1);
  const victim = movableVictim(context);
  if (victim === undefined) throw new Error('no AWS node with a shard Azure may take over');
  const shard = context.cloud.simulator.live('aws').find((p) => p.spec.instanceId === victim)?.shard ?? 'no shard yet';
  context.emit('aws', MARKER_EVENTS.spotWarning, `EC2 Spot Instance Interruption Warning for ${victim} (${shard})${copies > 1 ? `, delivered ${copies} times` : ''}`);
  await context.inject('aws.ec2/spot-interruption/terminate.json', spotWarningFor(victim), copies);
  await context.sleep(timing.noticeMs);
  context.cloud.simulator.terminateAwsNode(victim);
  await context.sleep(replacementMs);
  context.cloud.simulator.launchAwsNode();
  await context.until('failback to AWS', () => context.phase() === 'aws-primary' && sawPhase(context, 'failing-back'), 120_000);
}

/** Azure takes over and trains two rounds; then `nodes` AWS nodes come back and training fails back to them. */
async function azureTrainsThenAwsReturns(context: ScenarioContext, nodes: number, why: string): Promise<void> {
  await context.until('Azure takes over', () => context.phase() === 'azure-active', 120_000);
  const resumedAt = context.round();
  await context.until('two rounds on Azure', () => context.round() >= resumedAt + 2 || context.done(), 120_000);
  context.emit('aws', MARKER_EVENTS.outageEnded, why);
  for (let i = 0; i < nodes; i++) context.cloud.simulator.launchAwsNode();
  await context.until('failback to AWS', () => context.phase() === 'aws-primary' && sawPhase(context, 'failing-back'), 120_000);
}

const seenPhases = new WeakMap<ScenarioContext, Set<string>>();
function sawPhase(context: ScenarioContext, phase: string): boolean {
  return seenPhases.get(context)?.has(phase) ?? false;
}
/** Records the brain's phases as the monitor sees them (for "failed back after failing over"). */
export function notePhase(context: ScenarioContext, phase: string): void {
  const phases = seenPhases.get(context) ?? new Set<string>();
  phases.add(phase);
  seenPhases.set(context, phases);
}

/** Every AWS Spot node reclaimed, the Azure Spot pool out of capacity: the deadline safety net must act. */
async function deadlineSafetyNet(context: ScenarioContext, timing: ScenarioTiming): Promise<void> {
  await context.until('round 1 committed', () => context.round() >= 1);
  const { gpuPools } = context.cloud;
  context.cloud.arm.faults.enqueue({ kind: 'operation-failure', code: 'AllocationFailed', pool: gpuPools.spot });
  const instances = context.cloud.simulator.awsInstanceIds();
  context.emit('aws', MARKER_EVENTS.outageStarted, `EC2 reclaims every Spot node (${instances.length}), and the Azure Spot pool ${gpuPools.spot} has no capacity either`);
  for (const id of instances) {
    context.emit('aws', MARKER_EVENTS.spotWarning, `EC2 Spot Instance Interruption Warning for ${id}`);
    await context.inject('aws.ec2/spot-interruption/terminate.json', spotWarningFor(id));
  }
  await context.sleep(timing.noticeMs);
  for (const id of instances) context.cloud.simulator.terminateAwsNode(id);
  await context.until('the deadline safety net moves the failover to on-demand capacity', () => context.phase() === 'azure-active', 120_000);
  const notes = await context.brainNotes();
  const safetyNet = notes.find((note) => note.kind === 'safety-net');
  if (safetyNet === undefined) throw new Error(`Azure took over without the deadline safety net (notes: ${notes.map((n) => n.kind).join(', ')})`);
  context.emit('brain', 'safety-net', safetyNet.message);
  await azureTrainsThenAwsReturns(context, instances.length, 'Spot capacity is back: Karpenter launches replacements');
  await context.until('the run completes', () => context.done(), 180_000);
  const deadlineAt = (await context.runStatus())?.schedule?.deadlineAt;
  if (deadlineAt === undefined) throw new Error('status.json has no deadline: the run configuration lost deadlineMs');
  const finishedAt = Date.now();
  const margin = Date.parse(deadlineAt) - finishedAt;
  if (margin < 0) throw new Error(`the run finished ${Math.round(-margin / 1000)} s after its deadline ${deadlineAt}`);
  context.emit('drill', 'deadline-met', `the run finished ${(margin / 1000).toFixed(1)} s (compressed minutes) before its deadline ${deadlineAt}`);
}

export const SCENARIO_DEFINITIONS: Record<Scenario, ScenarioDefinition> = {
  'spot-interruption': { run: (context, timing) => spotInterruption(context, timing) },

  'capacity-loss': {
    async run(context, timing) {
      await context.until('round 1 committed', () => context.round() >= 1);
      const instances = context.cloud.simulator.live('aws').map((p) => p.spec.instanceId ?? '');
      context.emit('aws', MARKER_EVENTS.outageStarted, `EC2 reclaims every Spot node (${instances.length}); no Spot capacity left in the region`);
      for (const id of instances) {
        context.emit('aws', MARKER_EVENTS.spotWarning, `EC2 Spot Instance Interruption Warning for ${id}`);
        await context.inject('aws.ec2/spot-interruption/terminate.json', spotWarningFor(id));
      }
      await context.sleep(timing.noticeMs);
      for (const id of instances) context.cloud.simulator.terminateAwsNode(id);
      await azureTrainsThenAwsReturns(context, instances.length, 'Spot capacity is back: Karpenter launches replacements');
    },
  },

  'aws-outage': {
    async run(context, timing) {
      await context.until('round 1 committed', () => context.round() >= 1);
      const nodes = context.cloud.simulator.live('aws').length;
      context.emit('aws', MARKER_EVENTS.outageStarted, 'EKS nodes go NotReady; the kubelet stops every trainer (SIGTERM: each flushes)');
      context.cloud.simulator.shutDownAwsNodes();
      context.emit('aws', 'alarm', 'CloudWatch composite alarm aws-training-unhealthy: OK -> ALARM');
      await context.inject('aws.cloudwatch/alarm-state-change/composite-alarm-alarm.json', () => undefined);
      await context.until('Azure takes over', () => context.phase() === 'azure-active', 120_000);
      const resumedAt = context.round();
      await context.until('two rounds on Azure', () => context.round() >= resumedAt + 2 || context.done(), 120_000);
      context.cloud.simulator.removeAwsNodes();
      context.emit('aws', MARKER_EVENTS.outageEnded, 'EKS is healthy again: Karpenter launches nodes for the AWS shards');
      for (let i = 0; i < nodes; i++) context.cloud.simulator.launchAwsNode();
      await context.sleep(timing.replacementMs);
      context.emit('aws', 'alarm', 'CloudWatch composite alarm aws-training-unhealthy: ALARM -> OK');
      await context.inject('aws.cloudwatch/alarm-state-change/composite-alarm-ok.json', () => undefined);
      await context.until('failback to AWS', () => context.phase() === 'aws-primary' && sawPhase(context, 'failing-back'), 120_000);
    },
  },

  'duplicate-storm': {
    duplicateDeliveries: 3,
    run: (context, timing) => spotInterruption(context, timing, 3),
  },

  'vpn-outage': {
    async run(context, timing) {
      await context.until('round 1 committed', () => context.round() >= 1);
      context.emit('drill', MARKER_EVENTS.outageStarted, 'the site-to-site VPN goes down: signals to Azure fail');
      context.cloud.vpn.setUp(false);
      setTimeout(() => {
        context.cloud.vpn.setUp(true);
        context.emit('drill', MARKER_EVENTS.outageEnded, 'the VPN is back: queued signals are delivered');
      }, 2 * timing.noticeMs);
      // Karpenter's replacement comes after the VPN is back, so that the late signal still finds AWS short.
      await spotInterruption(context, timing, 1, timing.replacementMs);
    },
  },

  'quiet-deploy': {
    // A fresh deployment and half an hour (compressed) of training: nothing may start a failover.
    async run(context) {
      context.emit('drill', 'quiet', 'no incident: training runs on AWS for 30 (compressed) minutes');
      await context.sleep(30_000);
      await context.until('the run completes', () => context.done(), 180_000);
    },
  },

  'long-vpn-outage': {
    // The run must outlast the outage, or it would finish before the signal gets through.
    rounds: 40,
    async run(context, timing) {
      await context.until('round 1 committed', () => context.round() >= 1);
      context.emit('drill', MARKER_EVENTS.outageStarted, 'the site-to-site VPN goes down for an hour (compressed): signals wait in the outbox');
      context.cloud.vpn.setUp(false);
      setTimeout(() => {
        context.cloud.vpn.setUp(true);
        context.emit('drill', MARKER_EVENTS.outageEnded, 'the VPN is back: the waiting signal is delivered');
      }, LONG_VPN_OUTAGE_MS);
      // Karpenter replaces the node only after the tunnel is back, so the late signal still finds AWS short.
      await spotInterruption(context, timing, 1, LONG_VPN_OUTAGE_MS + timing.replacementMs);
    },
  },

  'brain-outage': {
    // The run must outlast the silence timeout, the outage, the failover and the repair.
    rounds: 28,
    async run(context) {
      await context.until('round 1 committed', () => context.round() >= 1);
      const nodes = context.cloud.simulator.awsInstanceIds();
      context.emit('aws', MARKER_EVENTS.outageStarted, 'the AWS region fails: every trainer node stops, and no event or alarm gets out');
      for (const id of nodes) context.cloud.simulator.terminateAwsNode(id);
      // The Function App goes down just before the aggregator's silence timeout ends, for 10 (compressed) minutes.
      await context.sleep(BRAIN_OUTAGE_STARTS_AFTER_MS);
      context.emit('drill', 'brain-down', 'the Function App is unreachable for 10 (compressed) minutes');
      context.cloud.brainFrontEnd.setUp(false);
      await context.sleep(BRAIN_OUTAGE_MS);
      context.cloud.brainFrontEnd.setUp(true);
      context.emit('drill', 'brain-up', 'the Function App answers again: the waiting aws-silent gets through');
      await azureTrainsThenAwsReturns(context, nodes.length, 'the region is back: Karpenter launches trainer nodes');
    },
  },

  'ambiguous-commit': {
    // The first conditional write of the brain's state after the warning lands, and its answer is lost.
    async run(context, timing) {
      context.cloud.brainStorage.loseNext((request) => request.method === 'PUT' && /\/state\/[^/?]+\.json/.test(request.url ?? '') && (request.headers['if-match'] !== undefined || request.headers['if-none-match'] !== undefined));
      await spotInterruption(context, timing);
      if (context.cloud.brainStorage.lost !== 1) throw new Error(`expected one lost answer from storage, saw ${context.cloud.brainStorage.lost}`);
    },
  },

  deadline: { deadlineMs: DEADLINE_SCENARIO_DEADLINE_MS, run: deadlineSafetyNet },

  'partial-loss': {
    // One node of three goes with no warning and no alarm (a sudden reclaim); its Node object is gone before the
    // state-change event is read, so the interruption Lambda sees a foreign instance. The aggregator notices AWS
    // below its minimum only after the liveness timeout: the run must outlast that, the failover and the repair.
    rounds: 22,
    async run(context, timing) {
      await context.until('round 1 committed', () => context.round() >= 1);
      const victim = movableVictim(context);
      if (victim === undefined) throw new Error('no AWS node with a shard Azure may take over');
      context.emit('aws', MARKER_EVENTS.outageStarted, `EC2 reclaims ${victim} without a warning`);
      context.cloud.simulator.terminateAwsNode(victim);
      await context.inject('aws.ec2/instance-state-change/terminated.json', (event) => {
        event.resources = [`arn:aws:ec2:us-west-2:123456789012:instance/${victim}`];
        event.detail = { 'instance-id': victim, state: 'terminated' };
      });
      await context.until('Azure covers the lost trainer', () => context.phase() === 'azure-active', 120_000);
      await context.sleep(timing.replacementMs);
      context.emit('aws', MARKER_EVENTS.outageEnded, 'Karpenter launches a replacement node');
      context.cloud.simulator.launchAwsNode();
      await context.until('failback to AWS', () => context.phase() === 'aws-primary' && sawPhase(context, 'failing-back'), 120_000);
    },
  },
};

/** An hour, on the drill's clock: the issue's outage tolerance for the signal outbox. */
const LONG_VPN_OUTAGE_MS = 60_000;
/** Ten minutes of Function App outage, starting just before the aggregator's silence timeout (15 s in the run). */
const BRAIN_OUTAGE_MS = 10_000;
const BRAIN_OUTAGE_STARTS_AFTER_MS = 12_000;

/** Reads a recorded event for injection (a deep copy the scenario may change). */
export function recordedEvent(file: string): Record<string, unknown> {
  return structuredClone(loadEvent<Record<string, unknown>>(file));
}
