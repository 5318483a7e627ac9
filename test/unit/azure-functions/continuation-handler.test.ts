import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { ArmRefusedError, failureOfOperationError } from '../../../azure-functions/src/adapters/agent-pool';
import { apiServerFromKubeconfig } from '../../../azure-functions/src/adapters/trainer-scaler';
import type { ContinuationMessage } from '../../../azure-functions/src/domain/continuation-message';
import { createContinuationHandler, MAX_DEQUEUE_COUNT } from '../../../azure-functions/src/handlers/continuation';
import { createStatusHandler } from '../../../azure-functions/src/handlers/status';
import { TrainerScaleError, TransientDependencyError } from '../../../azure-functions/src/errors';
import type { ContinuationResult } from '../../../azure-functions/src/use-cases/continue';
import { handleSignal } from '../../../azure-functions/src/use-cases/handle-signal';
import { silentLog } from '../../../azure-functions/src/use-cases/services';
import { fakes, iso, quietContext, RUN, runStatus, signal, type Fakes } from './helpers';

const check = (operationId: string, attempt = 0): ContinuationMessage => ({ version: 1, kind: 'operation', runId: RUN, operationId, attempt, enqueuedAt: iso(0) });

async function deliver(f: Fakes, message: unknown, context: InvocationContext = quietContext('continuation')): Promise<ContinuationResult | undefined> {
  return (await createContinuationHandler(() => f.services)(message, context)) as ContinuationResult | undefined;
}

/** Fakes with a failover to 3 nodes started (op-1 submitted, its first check queued). */
async function failingOver(): Promise<Fakes> {
  const f = fakes();
  await handleSignal(f.services, signal('aws-unhealthy', 'sig-1'), silentLog);
  f.queue.sent.length = 0;
  return f;
}

