/**
 * The interruption Lambda: SQS batch of AWS events -> classify -> decide -> flush trainers, enqueue a signal,
 * publish a lifecycle event. Built by a factory so tests (and the local cloud) inject their adapters.
 *
 * Failure sorting, per record:
 * - drop: a malformed event (InvalidEventError) or an unbuildable signal goes to the dead-letter queue with
 *   its reason and is acknowledged; an ignored event or an instance that is not ours is logged and acknowledged;
 *   a trainer refusing a flush (4xx) is logged, never retried.
 * - retry in place: a trainer's 5xx, timeout or network error is retried inside the invocation, with backoff,
 *   until the flush deadline or the invocation's own time runs out. SQS redelivery comes only after the visibility
 *   timeout, when the instance is gone, so it cannot save a flush.
 * - retry: anything else (SQS, EventBridge, Secrets Manager, Kubernetes API, a trainer's 5xx or timeout before
 *   the deadline) makes this record a batch item failure; SQS redelivers it, the rest of the batch is kept.
 *
 * Idempotency: within one batch, records with the same event id are acted on once (later copies share the
 * first copy's outcome). Across batches and redeliveries, repeating the work is harmless because every
 * receiver is idempotent by key: a trainer flushes once per requestId (= event id), the brain acts once per
 * signal id (derived from event id and type), lifecycle consumers deduplicate by eventId.
 *
 * Tracing: each acted-on event opens a trace (the incident's first span starts at the event's own time), and its
 * context travels with every flush request and in the outbox message (protocol/tracing.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSRecord } from 'aws-lambda';
import { createTracing, type Tracing } from '../../protocol/tracer';
import type { Signal } from '../../protocol/signal';
import type { DeadLetterQueue } from '../adapters/dead-letter';
import type { LifecycleBus } from '../adapters/lifecycle-bus';
import type { LifecycleHooks } from '../adapters/lifecycle-hook';
import type { SignalOutbox } from '../adapters/outbox';
import type { FlushOutcome, TrainerFlusher } from '../adapters/trainer-flush';
import type { InstancePlacement, TrainerLocator, TrainerPod } from '../adapters/trainer-locator';
import { InvalidEventError } from '../events/errors';
import type { Message } from '../events/message';
import { decide, type FlushDecision, type ReflexConfig, type ReflexDecision } from '../reflex/decide';
import { flushRequestFor } from '../reflex/flush';
import { reflexActionDetail, type InstanceReport, type TrainerFlushReport } from '../reflex/lifecycle';
import { buildSignal, InvalidSignalError } from '../reflex/signal';
import { sqsBatchHandler, type SqsBatchHandler } from './sqs-batch';

type ActedOnMessage = Exclude<Message, { kind: 'ignored' }>;

/** Some of a record's work failed transiently; the record is retried as a whole (every step is idempotent). */
export class ReflexIncompleteError extends Error {
  override readonly name = 'ReflexIncompleteError';
}

export interface InterruptionHandlerDeps {
  readonly config: ReflexConfig & { readonly runId: string };
  /** lambdas/events/classify.ts `classify`: an SQS record (body = EventBridge event) to a Message. */
  readonly classify: (raw: unknown) => Message;
  readonly locator: TrainerLocator;
  readonly flusher: TrainerFlusher;
  readonly outbox: SignalOutbox;
  readonly lifecycle: LifecycleBus;
  /** Completes Auto Scaling lifecycle hooks once the instance's trainers have flushed. */
  readonly hooks: LifecycleHooks;
  readonly deadLetter: DeadLetterQueue;
  /** Spans of this function (protocol/tracer.ts). @default one that exports nowhere */
  readonly tracing?: Tracing;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => Date;
  /** Waits between flush attempts (tests pass a fake clock's). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Backoff between flush attempts to one trainer: first wait and cap. @default { firstMs: 500, maxMs: 4000 } */
  readonly flushRetry?: { readonly firstMs: number; readonly maxMs: number };
}

/** Stop retrying this long before the invocation would time out, so the batch response still gets out. */
const INVOCATION_MARGIN_MS = 3_000;

/** Per invocation: the in-batch deduplication map, and when in-place retries must stop. */
interface BatchState {
  readonly inFlight: Map<string, Promise<void>>;
  readonly retryUntilMs: number;
}

function isPoison(error: unknown): error is InvalidEventError | InvalidSignalError {
  return error instanceof InvalidEventError || error instanceof InvalidSignalError;
}

