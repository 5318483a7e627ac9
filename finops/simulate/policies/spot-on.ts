/**
 * `spot-on`: the brain as the Terraform example deploys it (with the on-demand pool of the deadline safety net),
 * replayed. The simulator does not re-implement it: every tick this adapter feeds the brain's own pure functions
 * (azure-functions/src/domain: `decide`, `reconsiderDeferred`, `completeOperation`, `failOperation`) what the
 * production shell would feed them, keeps the FailoverState they return, and places the job where the phase says:
 *
 *   aws-primary  -> AWS Spot: the job's pool while it has capacity, else the cheapest AWS pool with capacity
 *                   (Karpenter's replacement), else wait
 *   failing-over -> changeover to the Azure pool (the first `azure/...` pool given: the brain scales one pool), or
 *                   to on-demand when the safety net moved the failover there
 *   azure-active -> Azure Spot, waiting while the Azure pool has no capacity (azure-silent may then move the
 *                   cover to on-demand); or on-demand under the safety net
 *   failing-back -> changeover to AWS Spot, as in aws-primary
 *
 * What the shell would feed it, and how it is built here:
 * - `capacity-lost` (the AWS signal Lambda forwards every Spot interruption warning): when the job is preempted
 *   from an AWS pool. The job is one gang of trainers (Can't Be Late's polarization rule), so the run status lists
 *   one AWS trainer on the lost instance and `minAwsTrainers` is 1: one lost instance calls for one Azure node.
 * - `aws-silent` (the aggregator, once per silence): when no AWS trainer has trained for its default
 *   awsSilenceTimeoutMs (fl-training/config.ts), e.g. when the failback finds AWS without capacity.
 * - `azure-silent` (the aggregator, once per silence): under azure-active, when the job trained on Azure and then
 *   has not for the same timeout (the Azure pool lost its capacity).
 * - `aws-recovered` (the aggregator, when AWS trainers report again after falling short): once a changeover's
 *   time has passed since AWS fell short and some AWS pool has had capacity for that long (a node launched).
 * - continuations: every `schedule-deferred` action is queued and re-evaluated with `reconsiderDeferred` at its time.
 * - the run status: every one the brain reads carries the job as its schedule (the deadline safety net reads it).
 * - pool operations: a failover completes when the job's changeover into Azure completes, and fails
 *   (`AllocationFailed`) when the Azure pool has no capacity while failing over: the brain then asks its safety net
 *   (deadline-fallback.ts) with a run status whose schedule is the job (one round per tick of work, the deadline
 *   as its deadline), and either moves to on-demand or aborts to failing-back. A failback (the Azure release)
 *   completes once the job has left Azure, whether AWS has capacity or not.
 * Not modelled: aws-unhealthy (one gang: capacity-lost and aws-silent already move everything), the Azure pool's
 * node count (one node), operation timeouts and ARM retries. The policy is POLICY_DEFAULTS with the safety net on
 * and a move costing the failover time. The brain's on-demand pool is on Azure; the engine runs on-demand in AWS
 * (HOME_CLOUD) at the same price, so only the kind of changeover charged may differ. A missed deadline is finished
 * on on-demand by the engine, as for every policy.
 */
import { defaultRunConfig } from '../../../fl-training/config';
import type { RunStatus } from '../../../protocol/run-status';
import type { Signal, SignalType } from '../../../protocol/signal';
import { decide, reconsiderDeferred, type BrainAction } from '../../../azure-functions/src/domain/decide';
import { completeOperation, failOperation } from '../../../azure-functions/src/domain/operation';
import { FailoverPolicySchema, POLICY_DEFAULTS, type FailoverPolicy } from '../../../azure-functions/src/domain/policy';
import { initialState, type FailoverState } from '../../../azure-functions/src/domain/state';
import { IDLE, ON_DEMAND, spotIn, type Location } from '../model';
import { preferCurrentThenCheapest, ticksOf, type Policy, type PolicySetup, type TickView } from './policy';

const RUN_ID = 'simulated-run';
/** The simulated clock's origin: any fixed instant works, the brain only compares durations. */
const EPOCH_MS = Date.UTC(2026, 0, 1);

interface Continuation {
  readonly signalId: string;
  readonly notBeforeMs: number;
}

