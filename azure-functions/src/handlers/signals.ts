/**
 * `POST /api/signals`: the HTTP edge of the failover brain. Checks in this order, cheapest first: media type
 * (415: application/json only), body size (413), HMAC signature and timestamp window (401), JSON and SignalSchema
 * (400), run id (400); then the signal use case answers 202 (accepted: acted on, recorded, deferred or ignored, with
 * phase and epoch) or 200 (duplicate id). Transient storage/ARM/queue trouble answers 503 with Retry-After: the AWS
 * signal Lambda retries 5xx. Error bodies name what failed, never an address: those go to the log only.
 *
 * A byte-identical replay inside the 300 s signature window is indistinguishable from an at-least-once redelivery
 * of the same signal and is answered 200 duplicate, changing nothing; outside the window it is 401.
 *
 * A verified signal is handled in a span of the trace its `traceparent` header names (protocol/tracing.ts); refused
 * requests make no span, so nobody can write into the traces without the signing key.
 */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { MAX_SIGNAL_BYTES, SignalSchema, type Signal } from '../../../protocol/signal';
import { verifyWithRing } from '../../../protocol/keys';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../protocol/signing';
import { parseTraceparent, TRACEPARENT } from '../../../protocol/tracing';
import { isRetryable, messageOf, TransientDependencyError } from '../errors';
import { handleSignal, type SignalResult } from '../use-cases/handle-signal';
import { tracingOf } from '../use-cases/services';
import { json, logFrom, type ServicesProvider } from './common';

/** The body of a 202/200 answer. */
export function signalAnswer(signal: Signal, result: SignalResult): Record<string, unknown> {
  const { state } = result;
  const pending = state.pendingOperation;
  return {
    status: result.outcome === 'duplicate' ? 'duplicate' : 'accepted',
    outcome: result.outcome,
    reason: result.reason,
    signalId: signal.id,
    runId: state.runId,
    phase: state.phase,
    epoch: state.epoch,
    coverage: state.coverage,
    desiredAzureNodes: state.desiredAzureNodes,
    pausedShards: state.pausedShards,
    pendingOperation:
      pending === undefined ? null : { id: pending.id, purpose: pending.purpose, targetNodes: pending.targetNodes, stage: pending.stage },
    ...(state.deferredSignal?.id === signal.id ? { deferredUntil: state.deferredSignal.notBefore } : {}),
    drives: result.drives.map((drive) => ({
      operationId: drive.operationId,
      continuationQueued: drive.continuationQueued,
      ...(drive.result === undefined ? {} : { pool: drive.result.kind }),
      ...(drive.deferredError === undefined ? {} : { retriedBy: 'continuation', error: drive.deferredError }),
    })),
    ...(result.statusProblem === undefined ? {} : { runStatus: result.statusProblem }),
  };
}

function refuse(status: number, error: string, reason: string): HttpResponseInit {
  return json(status, { error, reason });
}

/** `application/json`, with or without parameters (`; charset=utf-8`). */
function isJsonMediaType(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** What a 503 tells the sender: the dependency that failed, not its address or its error text. */
function unavailableReason(error: unknown): string {
  if (error instanceof TransientDependencyError) return `${error.dependency} is unavailable`;
  return 'the state is contended';
}

/** Builds the signals handler over its services. */
export function createSignalsHandler(services: ServicesProvider): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const log = logFrom(context);
    const brain = await services();
    if (!isJsonMediaType(request.headers.get('content-type'))) return refuse(415, 'unsupported-media-type', 'signals are application/json');
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > MAX_SIGNAL_BYTES) return refuse(413, 'payload-too-large', `body is ${declared} bytes; the limit is ${MAX_SIGNAL_BYTES}`);
    const raw = Buffer.from(await request.arrayBuffer());
    if (raw.length > MAX_SIGNAL_BYTES) return refuse(413, 'payload-too-large', `body is ${raw.length} bytes; the limit is ${MAX_SIGNAL_BYTES}`);

    const verdict = verifyWithRing(brain.settings.signalKeys, raw, {
      timestamp: request.headers.get(TIMESTAMP_HEADER),
      signature: request.headers.get(SIGNATURE_HEADER),
    }, brain.clock().getTime());
    if (!verdict.ok) {
      log.warn('signal refused: bad signature', { reason: verdict.reason });
      return refuse(401, 'unauthorized', verdict.reason);
    }

    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      return refuse(400, 'invalid-body', `body is not JSON: ${messageOf(error)}`);
    }
    const parsed = SignalSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refuse(400, 'invalid-body', `not a v1 signal: ${issue === undefined ? 'invalid' : `${issue.path.join('.') || '(root)'}: ${issue.message}`}`);
    }
    const signal = parsed.data;
    if (signal.runId !== brain.settings.runId) {
      return refuse(400, 'wrong-run', `signal is for run ${signal.runId}; this brain serves run ${brain.settings.runId}`);
    }

    const tracing = tracingOf(brain);
    try {
      const result = await tracing.inSpan(`signal ${signal.type}`, { component: 'brain', parent: parseTraceparent(request.headers.get(TRACEPARENT)), attributes: { signalId: signal.id } }, () =>
        handleSignal(brain, signal, log),
      );
      return json(result.outcome === 'duplicate' ? 200 : 202, signalAnswer(signal, result));
    } catch (error) {
      if (isRetryable(error)) {
        const retryAfter = error instanceof TransientDependencyError ? (error.retryAfterSeconds ?? 5) : 1;
        log.warn('signal not handled now; the sender retries', { signalId: signal.id, error: messageOf(error) });
        return json(503, { error: 'unavailable', reason: unavailableReason(error) }, { 'retry-after': String(Math.max(1, retryAfter)) });
      }
      log.error('signal handling failed', { signalId: signal.id, error: messageOf(error) });
      throw error;
    } finally {
      await tracing.flush();
    }
  };
}