/** Builds the interruption handler around its adapters. */
export function createInterruptionHandler(deps: InterruptionHandlerDeps): SqsBatchHandler {
  const logger = deps.logger ?? new Logger({ serviceName: 'spot-on-interruption' });
  const metrics = deps.metrics ?? new Metrics({ namespace: 'SpotOn', serviceName: 'spot-on-interruption' });
  const now = deps.now ?? (() => new Date());
  const tracing = deps.tracing ?? createTracing({}, 'spot-on-interruption');
  const count = (name: string, value = 1) => {
    if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
  };

  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const flushRetry = deps.flushRetry ?? { firstMs: 500, maxMs: 4_000 };

  async function flushOnce(target: { name: string; ip: string }, request: ReturnType<typeof flushRequestFor>): Promise<FlushOutcome> {
    try {
      return await deps.flusher.flush(target, request);
    } catch (error) {
      // e.g. the signing key could not be read: as transient as a trainer timing out.
      return { outcome: 'failed', reason: (error as Error).message };
    }
  }

  /** Flushes one trainer, retrying transient failures while the flush deadline and the invocation allow. */
  async function flushTrainer(decision: FlushDecision, eventId: string, instanceId: string, pod: TrainerPod, retryUntilMs: number): Promise<FlushOutcome | { outcome: 'not-running' }> {
    if (pod.ip === undefined) return { outcome: 'not-running' };
    const target = { name: pod.name, ip: pod.ip };
    return tracing.inSpan(`flush ${pod.name}`, { component: 'lambda', attributes: { instanceId } }, () => flushWithRetries(decision, eventId, instanceId, target, retryUntilMs));
  }

  async function flushWithRetries(decision: FlushDecision, eventId: string, instanceId: string, target: { name: string; ip: string }, retryUntilMs: number): Promise<FlushOutcome> {
    const request = flushRequestFor(decision, eventId, instanceId);
    const stopMs = Math.min(Date.parse(request.deadline), retryUntilMs);
    let waitMs = flushRetry.firstMs;
    for (let attempt = 1; ; attempt++) {
      const result = await flushOnce(target, request);
      if (result.outcome !== 'failed' || now().getTime() + waitMs >= stopMs) return result;
      logger.warn('trainer flush failed; retrying before the deadline', { eventId, pod: target.name, attempt, reason: result.reason, retryInMs: waitMs });
      count('FlushRetries');
      await sleep(waitMs);
      waitMs = Math.min(waitMs * 2, flushRetry.maxMs);
    }
  }

  async function flushAndSignal(message: ActedOnMessage, decision: FlushDecision, retryUntilMs: number): Promise<void> {
    const placements = await deps.locator.locate(decision.instanceIds);
    const owned = placements.filter((p): p is InstancePlacement & { nodeName: string } => p.nodeName !== undefined);
    const foreignInstanceIds = placements.filter((p) => p.nodeName === undefined).map((p) => p.instanceId);
    if (owned.length === 0) {
      // Spot and state-change events are region-wide: another workload's instance is not our concern.
      logger.info('no named instance is a node of this cluster; nothing to do', { eventId: message.eventId, instanceIds: foreignInstanceIds });
      count('ForeignEvents');
      return;
    }
    for (const placement of owned.filter((p) => p.trainers.length === 0)) {
      logger.info('no trainer pods on instance; nothing to flush there', { eventId: message.eventId, instanceId: placement.instanceId, nodeName: placement.nodeName });
    }

    const signal: Signal | undefined =
      decision.signalType === undefined
        ? undefined
        : buildSignal({ message, type: decision.signalType, runId: deps.config.runId, issuedAt: now(), instanceIds: owned.map((p) => p.instanceId) });

    // Flushing and signalling do not depend on each other: the brain needs minutes to provision Azure
    // capacity, the trainers need every second of their two minutes.
    const [flushed, enqueued] = await Promise.allSettled([
      Promise.all(
        owned.map(async (placement) => ({
          placement,
          outcomes: await Promise.all(placement.trainers.map(async (pod) => ({ pod, result: await flushTrainer(decision, message.eventId, placement.instanceId, pod, retryUntilMs) }))),
        })),
      ),
      signal === undefined ? Promise.resolve() : deps.outbox.enqueue(signal),
    ]);
    if (flushed.status === 'rejected') throw flushed.reason; // flushTrainer never throws; a bug if it did

    const instances: InstanceReport[] = flushed.value.map(({ placement, outcomes }) => ({
      instanceId: placement.instanceId,
      nodeName: placement.nodeName,
      trainers: outcomes.map(({ pod, result }) => ({
        pod: pod.name,
        outcome: result.outcome satisfies TrainerFlushReport,
        ...('status' in result && result.status !== undefined ? { status: result.status } : {}),
      })),
    }));
    const results = flushed.value.flatMap(({ outcomes }) => outcomes);
    const failures = results.filter(({ result }) => result.outcome === 'failed');
    for (const { pod, result } of results) {
      if (result.outcome === 'rejected' || result.outcome === 'failed') {
        logger.error('trainer flush failed', { eventId: message.eventId, pod: pod.name, ...result });
      } else if (result.outcome === 'expired') {
        logger.warn('flush deadline passed; trainer not asked', { eventId: message.eventId, pod: pod.name, deadline: decision.deadline });
      }
    }
    count('TrainersFlushed', results.filter(({ result }) => result.outcome === 'flushed' || result.outcome === 'already-flushing').length);
    count('FlushFailures', failures.length);
    count('FlushRejected', results.filter(({ result }) => result.outcome === 'rejected').length);
    count('FlushExpired', results.filter(({ result }) => result.outcome === 'expired').length);

    if (enqueued.status === 'rejected' || failures.length > 0) {
      const what = [
        ...(enqueued.status === 'rejected' ? [`signal enqueue failed: ${(enqueued.reason as Error).message}`] : []),
        ...(failures.length > 0 ? [`${failures.length} trainer flush(es) failed before the deadline`] : []),
      ];
      throw new ReflexIncompleteError(`event ${message.eventId}: ${what.join('; ')}`, {
        cause: enqueued.status === 'rejected' ? enqueued.reason : failures.map(({ result }) => result),
      });
    }
    if (signal !== undefined) count('SignalsEnqueued');
    await deps.lifecycle.publish(
      reflexActionDetail(message, decision, {
        ...(signal === undefined ? {} : { signal: { id: signal.id, type: signal.type } }),
        instances,
        ...(foreignInstanceIds.length > 0 ? { foreignInstanceIds } : {}),
      }),
    );
    count('LifecycleEvents');
  }

  async function act(message: ActedOnMessage, decision: Exclude<ReflexDecision, { action: 'ignore' }>, retryUntilMs: number): Promise<void> {
    switch (decision.action) {
      case 'record':
        await deps.lifecycle.publish(reflexActionDetail(message, decision));
        count('LifecycleEvents');
        return;
      case 'signal': {
        const signal = buildSignal({ message, type: decision.signalType, runId: deps.config.runId, issuedAt: now(), alarmName: decision.alarmName });
        await deps.outbox.enqueue(signal);
        count('SignalsEnqueued');
        await deps.lifecycle.publish(reflexActionDetail(message, decision, { signal: { id: signal.id, type: signal.type } }));
        count('LifecycleEvents');
        return;
      }
      case 'flush':
        await flushAndSignal(message, decision, retryUntilMs);
        if (message.kind === 'asg-terminate-lifecycle') await completeHook(message);
        return;
      default: {
        const unreachable: never = decision;
        throw new Error(`unhandled decision ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** The flush is durable: let Auto Scaling terminate the instance now instead of at the hook's timeout. */
  async function completeHook(message: Extract<Message, { kind: 'asg-terminate-lifecycle' }>): Promise<void> {
    const [instanceId = ''] = message.instanceIds;
    const outcome = await deps.hooks.complete({
      autoScalingGroupName: message.autoScalingGroupName,
      lifecycleHookName: message.lifecycleHookName,
      lifecycleActionToken: message.lifecycleActionToken,
      instanceId,
    });
    logger.info('lifecycle hook completed', { eventId: message.eventId, instanceId, hook: message.lifecycleHookName, outcome });
    count('LifecycleHooksCompleted');
  }

  async function deadLetter(record: SQSRecord, error: InvalidEventError | InvalidSignalError): Promise<void> {
    await deps.deadLetter.send(record.body, { reason: error.message, errorName: error.name });
    logger.warn('poison message sent to the dead-letter queue', { messageId: record.messageId, errorName: error.name, reason: error.message });
    count('PoisonEvents');
  }

  async function handleRecord(record: SQSRecord, { inFlight, retryUntilMs }: BatchState): Promise<void> {
    let message: Message;
    try {
      message = deps.classify(record);
    } catch (error) {
      if (isPoison(error)) return deadLetter(record, error);
      throw error;
    }
    const decision = decide(message, deps.config);
    if (message.kind === 'ignored' || decision.action === 'ignore') {
      logger.info('event ignored', { messageId: record.messageId, eventId: message.eventId, kind: message.kind, rationale: decision.rationale });
      count('IgnoredEvents');
      return;
    }
    const first = inFlight.get(message.eventId);
    if (first !== undefined) {
      logger.info('duplicate event in this batch; acted on once', { messageId: record.messageId, eventId: message.eventId });
      count('DuplicateEvents');
      return first;
    }
    logger.info('acting on event', { messageId: record.messageId, eventId: message.eventId, kind: message.kind, action: decision.action, rationale: decision.rationale });
    // The span starts when AWS emitted the event: EventBridge and SQS delivery belong to the incident's time too.
    const emitted = new Date(Math.min(Date.parse(message.time), now().getTime()));
    const traced = tracing.inSpan(message.kind, { component: 'lambda', step: 'warning', startTime: emitted, attributes: { eventId: message.eventId, action: decision.action } }, () =>
      act(message, decision, retryUntilMs),
    );
    const work = traced.catch((error: unknown) => (isPoison(error) ? deadLetter(record, error) : Promise.reject(error)));
    inFlight.set(message.eventId, work);
    return work;
  }

  const prepare = (context?: Context): BatchState => ({
    inFlight: new Map<string, Promise<void>>(),
    retryUntilMs: context === undefined ? Number.POSITIVE_INFINITY : now().getTime() + context.getRemainingTimeInMillis() - INVOCATION_MARGIN_MS,
  });
  return sqsBatchHandler({ logger, metrics, tracing, what: 'record', prepare, handleRecord });
}