export interface SpotOnMemory {
  readonly brain: FailoverState;
  readonly policy: FailoverPolicy;
  readonly continuations: readonly Continuation[];
  /** The tick AWS fell short of its minimum (the aggregator's view), undefined while it is not short. */
  readonly awsShortSince: number | undefined;
  /** The tick the job last stopped training on AWS (no AWS trainer heard since), and whether aws-silent went out. */
  readonly silence: { readonly since: number; readonly sent: boolean } | undefined;
  /** Azure's cover as the aggregator sees it: trainers heard under it, the tick they went quiet, azure-silent sent. */
  readonly azureQuiet: { readonly heard: boolean; readonly since: number | undefined; readonly sent: boolean };
  /** Consecutive ticks of capacity per pool, this tick included. */
  readonly upTicks: readonly number[];
  readonly signalsSent: number;
}

/** The brain's one Azure pool: the first Azure pool given. */
export function azurePoolOf(setup: PolicySetup): number | undefined {
  const index = setup.pools.findIndex((pool) => pool.cloud === 'azure');
  return index === -1 ? undefined : index;
}

const clock = (setup: PolicySetup, tick: number) => new Date(EPOCH_MS + tick * setup.settings.tickSeconds * 1000);

/** A made-up but well-formed EC2 instance id for the node the job had on `pool` until `tick`. */
const instanceId = (pool: number, tick: number) => `i-${(pool * 1_000_000 + tick).toString(16).padStart(17, '0')}`;

/** The job as the aggregator's status.json would show it: one round per tick of work, the deadline as the run's. */
function scheduled(status: RunStatus, setup: PolicySetup, progressTicks: number): RunStatus {
  return {
    ...status,
    round: progressTicks,
    schedule: { rounds: setup.settings.jobTicks, startedAt: clock(setup, 0).toISOString(), deadlineAt: clock(setup, setup.settings.deadlineTicks).toISOString() },
  };
}

function runStatus(now: Date, awsReporting: boolean, lostInstance?: string, azureReporting = false): RunStatus {
  const at = now.toISOString();
  return {
    version: 1,
    runId: RUN_ID,
    round: 0,
    epoch: 0,
    updatedAt: at,
    trainers: lostInstance === undefined ? [] : [{ clientId: 'trainer-0', cloud: 'aws', shard: 'shard-0', residency: 'any', instanceId: lostInstance, lastSeenAt: at }],
    shards: [{ shard: 'shard-0', residency: 'any', movableToAzure: true }],
    reporting: { aws: awsReporting ? 1 : 0, azure: azureReporting ? 1 : 0 },
  };
}

function signal(type: SignalType, id: string, now: Date, instanceIds?: readonly string[]): Signal {
  const time = now.toISOString();
  return {
    version: 1,
    id,
    type,
    runId: RUN_ID,
    issuedAt: time,
    source: { eventId: id, source: 'spot-on.simulate', detailType: type, time },
    ...(instanceIds === undefined ? {} : { instanceIds: [...instanceIds] }),
  };
}

/** The aggregator's default awsSilenceTimeoutMs (fl-training/config.ts), in ticks (at least one). */
const AWS_SILENCE_TICKS = (setup: PolicySetup) => Math.max(1, Math.ceil(defaultRunConfig('mnist').awsSilenceTimeoutMs / 1000 / setup.settings.tickSeconds));

/** True when the job is (or is moving) on Azure capacity: its Spot pool, or on-demand under the safety net. */
function onAzure(at: Location, setup: PolicySetup): boolean {
  return (at.kind === 'spot' && setup.pools[at.pool]?.cloud === 'azure') || at.kind === 'on-demand';
}

const deferrals = (actions: readonly BrainAction[]): Continuation[] =>
  actions.flatMap((action) => (action.kind === 'schedule-deferred' ? [{ signalId: action.signalId, notBeforeMs: Date.parse(action.notBefore) }] : []));

/** Places the job where the brain's phase says. */
function placement(brain: FailoverState, view: TickView, setup: PolicySetup, azurePool: number | undefined): Location {
  const onAws = () => {
    const pool = preferCurrentThenCheapest(view, (index) => setup.pools[index]?.cloud === 'aws');
    return pool === undefined ? IDLE : spotIn(pool);
  };
  const phase = brain.phase;
  switch (phase) {
    case 'aws-primary':
    case 'failing-back':
      return onAws();
    case 'failing-over':
    case 'azure-active':
      if (brain.azureCapacity === 'on-demand') return ON_DEMAND;
      return azurePool !== undefined && view.pools[azurePool]?.available === true ? spotIn(azurePool) : IDLE;
  }
}

