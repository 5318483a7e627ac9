/** The local bus: PutEvents validation and envelope, rule routing with INGEST_RULES over the recorded corpus, delivery to SQS. */
import { INGEST_RULES } from '../../../../lambdas/events/rules';
import { ManualClock } from '../../../../local/aws/clock';
import { AwsServiceError } from '../../../../local/aws/errors';
import { EventBridgeService, InvalidInjectedEventError, putEventsEntrySize } from '../../../../local/aws/eventbridge-bus';
import { seededRandom } from '../../../../local/aws/random';
import { loadEvent } from '../../../support/events';
import { ACCOUNT, queueRef, recordingDelivery, REGION } from './helpers';

function localCloud(copies?: number) {
  const clock = new ManualClock(Date.parse('2026-11-18T14:21:07.640Z'));
  const random = seededRandom(5);
  const { deliver, sent } = recordingDelivery();
  const events = new EventBridgeService({ region: REGION, accountId: ACCOUNT, clock, random, deliver, ...(copies === undefined ? {} : { copies }) });
  const queue = queueRef('spot-on-interruption');
  events.get('default')?.putRules(INGEST_RULES, [queue]);
  const bodies = (target = queue) => (sent.get(target.url) ?? []).map((m) => JSON.parse(m.body) as unknown);
  return { clock, events, queue, sent, bodies, bus: events.get('default') };
}

