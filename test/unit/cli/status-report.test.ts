/** `spot-on status`'s pure parts: the view model from a brain answer and a run status, and its text. */
import { BrainStatusSchema, type BrainStatus } from '../../../cli/status/brain-status';
import { poolOfNode, statusReport, StatusReportSchema, type StatusReport } from '../../../cli/status/report';
import { formatDuration, renderStatusText } from '../../../cli/status/render';
import type { RunStatus } from '../../../protocol/run-status';

const T0 = Date.parse('2026-05-01T10:00:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** A brain in azure-active after one closed and one open incident, as GET /api/status answers (extra fields kept). */
const brain: BrainStatus = BrainStatusSchema.parse({
  runId: 'run-1',
  initialized: true,
  phase: 'azure-active',
  epoch: 6,
  phaseSince: iso(3_645),
  updatedAt: iso(3_645),
  coverage: 'full',
  desiredAzureNodes: 2,
  pausedShards: [],
  pool: { provisioningState: 'Succeeded', count: 2, enableAutoScaling: false, summary: 'Succeeded, count 2' },
  transitions: [
    { at: iso(0), epoch: 1, from: 'aws-primary', to: 'failing-over', outcome: 'started', reason: 'capacity-lost sig-a' },
    { at: iso(90), epoch: 2, from: 'failing-over', to: 'azure-active', outcome: 'completed', reason: 'pool ready' },
    { at: iso(700), epoch: 3, from: 'azure-active', to: 'failing-back', outcome: 'started', reason: 'aws-recovered' },
    { at: iso(760), epoch: 4, from: 'failing-back', to: 'aws-primary', outcome: 'completed', reason: 'pool empty' },
    { at: iso(3_600), epoch: 5, from: 'aws-primary', to: 'failing-over', outcome: 'started', reason: 'aws-unhealthy sig-b' },
    { at: iso(3_645), epoch: 6, from: 'failing-over', to: 'azure-active', outcome: 'completed', reason: 'pool ready' },
  ],
  incidents: [
    { id: 'sig-a', cause: 'capacity-lost', openedAt: iso(0), openedEpoch: 1, closedAt: iso(760), outcome: 'recovered', lostInstanceIds: ['i-0a00000000000000a'] },
    { id: 'sig-b', cause: 'aws-unhealthy', openedAt: iso(3_600), openedEpoch: 5, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  ],
  notes: [],
});

const run: RunStatus = {
  version: 1,
  runId: 'run-1',
  round: 14,
  epoch: 5,
  updatedAt: iso(3_700),
  trainers: [
    { clientId: 'aws-0', cloud: 'aws', shard: 'shard-0', residency: 'aws', nodeName: 'ip-10-0-0-10.ap-northeast-2.compute.internal', lastSeenAt: iso(3_590) },
    { clientId: 'aws-1', cloud: 'aws', shard: 'shard-1', residency: 'any', lastSeenAt: iso(3_590) },
    { clientId: 'az-0', cloud: 'azure', shard: 'shard-1', residency: 'any', nodeName: 'aks-gpuspot-00001-vmss000000', lastSeenAt: iso(3_700) },
    { clientId: 'az-1', cloud: 'azure', shard: 'shard-2', residency: 'any', nodeName: 'aks-gpuspot-00002-vmss000000', lastSeenAt: iso(3_700) },
  ],
  shards: [],
  reporting: { aws: 0, azure: 2 },
  metrics: { loss: 0.23456, accuracy: 0.9125 },
  // Started an hour before the first incident, 40 rounds due 20,000 s after: at 3,720 s the line is at round 14.64.
  schedule: { rounds: 40, startedAt: iso(-3_600), deadlineAt: iso(16_400) },
};

const expected: StatusReport = {
  version: 1,
  asOf: iso(3_720),
  runId: 'run-1',
  phase: 'azure-active',
  epoch: 6,
  phaseSince: iso(3_645),
  azurePool: { capacity: 'spot', nodes: 2, desiredNodes: 2, provisioningState: 'Succeeded' },
  trainers: {
    aws: { registered: 2, reporting: 0, pools: [{ pool: null, trainers: 2 }] },
    azure: { registered: 2, reporting: 2, pools: [{ pool: 'gpuspot', trainers: 2 }] },
  },
  round: 14,
  loss: 0.23456,
  accuracy: 0.9125,
  schedule: { rounds: 40, startedAt: iso(-3_600), deadlineAt: iso(16_400), onTrack: false },
  runStatus: { source: 'aggregator', updatedAt: iso(3_700), aggregatorEpoch: 5 },
  incidents: [
    { id: 'sig-a', cause: 'capacity-lost', openedAt: iso(0), closedAt: iso(760), ongoing: false, durationSeconds: 760, azureActiveAfterSeconds: 90, outcome: 'recovered', error: null, traceId: null },
    { id: 'sig-b', cause: 'aws-unhealthy', openedAt: iso(3_600), closedAt: null, ongoing: true, durationSeconds: 120, azureActiveAfterSeconds: 45, outcome: null, error: null, traceId: '0af7651916cd43dd8448eb211c80319c' },
  ],
  costSoFar: null,
  notes: [],
};

describe('status view model', () => {
  it('puts phase, trainers per cloud and pool, round, metrics and incidents with their durations together', () => {
    const report = statusReport(brain, { source: 'aggregator', status: run }, new Date(T0 + 3_720_000));
    expect(report).toStrictEqual(expected);
    expect(StatusReportSchema.parse(report)).toStrictEqual(expected);
  });

  it('shows a run the brain has not acted on, before status.json exists, with the pool unreadable', () => {
    const fresh = BrainStatusSchema.parse({ ...brain, initialized: false, phase: 'aws-primary', epoch: 0, phaseSince: iso(0), desiredAzureNodes: 0, pool: { error: 'ARM unavailable' }, transitions: [], incidents: [] });
    const report = statusReport(fresh, { source: 'blob', status: undefined, missing: 'runs/run-1/status.json does not exist yet (the aggregator writes it once it runs)' }, new Date(T0));
    expect(report).toStrictEqual({
      version: 1,
      asOf: iso(0),
      runId: 'run-1',
      phase: 'aws-primary',
      epoch: 0,
      phaseSince: iso(0),
      azurePool: { capacity: 'spot', desiredNodes: 0, error: 'ARM unavailable' },
      trainers: { aws: { registered: 0, reporting: 0, pools: [] }, azure: { registered: 0, reporting: 0, pools: [] } },
      round: null,
      loss: null,
      accuracy: null,
      schedule: null,
      runStatus: { source: 'blob', updatedAt: null, aggregatorEpoch: null },
      incidents: [],
      costSoFar: null,
      notes: ['the brain has received no signal for this run yet: it is in its initial state', 'runs/run-1/status.json does not exist yet (the aggregator writes it once it runs)'],
    });
  });

  it('puts a run without a deadline, and one on its uniform-progress line, on track or not by the rounds committed', () => {
    const at = new Date(T0 + 3_720_000);
    const withoutDeadline = statusReport(brain, { source: 'aggregator', status: { ...run, schedule: { rounds: 40, startedAt: iso(-3_600) } } }, at);
    expect(withoutDeadline.schedule).toStrictEqual({ rounds: 40, startedAt: iso(-3_600), deadlineAt: null, onTrack: null });
    const onTheLine = statusReport(brain, { source: 'aggregator', status: { ...run, round: 15 } }, at);
    expect(onTheLine.schedule?.onTrack).toBe(true);
  });

  it('reads the pool from AKS node names only', () => {
    expect(['aks-gpuspot-00001-vmss000000', 'aks-userpool-12345678-vmss00000a', 'ip-10-0-1-11.us-west-2.compute.internal', 'aks-gpuspot', undefined].map(poolOfNode)).toStrictEqual([
      'gpuspot',
      'userpool',
      null,
      null,
      null,
    ]);
  });

  it('refuses a brain answer without a phase it knows', () => {
    const parsed = BrainStatusSchema.safeParse({ ...brain, phase: 'azure-only' });
    expect(parsed.success).toBe(false);
  });
});

describe('status text', () => {
  it('renders one screen', () => {
    expect(renderStatusText(expected).split('\n')).toStrictEqual([
      `run run-1 as of ${iso(3_720)}`,
      'brain       azure-active, epoch 6, for 1m 15s',
      'azure pool  Spot, 2 node(s), Succeeded; the brain wants 2',
      'trainers    aws 0 of 2 reporting (pool not named: 2); azure 2 of 2 reporting (gpuspot: 2)',
      'training    round 14 of 40, loss 0.2346, accuracy 91.25%; deadline in 3h 31m, behind the uniform-progress line (aggregator, 20s ago, aggregator epoch 5)',
      'cost        no usage in status.json yet',
      'incidents   (newest last)',
      `  ${iso(0)}  capacity-lost  lasted 12m 40s, Azure active after 1m 30s, recovered  [sig-a]`,
      `  ${iso(3_600)}  aws-unhealthy  ongoing for 2m 00s, Azure active after 45s  [sig-b trace 0af7651916cd43dd8448eb211c80319c]`,
    ]);
  });

  it('prices the usage status.json carries as the cost so far, and renders it', () => {
    const report = statusReport(brain, { source: 'aggregator', status: { ...run, usage: [{ cloud: 'azure', node: 'aks-gpuondemand-00001-vmss000000', seconds: 7200 }] } }, new Date(T0 + 3_720_000));
    const cost = report.costSoFar;
    expect(cost?.gpu).toStrictEqual([{ cloud: 'azure', pool: 'gpuondemand', pricing: 'on-demand', nodeHours: 2, usd: expect.any(Number) }]);
    expect(cost?.totalUsd).toBeCloseTo((cost?.gpuUsd ?? 0) + (cost?.standbyUsd ?? 0), 2);
    expect(renderStatusText(report).split('\n')).toContainEqual(expect.stringMatching(/^cost {8}\$\d+\.\d\d so far: GPU \$\d+\.\d\d \(azure gpuondemand on-demand 2\.00 h \$\d+\.\d\d\), standby \$\d+\.\d\d; offline price table as of /));
  });

  it('formats durations in seconds, minutes and hours', () => {
    expect([0, 59.9, 60, 754, 3_600, 7_500].map(formatDuration)).toStrictEqual(['0s', '59s', '1m 00s', '12m 34s', '1h 00m', '2h 05m']);
  });
});
