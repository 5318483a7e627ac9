import { buildSignal, InvalidSignalError, signalId } from '../../../lambdas/reflex/signal';
import { SignalSchema } from '../../../protocol/signal';

const ISSUED_AT = new Date('2026-03-01T12:00:20.000Z');
const spot = {
  kind: 'spot-interruption',
  action: 'terminate',
  eventId: '7a3c1d2e-0000-4000-8000-000000000001',
  time: '2026-03-01T12:00:00Z',
  region: 'us-west-2',
  instanceIds: ['i-0a00000000000000a'],
} as const;

describe('signalId', () => {
  it('is a pure function of (eventId, type), pinned so ids stay stable across deployments', () => {
    expect(signalId('evt-1', 'capacity-lost')).toBe(signalId('evt-1', 'capacity-lost'));
    expect(signalId('evt-1', 'capacity-lost')).toBe('capacity-lost-3719d8e4bf4dd9c047dca489a5acdf51c47f1155');
    expect(signalId('evt-1', 'aws-unhealthy')).not.toBe(signalId('evt-1', 'capacity-lost'));
    expect(signalId('evt-2', 'capacity-lost')).not.toBe(signalId('evt-1', 'capacity-lost'));
  });
});

describe('buildSignal', () => {
  it('builds a v1 capacity-lost signal with the source block from the event', () => {
    const signal = buildSignal({ message: spot, type: 'capacity-lost', runId: 'run-7', issuedAt: ISSUED_AT, instanceIds: spot.instanceIds });
    expect(signal).toStrictEqual({
      version: 1,
      id: signalId(spot.eventId, 'capacity-lost'),
      type: 'capacity-lost',
      runId: 'run-7',
      issuedAt: '2026-03-01T12:00:20.000Z',
      source: { eventId: spot.eventId, source: 'aws.ec2', detailType: 'EC2 Spot Instance Interruption Warning', time: '2026-03-01T12:00:00Z' },
      instanceIds: ['i-0a00000000000000a'],
    });
    expect(SignalSchema.parse(signal)).toStrictEqual(signal);
  });

  it('takes the source block of a capacity-reservation warning from its event module', () => {
    const reclaimed = { ...spot, kind: 'capacity-reservation-interruption', eventId: 'evt-cr', terminationTime: '2026-03-01T12:02:00Z' } as const;
    const signal = buildSignal({ message: reclaimed, type: 'capacity-lost', runId: 'run-7', issuedAt: ISSUED_AT, instanceIds: reclaimed.instanceIds });
    expect(signal).toStrictEqual({
      version: 1,
      id: signalId('evt-cr', 'capacity-lost'),
      type: 'capacity-lost',
      runId: 'run-7',
      issuedAt: '2026-03-01T12:00:20.000Z',
      source: { eventId: 'evt-cr', source: 'aws.ec2', detailType: 'EC2 Capacity Reservation Instance Interruption Warning', time: '2026-03-01T12:00:00Z' },
      instanceIds: ['i-0a00000000000000a'],
    });
  });

  it('carries the alarm name for alarm signals', () => {
    const alarm = { kind: 'alarm-state-change', alarmName: 'aws-training-unhealthy', state: 'ALARM', eventId: 'evt-9', time: '2026-03-01T12:00:00Z', region: 'us-west-2', instanceIds: [] } as const;
    expect(buildSignal({ message: alarm, type: 'aws-unhealthy', runId: 'run-7', issuedAt: ISSUED_AT, alarmName: alarm.alarmName })).toStrictEqual({
      version: 1,
      id: signalId('evt-9', 'aws-unhealthy'),
      type: 'aws-unhealthy',
      runId: 'run-7',
      issuedAt: '2026-03-01T12:00:20.000Z',
      source: { eventId: 'evt-9', source: 'aws.cloudwatch', detailType: 'CloudWatch Alarm State Change', time: '2026-03-01T12:00:00Z' },
      alarmName: 'aws-training-unhealthy',
    });
  });

  it('throws InvalidSignalError with the zod issues as cause when the signal does not fit the schema', () => {
    const build = () => buildSignal({ message: spot, type: 'capacity-lost', runId: 'not a run id', issuedAt: ISSUED_AT });
    expect(build).toThrow(InvalidSignalError);
    expect(build).toThrow(`capacity-lost signal for event ${spot.eventId} is invalid: runId: runId must be 1-63 of [A-Za-z0-9._-]`);
    try {
      build();
    } catch (error) {
      expect((error as InvalidSignalError).name).toBe('InvalidSignalError');
      expect((error as InvalidSignalError).cause).toStrictEqual([expect.objectContaining({ path: ['runId'] })]);
    }
  });
});