describe('EventBridge bus', () => {
  it('wraps a PutEvents entry in the EventBridge envelope and routes it to the targets of matching rules', async () => {
    const { events, sent } = localCloud();
    const lifecycle = events.create('spot-on');
    const target = queueRef('lifecycle-tap');
    lifecycle.putRule({ name: 'reflex-actions', pattern: { source: ['spot-on'], 'detail-type': ['Spot-On Reflex Action'] }, targets: [target] });

    const result = await events.putEvents([
      { EventBusName: 'spot-on', Source: 'spot-on', DetailType: 'Spot-On Reflex Action', Detail: '{"eventId":"e-1"}', Resources: ['arn:aws:ec2:x'] },
      { EventBusName: lifecycle.arn, Source: 'spot-on', DetailType: 'Other', Detail: '{}', TimeMs: Date.parse('2026-01-02T03:04:05.678Z') },
    ]);

    expect(result.FailedEntryCount).toBe(0);
    const [first, second] = result.Entries.map((e) => ('EventId' in e ? e.EventId : ''));
    const expected = {
      version: '0',
      id: first,
      'detail-type': 'Spot-On Reflex Action',
      source: 'spot-on',
      account: ACCOUNT,
      time: '2026-11-18T14:21:07Z',
      region: REGION,
      resources: ['arn:aws:ec2:x'],
      detail: { eventId: 'e-1' },
    };
    expect(lifecycle.events().map((r) => [r.event, r.via, r.matchedRules])).toStrictEqual([
      [expected, 'PutEvents', ['reflex-actions']],
      [{ ...expected, id: second, 'detail-type': 'Other', time: '2026-01-02T03:04:05Z', resources: [], detail: {} }, 'PutEvents', []],
    ]);
    expect(sent.get(target.url)).toStrictEqual([{ body: JSON.stringify(expected), delaySeconds: 0 }]);
    expect(lifecycle.events()[0]?.deliveries).toStrictEqual([{ rule: 'reflex-actions', targetArn: target.arn, messageId: 'message-1' }]);
  });

  it('fails entries as PutEvents does, without failing the others', async () => {
    const { events } = localCloud();
    const result = await events.putEvents([
      { Source: 'app', DetailType: 'ok', Detail: '{"a":1}' },
      { DetailType: 't', Detail: '{}' },
      { Source: 'app', Detail: '{}' },
      { Source: 'app', DetailType: 't' },
      { Source: 'app', DetailType: 't', Detail: '[1,2]' },
      { Source: 'app', DetailType: 't', Detail: '{oops' },
      { Source: 'aws.ec2', DetailType: 'EC2 Spot Instance Interruption Warning', Detail: '{}' },
      { Source: 'app', DetailType: 't', Detail: '{}', EventBusName: 'nope' },
    ]);
    expect(result.FailedEntryCount).toBe(7);
    expect(result.Entries.slice(1)).toStrictEqual([
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus nope does not exist.' },
    ]);
    expect(result.Entries[0]).toStrictEqual({ EventId: expect.any(String) });
  });

  it('refuses a request with no entries, more than 10, or over 256 KiB in total', async () => {
    const { events } = localCloud();
    const entry = { Source: 'app', DetailType: 't', Detail: '{}' };
    const refusal = async (entries: readonly (typeof entry)[]) => {
      try {
        await events.putEvents(entries);
      } catch (error) {
        return error as AwsServiceError;
      }
      return undefined;
    };
    expect(await refusal([])).toMatchObject({ code: 'ValidationException', status: 400 });
    expect((await refusal(Array.from({ length: 11 }, () => entry)))?.message).toContain('Member must have length less than or equal to 10');
    const big = { ...entry, Detail: JSON.stringify({ x: 'y'.repeat(130 * 1024) }) };
    expect(await refusal([big])).toBeUndefined();
    expect(await refusal([big, big])).toMatchObject({ code: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
  });

  it('sizes entries as the User Guide computes them', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'cd', Detail: '{"é":1}', Resources: ['r1', 'r22'], TimeMs: 0 })).toBe(14 + 2 + 2 + 8 + 2 + 3);
  });

  describe('with INGEST_RULES targeting the interruption queue', () => {
    it('routes an injected recorded Spot warning unchanged, as the message body', async () => {
      const { bus, bodies } = localCloud();
      const warning = loadEvent('aws.ec2/spot-interruption/terminate.json');
      const record = await bus?.inject(warning);
      expect(record?.matchedRules).toStrictEqual(['spotInterruption']);
      expect(bodies()).toStrictEqual([warning]);
    });

    it('delivers a seeded number of copies, each after a seeded delay of 0 or 1 s (at-least-once, out of order)', async () => {
      const { bus, queue, sent } = localCloud(3);
      const warning = loadEvent('aws.ec2/spot-interruption/terminate.json');
      const record = await bus?.inject(warning);
      const copies = sent.get(queue.url) ?? [];
      expect(copies.map((c) => JSON.parse(c.body) as unknown)).toStrictEqual([warning, warning, warning]);
      expect(copies.every((c) => c.delaySeconds === 0 || c.delaySeconds === 1)).toBe(true);
      expect(record?.deliveries).toHaveLength(3);
      const again = localCloud(3);
      await again.bus?.inject(warning);
      expect(again.sent.get(queue.url)?.map((c) => c.delaySeconds)).toStrictEqual(copies.map((c) => c.delaySeconds));
    });

    it('records a delivery that failed and still records the event', async () => {
      const clock = new ManualClock();
      const events = new EventBridgeService({ region: REGION, accountId: ACCOUNT, clock, random: seededRandom(1), deliver: () => Promise.reject(new Error('queue gone')) });
      const queue = queueRef('q');
      events.get('default')?.putRules(INGEST_RULES, [queue]);
      const record = await events.get('default')?.inject(loadEvent('aws.ec2/spot-interruption/terminate.json'));
      expect(record?.deliveries).toStrictEqual([{ rule: 'spotInterruption', targetArn: queue.arn, error: 'queue gone' }]);
    });

    it.each([
      ['aws.ec2/rebalance-recommendation/documented.json', ['rebalanceRecommendation']],
      ['aws.ec2/instance-state-change/terminated.json', ['instanceStateChange']],
      ['aws.ec2/instance-state-change/pending.json', []],
      ['aws.cloudwatch/alarm-state-change/composite-alarm-alarm.json', ['alarmStateChange']],
      ['decoys/alarm-other-team.json', []],
      ['decoys/s3-object-created.json', []],
    ])('routes %s to %j', async (path, rules) => {
      const { bus, bodies } = localCloud();
      expect((await bus?.inject(loadEvent(path)))?.matchedRules).toStrictEqual(rules);
      expect(bodies()).toHaveLength(rules.length);
    });

    it('restamps a replayed event with a new id, the current time and the local account and region', async () => {
      const { bus, bodies } = localCloud();
      const warning = loadEvent<Record<string, unknown>>('aws.ec2/spot-interruption/terminate.json');
      const { event } = (await bus?.inject(warning, { restamp: true })) ?? {};
      expect(event).toStrictEqual({ ...warning, id: expect.any(String), time: '2026-11-18T14:21:07Z', account: ACCOUNT, region: REGION });
      expect(event?.id).not.toBe(warning.id);
      expect(bodies()).toStrictEqual([event]);
    });

    it('refuses to inject something that is not an event', async () => {
      const { bus } = localCloud();
      await expect(bus?.inject(loadEvent('malformed/missing-detail.json'))).rejects.toThrow(new InvalidInjectedEventError('event detail must be a JSON object'));
      await expect(bus?.inject([])).rejects.toThrow(InvalidInjectedEventError);
    });
  });

  it('tells listeners about every event and keeps a bounded record', async () => {
    const clock = new ManualClock();
    const events = new EventBridgeService({ region: REGION, accountId: ACCOUNT, clock, random: seededRandom(1), deliver: recordingDelivery().deliver, maxRecordedEvents: 2 });
    const bus = events.create('spot-on');
    const seen: string[] = [];
    const unsubscribe = bus.onEvent((r) => seen.push(r.event['detail-type']));
    for (const type of ['a', 'b', 'c']) await events.putEvents([{ EventBusName: 'spot-on', Source: 'spot-on', DetailType: type, Detail: '{}' }]);
    unsubscribe();
    await events.putEvents([{ EventBusName: 'spot-on', Source: 'spot-on', DetailType: 'd', Detail: '{}' }]);
    expect(seen).toStrictEqual(['a', 'b', 'c']);
    expect(bus.events().map((r) => r.event['detail-type'])).toStrictEqual(['c', 'd']);
  });

  it('refuses a rule pattern EventBridge would refuse', () => {
    const { bus } = localCloud();
    expect(() => bus?.putRule({ name: 'bad', pattern: { source: 'aws.ec2' }, targets: [] })).toThrow(/pattern/i);
  });
});
