/**
 * `spot-on status` in-process over the brain's real status handler and use cases (helpers' in-memory fakes behind
 * them), the aggregator's run status and an in-memory checkpoint store: no network, no timers.
 */
import { HttpRequest, type HttpResponseInit } from '@azure/functions';
import { createStatusHandler } from '../../../azure-functions/src/handlers/status';
import { handleSignal } from '../../../azure-functions/src/use-cases/handle-signal';
import { silentLog } from '../../../azure-functions/src/use-cases/services';
import { runStatusCommand, type StatusIo } from '../../../cli/commands/status';
import { StatusReportSchema, type StatusReport } from '../../../cli/status/report';
import { blobRunStatusReader, type FetchLike } from '../../../cli/status/sources';
import type { StatusOptions } from '../../../cli/status/settings';
import { MemoryCheckpointStore } from '../../../fl-training/store/memory-store';
import { blobPaths } from '../../../protocol/blob-layout';
import type { RunStatus } from '../../../protocol/run-status';
import { fakes, iso, quietContext, RUN, runStatus, signal, T0, type Fakes } from '../azure-functions/helpers';

const KEY = 'unit-test-function-key-0123456789==';
const BRAIN = 'https://brain.example';
const AGGREGATOR = 'http://aggregator.example:8080';
const LIVE: StatusOptions = { brainUrl: `${BRAIN}/api/signals`, aggregatorUrl: AGGREGATOR, json: true };

/** GET /api/status behind Azure's function-key gate (401 without the key), and the aggregator's GET /status. */
function world(f: Fakes, run: () => RunStatus | Response) {
  const requests: string[] = [];
  const fetch: FetchLike = async (url, init) => {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    requests.push(`GET ${url}${headers.has('x-functions-key') ? ' (keyed)' : ''}`);
    if (target.origin === BRAIN && target.pathname === '/api/status') {
      if (headers.get('x-functions-key') !== KEY) return new Response('', { status: 401 });
      const answer = (await createStatusHandler(() => f.services)(new HttpRequest({ method: 'GET', url, headers: Object.fromEntries(headers) }), quietContext('status'))) as HttpResponseInit;
      return Response.json(answer.jsonBody, { status: answer.status ?? 200 });
    }
    if (`${target.origin}${target.pathname}` === `${AGGREGATOR}/status`) {
      const answer = run();
      return answer instanceof Response ? answer : Response.json(answer);
    }
    return new Response('', { status: 404 });
  };
  return { fetch, requests };
}

/** Process-free io: collected output, the clock at T0 + 30 s, and a timer that never sleeps. */
function io(fetch: FetchLike, extra: Partial<StatusIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: StatusIo = {
    env: { SPOTON_STATUS_KEY: KEY },
    fetch,
    now: () => new Date(T0.getTime() + 30_000),
    wait: async () => undefined,
    signal: new AbortController().signal,
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    interactive: false,
    ...extra,
  };
  return { io: value, out, err };
}

const reports = (out: readonly string[]): StatusReport[] => out.map((line) => StatusReportSchema.parse(JSON.parse(line)));

const awsTrainers = { registered: 4, reporting: 4, pools: [{ pool: null, trainers: 4 }] };
const noTrainers = { registered: 0, reporting: 0, pools: [] };