describe('continuation queue trigger', () => {
  it('waits while the pool operation runs, re-queueing itself with backoff', async () => {
    const f = await failingOver();
    f.pool.view = { provisioningState: 'Scaling', count: 3, enableAutoScaling: false };
    f.setTime(20);
    const result = await deliver(f, check('op-1', 2));
    expect([result?.outcome, result?.reason]).toStrictEqual(['waiting', 'operation running: Scaling, count 3']);
    expect(f.queue.sent).toStrictEqual([{ message: { ...check('op-1', 3), enqueuedAt: iso(20) }, delaySeconds: 34 }]);
    expect(f.store.state.pendingOperation).toMatchObject({ checks: 1, lastCheckedAt: iso(20) });
  });

  it('completes: scales the trainers, then records azure-active with a new epoch', async () => {
    const f = await failingOver();
    f.pool.view = { provisioningState: 'Succeeded', count: 3, enableAutoScaling: false };
    f.setTime(300);
    const result = await deliver(f, check('op-1'));
    expect([result?.outcome, f.trainers.calls, f.store.state.phase, f.store.state.epoch, f.store.state.pendingOperation, f.queue.sent]).toStrictEqual([
      'completed', [3], 'azure-active', 2, undefined, [],
    ]);
  });

  it('stays failing-over while the scaled trainers are not ready (Pending pods), then completes once they are', async () => {
    const f = await failingOver();
    f.pool.view = { provisioningState: 'Succeeded', count: 3, enableAutoScaling: false };
    f.trainers.ready = 1;
    f.setTime(300);
    const waiting = await deliver(f, check('op-1'));
    expect([waiting?.outcome, waiting?.reason, f.store.state.phase, f.store.state.epoch]).toStrictEqual(['waiting', 'pool ready (Succeeded, count 3); 1/3 trainer(s) ready', 'failing-over', 1]);
    expect(f.queue.sent.map((sent) => sent.message)).toStrictEqual([{ ...check('op-1', 1), enqueuedAt: iso(300) }]);
    f.trainers.ready = 3;
    expect((await deliver(f, check('op-1', 1)))?.outcome).toBe('completed');
    expect([f.store.state.phase, f.trainers.calls]).toStrictEqual(['azure-active', [3, 3]]);
  });

  it('fails the failover loudly when the trainers never become ready within the operation timeout', async () => {
    const f = await failingOver();
    f.pool.view = { provisioningState: 'Succeeded', count: 3, enableAutoScaling: false };
    f.trainers.ready = 0;
    f.setTime(f.services.settings.policy.operationTimeoutSeconds + 60);
    const result = await deliver(f, check('op-1'));
    expect([result?.outcome, f.store.state.phase, f.store.state.lastFailure?.code]).toStrictEqual(['failed', 'failing-back', 'TrainersNotReady']);
    expect(f.store.state.lastFailure?.message).toMatch(/0\/3 trainer\(s\) ready/);
  });

  it('leaves the state alone when scaling the trainers fails, so the redelivery completes it', async () => {
    const f = await failingOver();
    f.pool.view = { provisioningState: 'Succeeded', count: 3, enableAutoScaling: false };
    f.trainers.failures = [new TransientDependencyError('kubernetes', 'API server 503')];
    await expect(deliver(f, check('op-1'))).rejects.toThrow('API server 503');
    expect(f.store.state.phase).toBe('failing-over');
    expect((await deliver(f, check('op-1')))?.outcome).toBe('completed');
    expect(f.trainers.calls).toStrictEqual([3]);
  });

  it('fails the failover when the Kubernetes API refuses for good, and still releases the pool', async () => {
    const f = await failingOver();
    f.pool.view = { provisioningState: 'Succeeded', count: 3, enableAutoScaling: false };
    const missing = new TrainerScaleError('PATCH .../deployments/fl-trainer/scale answered 404: deployments.apps "fl-trainer" not found', { status: 404 });
    f.trainers.failures = [missing, missing];
    const result = await deliver(f, check('op-1'));
    expect([result?.outcome, f.store.state.phase, f.store.state.lastFailure?.code, f.pool.requested]).toStrictEqual(['failed', 'failing-back', 'TrainerScaleFailed', [3, 0]]);
  });

  it('reads the failure of the operation behind the resume token and aborts the failover', async () => {
    const f = await failingOver();
    f.pool.view = { provisioningState: 'Failed', count: 0, enableAutoScaling: false };
    f.pool.checkResults = [{ status: 'failed', error: { code: 'OverconstrainedAllocationRequest', message: 'Allocation failed.' } }];
    f.pool.scaleResults = [{ kind: 'submitted', resumeToken: 'token-cleanup', pool: { provisioningState: 'Updating', count: 0, enableAutoScaling: false } }];
    f.setTime(60);
    const result = await deliver(f, check('op-1'));
    expect([result?.outcome, f.pool.checked, f.store.state.phase, f.store.state.lastFailure?.code, f.store.state.pendingOperation?.id]).toStrictEqual([
      'failed', ['token-1'], 'failing-back', 'OverconstrainedAllocationRequest', 'op-2',
    ]);
    // The clean-up failback was driven at once: trainers to 0, pool PUT, its own continuation queued.
    expect([f.trainers.calls, f.pool.requested, f.queue.sent.map((sent) => sent.message)]).toStrictEqual([
      [0], [3, 0], [{ ...check('op-2'), enqueuedAt: iso(60) }],
    ]);
  });

  it('PUTs again when the pool is idle but not at the target (the first PUT never happened)', async () => {
    const f = fakes();
    const put = jest.spyOn(f.pool, 'requestScale').mockRejectedValueOnce(new TransientDependencyError('arm', 'ARM 503'));
    await handleSignal(f.services, signal('aws-unhealthy', 'sig-1'), silentLog);
    f.queue.sent.length = 0;
    const result = await deliver(f, check('op-1'));
    expect([result?.outcome, put.mock.calls.length, f.store.state.pendingOperation?.stage, f.queue.sent.map((sent) => sent.message.kind)]).toStrictEqual([
      'put-again', 2, 'submitted', ['operation'],
    ]);
  });

  it('fails an operation whose PUT budget is spent', async () => {
    const f = await failingOver();
    f.pool.view = { provisioningState: 'Succeeded', count: 1, enableAutoScaling: false };
    f.store.seed({ ...f.store.state, pendingOperation: { ...f.store.state.pendingOperation!, putAttempts: 3 } });
    const result = await deliver(f, check('op-1'));
    expect([result?.outcome, f.store.state.lastFailure?.code]).toStrictEqual(['failed', 'PoolTargetNotReached']);
  });

  it('fails the operation with ARM’s code when the pool cannot be read for good', async () => {
    const f = await failingOver();
    f.pool.readError = new ArmRefusedError('reading agent pool: 403 AuthorizationFailed', { status: 403, code: 'AuthorizationFailed' });
    const result = await deliver(f, check('op-1'));
    expect([result?.outcome, f.store.state.transitions.at(-1)?.error?.code]).toStrictEqual(['failed', 'AuthorizationFailed']);
  });

  it('drops a message for an operation that is no longer pending', async () => {
    const f = await failingOver();
    const result = await deliver(f, check('op-0'));
    expect([result?.outcome, result?.reason, f.pool.requested.length]).toStrictEqual(['stale', 'operation op-0 is no longer pending', 1]);
  });

  it('drops an unparseable message or one for another run, with a note in the state', async () => {
    const f = await failingOver();
    expect(await deliver(f, 'garbage')).toBeUndefined();
    expect(await deliver(f, { ...check('op-1'), runId: 'run-7' })).toBeUndefined();
    expect(f.store.state.notes.filter((n) => n.kind === 'poison-message').map((n) => n.message)).toStrictEqual([
      expect.stringMatching(/^continuation message dropped: continuation message is not JSON: /),
      'continuation message for run run-7 dropped; this brain serves run run-42',
    ]);
  });

  it('rethrows transient trouble for redelivery, noting the last attempt before the poison queue', async () => {
    const f = await failingOver();
    f.pool.readError = new TransientDependencyError('arm', 'ARM unavailable');
    const context = new InvocationContext({ triggerMetadata: { dequeueCount: MAX_DEQUEUE_COUNT }, logHandler: () => undefined });
    await expect(deliver(f, check('op-1'), context)).rejects.toThrow('ARM unavailable');
    expect(f.store.state.notes.at(-1)?.message).toBe('continuation operation op-1 failed 5 times and goes to the poison queue: ARM unavailable');
  });

  it('re-evaluates a deferred signal when its time comes', async () => {
    const f = fakes({ status: runStatus() });
    await handleSignal(f.services, signal('aws-unhealthy', 'sig-1'), silentLog);
    f.pool.view = { provisioningState: 'Succeeded', count: 3, enableAutoScaling: false };
    await deliver(f, check('op-1'));
    f.setTime(30);
    const early = await handleSignal(f.services, signal('aws-recovered', 'sig-ok'), silentLog);
    expect([early.outcome, f.store.state.deferredSignal?.notBefore]).toStrictEqual(['deferred', iso(600)]);
    f.setTime(600);
    f.queue.sent.length = 0;
    const result = await deliver(f, { version: 1, kind: 'deferred', runId: RUN, signalId: 'sig-ok', attempt: 0, enqueuedAt: iso(30) });
    expect([result?.outcome, f.store.state.phase, f.store.state.epoch, f.trainers.calls]).toStrictEqual(['reconsidered', 'failing-back', 3, [3, 0]]);
  });
});