/** The brain's settings a run may change from the deployed defaults. */
export interface SpotOnOptions {
  /** SPOTON_REPLACEMENT_GRACE_SECONDS: how long a capacity-lost waits for Karpenter's replacement (0: fail over at once). */
  readonly replacementGraceSeconds: number;
}

/** The brain with `options` (the deployed defaults unless given). */
export function spotOnPolicyWith(options: SpotOnOptions = { replacementGraceSeconds: POLICY_DEFAULTS.replacementGraceSeconds }): Policy<SpotOnMemory> {
  const graced = options.replacementGraceSeconds > 0;
  return {
    name: graced ? `spot-on-grace-${options.replacementGraceSeconds}s` : 'spot-on',
    summary: graced
      ? `the brain with SPOTON_REPLACEMENT_GRACE_SECONDS=${options.replacementGraceSeconds}: a capacity-lost waits that long for Karpenter's replacement first`
      : "the brain: AWS Spot, fail over to the Azure pool on capacity-lost (on-demand if that pool refuses and the deadline needs it), fail back after the cooldown (its real decide())",
    seesFuture: false,
    init(setup) {
      const policy = FailoverPolicySchema.parse({
        ...POLICY_DEFAULTS,
        minAwsTrainers: 1,
        maxAzureNodes: azurePoolOf(setup) === undefined ? 0 : 1,
        onDemandSafetyNet: true,
        replacementGraceSeconds: options.replacementGraceSeconds,
        expectedMoveSeconds: setup.settings.changeoverTicks.failover * setup.settings.tickSeconds,
      });
      return { brain: initialState(RUN_ID, clock(setup, 0)), policy, continuations: [], awsShortSince: undefined, silence: undefined, azureQuiet: { heard: false, since: undefined, sent: false }, upTicks: setup.pools.map(() => 0), signalsSent: 0 };
    },
    decide(view, memory, setup) {
      const { job } = view;
      const now = clock(setup, job.tick);
      const { policy } = memory;
      const azurePool = azurePoolOf(setup);
      const changeoverTicks = ticksOf(setup, 'changeover');
      const upTicks = view.pools.map((pool, index) => (pool.available ? (memory.upTicks[index] ?? 0) + 1 : 0));
      const awsUp = setup.pools.some((pool, index) => pool.cloud === 'aws' && view.pools[index]?.available === true);
      let brain = memory.brain;
      let continuations = [...memory.continuations];
      let signalsSent = memory.signalsSent;
      let awsShortSince = memory.awsShortSince;

      // Pool operations: the job's changeover is the operation.
      const operation = brain.pendingOperation;
      const readyIn = (cloud: 'aws' | 'azure') => job.changeoverLeftTicks === 0 && job.at.kind === 'spot' && setup.pools[job.at.pool]?.cloud === cloud;
      const readyOnDemand = job.changeoverLeftTicks === 0 && job.at.kind === 'on-demand';
      const complete = (observation: string) => {
        if (operation === undefined) return;
        const step = completeOperation(brain, operation.id, observation, now);
        brain = step.state;
        continuations.push(...deferrals(step.actions));
      };
      const onDemand = operation?.capacity === 'on-demand';
      if (operation !== undefined && brain.phase === 'failing-over' && (onDemand ? readyOnDemand : readyIn('azure'))) {
        complete(onDemand ? 'simulated: the on-demand pool is ready' : 'simulated: the Azure pool is ready');
      } else if (operation !== undefined && operation.purpose === 'adjust' && (onDemand ? readyOnDemand : readyIn('azure'))) {
        complete('simulated: the cover is on its new pool');
      } else if (operation !== undefined && brain.phase === 'failing-over' && !onDemand && (azurePool === undefined || view.pools[azurePool]?.available !== true)) {
        const status = scheduled(runStatus(now, false), setup, job.progressTicks);
        const step = failOperation(brain, operation.id, { code: 'AllocationFailed', message: 'simulated: the Azure pool has no Spot capacity' }, now, policy, { status });
        brain = step.state;
      } else if (operation !== undefined && brain.phase === 'failing-back' && !onAzure(job.at, setup)) {
        // The failback's operation is the Azure release: done once the job has left Azure, whether AWS has capacity or not.
        complete('simulated: the Azure pool is released');
      }
      // Continuations that are due, in time order.
      const due = continuations.filter((continuation) => continuation.notBeforeMs <= now.getTime()).sort((a, b) => a.notBeforeMs - b.notBeforeMs);
      continuations = continuations.filter((continuation) => continuation.notBeforeMs > now.getTime());
      const awsReporting = awsShortSince !== undefined && job.tick - awsShortSince >= changeoverTicks && setup.pools.some(
        (pool, index) => pool.cloud === 'aws' && (upTicks[index] ?? 0) >= changeoverTicks,
      );
      // What the aggregator's status.json says of AWS: trainers heard when the job trains there; while AWS is not
      // known to be short, whenever an AWS pool has capacity; once it is, when the replacement has come up.
      const trainingOnAws = job.at.kind === 'spot' && setup.pools[job.at.pool]?.cloud === 'aws' && job.changeoverLeftTicks === 0;
      const awsHeard = trainingOnAws || (awsShortSince === undefined ? awsUp : awsReporting);
      const trainingOnAzure = job.changeoverLeftTicks === 0 && (job.at.kind === 'on-demand' ? brain.azureCapacity === 'on-demand' : job.at.kind === 'spot' && setup.pools[job.at.pool]?.cloud === 'azure');
      // The run as status.json shows it to the brain: who reports, and its schedule (the deadline safety net reads it).
      const statusNow = (lostInstance?: string) => scheduled(runStatus(now, awsHeard, lostInstance, trainingOnAzure), setup, job.progressTicks);
      for (const continuation of due) {
        const step = reconsiderDeferred(brain, continuation.signalId, statusNow(), policy, now);
        brain = step.state;
        continuations.push(...deferrals(step.actions));
      }
      // Signals.
      const send = (type: SignalType, status: RunStatus, instanceIds?: readonly string[]) => {
        signalsSent += 1;
        const step = decide(brain, signal(type, `sim-${signalsSent}-${type}`, now, instanceIds), status, policy, now);
        brain = step.state;
        continuations.push(...deferrals(step.actions));
      };
      // The aggregator's aws-silent: no AWS trainer heard for its silence timeout, once per silence.
      let silence = trainingOnAws ? undefined : (memory.silence ?? { since: job.tick, sent: false });
      if (silence !== undefined && !silence.sent && job.tick - silence.since >= AWS_SILENCE_TICKS(setup)) {
        send('aws-silent', runStatus(now, false));
        silence = { ...silence, sent: true };
      }
      // The aggregator's azure-silent: Azure covers, its trainers were heard and went quiet for the silence timeout.
      let azureQuiet = memory.azureQuiet;
      if (brain.phase !== 'azure-active') azureQuiet = { heard: false, since: undefined, sent: false };
      else if (trainingOnAzure) azureQuiet = { heard: true, since: undefined, sent: false };
      else if (azureQuiet.heard) {
        const since = azureQuiet.since ?? job.tick;
        azureQuiet = { ...azureQuiet, since };
        if (!azureQuiet.sent && job.tick - since >= AWS_SILENCE_TICKS(setup)) {
          send('azure-silent', statusNow());
          azureQuiet = { ...azureQuiet, sent: true };
        }
      }
      const lost = job.preemptedFrom;
      if (lost !== undefined && setup.pools[lost]?.cloud === 'aws') {
        const instance = instanceId(lost, job.tick);
        send('capacity-lost', runStatus(now, true, instance), [instance]);
        awsShortSince = job.tick;
      } else if (awsShortSince === undefined && !awsUp && brain.phase !== 'aws-primary') {
        awsShortSince = job.tick;
      } else if (awsReporting) {
        send('aws-recovered', runStatus(now, true));
        awsShortSince = undefined;
      }
      return {
        target: placement(brain, view, setup, azurePool),
        memory: { brain, policy, continuations, awsShortSince, silence, azureQuiet, upTicks, signalsSent },
      };
    },
  };
}

/** The brain as the Terraform example deploys it. */
export const spotOnPolicy = spotOnPolicyWith();