describe('spot-on status', () => {
  it('shows the run before and after a failover, reading the brain with the function key', async () => {
    const f = fakes();
    const { fetch, requests } = world(f, () => runStatus());
    const before = io(fetch);
    expect(await runStatusCommand(LIVE, before.io)).toBe(0);
    await handleSignal(f.services, signal('aws-unhealthy', 'sig-1'), silentLog);
    const after = io(fetch);
    expect(await runStatusCommand(LIVE, after.io)).toBe(0);

    const common = {
      version: 1,
      asOf: iso(30),
      runId: RUN,
      trainers: { aws: awsTrainers, azure: noTrainers },
      round: 7,
      loss: null,
      accuracy: null,
      schedule: null,
      runStatus: { source: 'aggregator', updatedAt: iso(0), aggregatorEpoch: 0 },
    } as const;
    expect([...reports(before.out), ...reports(after.out)]).toStrictEqual([
      {
        ...common,
        phase: 'aws-primary',
        epoch: 0,
        phaseSince: iso(0),
        azurePool: { capacity: 'spot', nodes: 0, desiredNodes: 0, provisioningState: 'Succeeded' },
        incidents: [],
        costSoFar: null,
        notes: ['the brain has received no signal for this run yet: it is in its initial state'],
      },
      {
        ...common,
        phase: 'failing-over',
        epoch: 1,
        phaseSince: iso(0),
        azurePool: { capacity: 'spot', nodes: 0, desiredNodes: 3, provisioningState: 'Succeeded' },
        incidents: [{ id: 'sig-1', cause: 'aws-unhealthy', openedAt: iso(0), closedAt: null, ongoing: true, durationSeconds: 30, azureActiveAfterSeconds: null, outcome: null, error: null, traceId: null }],
        costSoFar: null,
        notes: [],
      },
    ]);
    expect([before.err, after.err]).toStrictEqual([[], []]);
    expect(requests.slice(0, 2)).toStrictEqual([`GET ${BRAIN}/api/status?transitions=50 (keyed)`, `GET ${AGGREGATOR}/status`]);
  });

  it('asks the brain for the given run and says why a source refuses', async () => {
    const f = fakes();
    const { fetch } = world(f, () => runStatus());
    const unkeyed = io(fetch, { env: {} });
    const otherRun = io(fetch);
    const results = [await runStatusCommand(LIVE, unkeyed.io), await runStatusCommand({ ...LIVE, runId: 'run-7' }, otherRun.io)];
    expect([results, unkeyed.out, unkeyed.err, otherRun.err]).toStrictEqual([
      [1, 1],
      [],
      [`spot-on status: brain: GET ${BRAIN}/api/status?transitions=50 answered 401: set SPOTON_STATUS_KEY to a key of the brain's status function\n`],
      [`spot-on status: brain: GET ${BRAIN}/api/status?runId=run-7&transitions=50 answered 404: this brain serves run ${RUN}, not run-7\n`],
    ]);
  });

  it('refuses wrong settings with exit code 2 before any request', async () => {
    const { fetch, requests } = world(fakes(), () => runStatus());
    const run = io(fetch, { env: {} });
    const badString = io(fetch, { env: { SPOTON_BLOB_CONNECTION_STRING: 'AccountKey=secret-part' } });
    expect([await runStatusCommand({ brainUrl: BRAIN }, run.io), await runStatusCommand({ brainUrl: BRAIN }, badString.io)]).toStrictEqual([2, 2]);
    expect([run.err, badString.err, requests]).toStrictEqual([
      ['spot-on status: no run status source: give --aggregator-url, --blob-account-url or set SPOTON_BLOB_CONNECTION_STRING\n'],
      ['spot-on status: SPOTON_BLOB_CONNECTION_STRING: not a storage connection string the Azure SDK accepts\n'],
      [],
    ]);
  });

  it('--watch redraws until Ctrl-C, and keeps watching through an aggregator that is down', async () => {
    const f = fakes();
    const answers: (RunStatus | Response)[] = [runStatus(), new Response('{"error":"restarting"}', { status: 503 }), runStatus({ reportingAws: 1 })];
    const { fetch } = world(f, () => answers.shift() ?? runStatus());
    const interrupt = new AbortController();
    const waits: number[] = [];
    const run = io(fetch, {
      signal: interrupt.signal,
      interactive: true,
      wait: async (ms) => {
        waits.push(ms);
        if (waits.length === 3) interrupt.abort();
      },
    });
    expect(await runStatusCommand({ ...LIVE, json: false, watch: '10' }, run.io)).toBe(0);
    expect(waits).toStrictEqual([10_000, 10_000, 10_000]);
    expect(run.err).toStrictEqual([`spot-on status: aggregator: GET ${AGGREGATOR}/status answered 503: restarting (again in 10s)\n`]);
    expect(run.out.map((screen) => screen.split('\n').find((line) => line.startsWith('trainers')))).toStrictEqual([
      'trainers    aws 4 of 4 reporting (pool not named: 4); azure 0 of 0 reporting',
      'trainers    aws 1 of 4 reporting (pool not named: 4); azure 0 of 0 reporting',
    ]);
    expect(run.out.every((screen) => screen.startsWith('\u001b[2J\u001b[H'))).toBe(true);
  });

  it('reads status.json through the checkpoint store, and stops on one that is not a run status', async () => {
    const store = new MemoryCheckpointStore();
    const { fetch } = world(fakes(), () => runStatus());
    const options: StatusOptions = { brainUrl: BRAIN, json: true };
    const env = { SPOTON_STATUS_KEY: KEY, SPOTON_BLOB_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
    const openRunStatus = () => blobRunStatusReader(store);
    const missing = io(fetch, { env, openRunStatus });
    expect(await runStatusCommand(options, missing.io)).toBe(0);
    await store.put(blobPaths.status(RUN), Buffer.from(JSON.stringify({ ...runStatus(), metrics: { loss: 0.5, accuracy: 0.8 } })));
    const present = io(fetch, { env, openRunStatus });
    expect(await runStatusCommand(options, present.io)).toBe(0);
    await store.put(blobPaths.status(RUN), Buffer.from(JSON.stringify({ ...runStatus(), version: 2 })));
    const invalid = io(fetch, { env, openRunStatus });
    expect(await runStatusCommand(options, invalid.io)).toBe(1);

    const [empty, written] = reports([...missing.out, ...present.out]);
    expect([empty?.runStatus, empty?.round, empty?.notes.at(-1), written?.runStatus, written?.loss, written?.accuracy, invalid.err]).toStrictEqual([
      { source: 'blob', updatedAt: null, aggregatorEpoch: null },
      null,
      `runs/${RUN}/status.json does not exist yet (the aggregator writes it once it runs)`,
      { source: 'blob', updatedAt: iso(0), aggregatorEpoch: 0 },
      0.5,
      0.8,
      [`spot-on status: blob: runs/${RUN}/status.json is not a v1 run status: version: Invalid input: expected 1\n`],
    ]);
  });
});