describe('GET /api/status', () => {
  const get = (query: Record<string, string> = {}) => new HttpRequest({ method: 'GET', url: 'https://brain.example/api/status', query });

  it('shows phase, epoch, the pool and recent transitions, without the resume token', async () => {
    const f = await failingOver();
    const answer = (await createStatusHandler(() => f.services)(get({ runId: RUN, transitions: '1' }), quietContext('status'))) as HttpResponseInit;
    const body = answer.jsonBody as Record<string, unknown>;
    expect([answer.status, body.phase, body.epoch, body.initialized, body.pool, (body.transitions as unknown[]).length]).toStrictEqual([
      200, 'failing-over', 1, true, { provisioningState: 'Succeeded', count: 0, enableAutoScaling: false, summary: 'Succeeded, count 0' }, 1,
    ]);
    expect(body.pendingOperation).toMatchObject({ id: 'op-1', stage: 'submitted' });
    expect(JSON.stringify(body)).not.toContain('token-1');
  });

  it('shows a fresh run before any signal, and reports an unreachable pool instead of failing', async () => {
    const f = fakes();
    f.pool.readError = new TransientDependencyError('arm', 'ARM unavailable');
    const answer = (await createStatusHandler(() => f.services)(get(), quietContext('status'))) as HttpResponseInit;
    expect(answer.jsonBody).toMatchObject({ runId: RUN, initialized: false, phase: 'aws-primary', epoch: 0, pool: { error: 'ARM unavailable' }, transitions: [] });
  });

  it('answers 404 for another run', async () => {
    const f = fakes();
    const answer = (await createStatusHandler(() => f.services)(get({ runId: 'run-7' }), quietContext('status'))) as HttpResponseInit;
    expect([answer.status, answer.jsonBody]).toStrictEqual([404, { error: 'unknown-run', reason: 'this brain serves run run-42, not run-7' }]);
  });
});

describe('adapter helpers', () => {
  it('reads the code of a failed long-running operation as core-lro words it', () => {
    expect(failureOfOperationError(new Error('The long-running operation has failed. OverconstrainedAllocationRequest. Allocation failed. VM(s) ...'))).toStrictEqual({
      code: 'OverconstrainedAllocationRequest',
      message: 'Allocation failed. VM(s) ...',
    });
    expect(failureOfOperationError(new Error('The long-running operation has failed'))).toStrictEqual({ code: 'OperationFailed', message: 'The long-running operation has failed' });
    expect(failureOfOperationError(new Error('socket hang up'))).toBeUndefined();
  });

  it('reads the API server and its CA from an AKS kubeconfig', () => {
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');
    const kubeconfig = `apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: ${ca}\n    server: https://ai-fl-mc-dev-aks-1234.privatelink.koreacentral.azmk8s.io:443\n  name: ai-fl-mc-dev-aks\n`;
    expect(apiServerFromKubeconfig(kubeconfig)).toStrictEqual({
      endpoint: 'https://ai-fl-mc-dev-aks-1234.privatelink.koreacentral.azmk8s.io:443',
      caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    });
    expect(() => apiServerFromKubeconfig('apiVersion: v1\n')).toThrow('the cluster kubeconfig names no https server');
  });
});
