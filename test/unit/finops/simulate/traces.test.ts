import { TraceFormatError, TraceWindowError } from '../../../../finops/simulate/errors';
import { discretise } from '../../../../finops/simulate/model';
import { INTERRUPTION_NOTICE_SECONDS } from '../../../../finops/simulate/traces/event-history';
import { parseTrace } from '../../../../finops/simulate/traces/read-trace';
import { resample } from '../../../../finops/simulate/traces/step-trace';
import { windowOf } from '../../../../finops/simulate/windows';
import { loadEvent } from '../../../support/events';

const MINUTE = 60;
const settings = (deadlineHours: number, tickSeconds = MINUTE) =>
  discretise({ jobHours: 0.1, deadlineHours, changeoverHours: 0.2, failoverHours: 0.5, failbackHours: 0.5, onDemandUsdPerHour: 3, tickSeconds });
const bits = (array: Uint8Array) => [...array].join('');

/** A recorded event with its time moved to `at`. */
function recorded(file: string, at: string): object {
  return { ...loadEvent<object>(file), time: at };
}

describe("Can't Be Late traces", () => {
  const trace = JSON.stringify({ metadata: { gap_seconds: 600, zone: 'us-east-1a' }, data: [0, 1, 0], prices: [0.9, 1.1, 1.2] });

  it('needs --trace-encoding: a wrong guess would invert every result', () => {
    expect(() => parseTrace('a/w.json', trace, undefined)).toThrow(TraceFormatError);
    expect(() => parseTrace('a/w.json', trace, undefined)).toThrow(/^a\/w\.json: is a Can't Be Late trace: say which value means available with --trace-encoding/);
  });

  it('reads either convention and holds each sample for its gap', () => {
    const zero = resample(parseTrace('w.json', trace, 'available-is-0'), 0, 3, 600, undefined);
    const one = resample(parseTrace('w.json', trace, 'available-is-1'), 0, 3, 600, undefined);
    expect(bits(zero.available)).toBe('101');
    expect(bits(one.available)).toBe('010');
    expect([...zero.usdPerHour]).toStrictEqual([0.9, 1.1, 1.2]);
    const minutes = resample(parseTrace('w.json', trace, 'available-is-0'), 0, 30, MINUTE, undefined);
    expect(bits(minutes.available)).toBe('1'.repeat(10) + '0'.repeat(10) + '1'.repeat(10));
  });

  it('loses a whole tick when capacity is lost for part of it', () => {
    const fine = JSON.stringify({ metadata: { gap_seconds: 30 }, data: [0, 0, 0, 1, 0, 0] });
    expect(bits(resample(parseTrace('w.json', fine, 'available-is-0'), 0, 3, MINUTE, 1).available)).toBe('101');
  });

  it('names the file and the problem of an invalid trace', () => {
    const bad = JSON.stringify({ metadata: { gap_seconds: 600 }, data: [0, 2], prices: [1] });
    expect(() => parseTrace('pools/a/w.json', bad, 'available-is-0')).toThrow(TraceFormatError);
    expect(() => parseTrace('pools/a/w.json', bad, 'available-is-0')).toThrow(/^pools\/a\/w\.json: not a valid Can't Be Late trace:\n[\s\S]*data/);
    expect(() => parseTrace('pools/a/w.json', JSON.stringify({ metadata: { gap_seconds: 600 }, data: [0, 0], prices: [1] }), 'available-is-0')).toThrow(
      /prices must have one entry per data sample/,
    );
  });

  it('refuses files in no known format, and text that is not JSON', () => {
    expect(() => parseTrace('w.json', '{"zone": "x"}', undefined)).toThrow(/^w\.json: is in no known trace format/);
    expect(() => parseTrace('w.json', '{"data": [0', undefined)).toThrow(/^w\.json: is not JSON/);
  });
});

describe('AWS Spot price history', () => {
  const record = (at: string, price: string, zone = 'us-east-1a') => ({ AvailabilityZone: zone, InstanceType: 'g5.xlarge', ProductDescription: 'Linux/UNIX', SpotPrice: price, Timestamp: at });

  it('is always available, at the recorded price as a step function (AWS lists the newest first)', () => {
    const text = JSON.stringify({ SpotPriceHistory: [record('2026-03-01T00:02:00+00:00', '0.5'), record('2026-03-01T00:00:00.000Z', '0.4')] });
    const trace = parseTrace('w.json', text, undefined);
    expect(trace).toMatchObject({ format: 'aws-spot-price-history', startMs: Date.parse('2026-03-01T00:00:00Z'), endSeconds: undefined });
    const ticks = resample(trace, 0, 4, MINUTE, undefined);
    expect(bits(ticks.available)).toBe('1111');
    expect([...ticks.usdPerHour]).toStrictEqual([0.4, 0.4, 0.5, 0.5]);
  });

  it('keeps one series per file', () => {
    const text = JSON.stringify({ SpotPriceHistory: [record('2026-03-01T00:00:00Z', '0.4'), record('2026-03-01T00:00:00Z', '0.4', 'us-east-1b')] });
    expect(() => parseTrace('w.json', text, undefined)).toThrow(/^w\.json: holds 2 series \(us-east-1a g5\.xlarge Linux\/UNIX; us-east-1b g5\.xlarge Linux\/UNIX\)/);
  });

  it('names a malformed price', () => {
    const text = JSON.stringify({ SpotPriceHistory: [record('2026-03-01T00:00:00Z', 'cheap')] });
    expect(() => parseTrace('w.json', text, undefined)).toThrow(/must be a decimal string/);
  });
});

describe('recorded event history', () => {
  const T = Date.parse('2026-11-18T14:00:00Z');
  const iso = (minutes: number) => new Date(T + minutes * MINUTE * 1000).toISOString().replace('.000', '');

  it('loses capacity two minutes after a Spot warning and gets it back at the next running instance', () => {
    const events = [
      recorded('aws.ec2/rebalance-recommendation/documented.json', iso(0)),
      recorded('aws.ec2/spot-interruption/terminate.json', iso(3)),
      recorded('aws.ec2/instance-state-change/running.json', iso(4)), // before the reclaim: not a return
      recorded('aws.ec2/instance-state-change/stopped.json', iso(6)),
      recorded('aws.ec2/instance-state-change/running.json', iso(9)),
    ];
    const trace = parseTrace('events.json', JSON.stringify(events), undefined);
    expect(INTERRUPTION_NOTICE_SECONDS).toBe(120);
    expect(bits(resample(trace, 0, 12, MINUTE, 0.9).available)).toBe('11111' + '0000' + '111');
  });

  it('needs --spot-price: events carry no prices', () => {
    const trace = parseTrace('events.json', JSON.stringify([recorded('aws.ec2/spot-interruption/terminate.json', iso(0))]), undefined);
    expect(() => resample(trace, 0, 3, MINUTE, undefined)).toThrow(/^events\.json: has no Spot prices: give --spot-price/);
  });

  it('names the event that fails its schema', () => {
    const broken = { ...loadEvent<{ detail: object }>('aws.ec2/spot-interruption/terminate.json') };
    const events = [{ ...broken, detail: { 'instance-id': 'not-an-instance', 'instance-action': 'terminate' } }];
    expect(() => parseTrace('events.json', JSON.stringify(events), undefined)).toThrow(/^events\.json: event 0 \(.+\): [\s\S]*not an EC2 instance id/);
  });
});

describe('windows', () => {
  const cbl = (data: number[]) => parseTrace('w.json', JSON.stringify({ metadata: { gap_seconds: 3600 }, data }), 'available-is-1');

  it('aligns timestamped traces on the earliest one of the window', () => {
    const late = parseTrace('b.json', JSON.stringify([recorded('aws.ec2/spot-interruption/terminate.json', '2026-11-18T14:10:00Z')]), undefined);
    const early = parseTrace('a.json', JSON.stringify({ SpotPriceHistory: [{ AvailabilityZone: 'z', InstanceType: 't', ProductDescription: 'p', SpotPrice: '0.5', Timestamp: '2026-11-18T14:00:00Z' }] }), undefined);
    const window = windowOf('w.json', [{ name: 'aws/a', cloud: 'aws' }, { name: 'aws/b', cloud: 'aws' }], [early, late], settings(0.25), 0.9);
    expect(bits(window.available[1] ?? new Uint8Array())).toBe('1'.repeat(12) + '0'.repeat(3));
  });

  it('refuses a window shorter than the deadline, naming the pool and the window', () => {
    expect(() => windowOf('w.json', [{ name: 'aws/a', cloud: 'aws' }], [cbl([1, 1])], settings(3, 3600), 1)).toThrow(
      new TraceWindowError('aws/a (w.json) covers 2.00 h, the deadline needs 3 h', 'w.json'),
    );
  });
});
