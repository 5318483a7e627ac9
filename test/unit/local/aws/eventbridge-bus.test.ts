/** The local bus: PutEvents validation and envelope, rule routing with INGEST_RULES over the recorded corpus. */
import { INGEST_RULES } from '../../../../lambdas/events/rules';
import { ManualClock } from '../../../../local/aws/clock';
import { AwsServiceError } from '../../../../local/aws/errors';
import { EventBridgeService, EVENTBRIDGE_SENDER_ID, InvalidInjectedEventError, putEventsEntrySize } from '../../../../local/aws/eventbridge-bus';
import { seededRandom } from '../../../../local/aws/random';
import { SqsService } from '../../../../local/aws/sqs-service';
import { loadEvent } from '../../../support/events';
import { ACCOUNT, BASE_URL, REGION } from './helpers';

function localCloud() {
  const clock = new ManualClock(Date.parse('2026-11-18T14:21:07.640Z'));
  const random = seededRandom(5);
  const sqs = new SqsService({ region: REGION, accountId: ACCOUNT, baseUrl: BASE_URL, clock, random, defaultSenderId: 'AIDATEST' });
  const events = new EventBridgeService({ region: REGION, accountId: ACCOUNT, clock, random });
  const queue = sqs.create('spot-on-interruption');
  events.get('default')?.putRules(INGEST_RULES, [queue]);
  return { clock, sqs, events, queue, bus: events.get('default') };
}

const bodies = (queue: ReturnType<typeof localCloud>['queue']) =>
  queue.receive({ maxNumberOfMessages: 10, attributeNames: ['SenderId'] }).map((m) => ({ body: JSON.parse(m.body) as unknown, sender: m.attributes.SenderId }));

describe('EventBridge bus', () => {
  it('wraps a PutEvents entry in the EventBridge envelope and routes it to the targets of matching rules', () => {
    const { events, sqs } = localCloud();
    const lifecycle = events.create('spot-on');
    const target = sqs.create('lifecycle-tap');
    lifecycle.putRule({ name: 'reflex-actions', pattern: { source: ['spot-on'], 'detail-type': ['Spot-On Reflex Action'] }, targets: [target] });

    const result = events.putEvents([
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
    const [delivered] = target.receive({ attributeNames: ['All'] });
    expect(delivered?.body).toBe(JSON.stringify(expected));
    expect(delivered?.attributes.SenderId).toBe(EVENTBRIDGE_SENDER_ID);
    expect(delivered?.messageAttributes).toStrictEqual({});
  });

  it('fails entries as PutEvents does, without failing the others', () => {
    const { events } = localCloud();
    const result = events.putEvents([
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

  it('refuses a request with no entries, more than 10, or over 256 KiB in total', () => {
    const { events } = localCloud();
    const entry = { Source: 'app', DetailType: 't', Detail: '{}' };
    const refusal = (entries: readonly (typeof entry)[]) => {
      try {
        events.putEvents(entries);
      } catch (error) {
        return error as AwsServiceError;
      }
      return undefined;
    };
    expect(refusal([])).toMatchObject({ code: 'ValidationException', status: 400 });
    expect(refusal(Array.from({ length: 11 }, () => entry))?.message).toContain('Member must have length less than or equal to 10');
    const big = { ...entry, Detail: JSON.stringify({ x: 'y'.repeat(130 * 1024) }) };
    expect(refusal([big])).toBeUndefined();
    expect(refusal([big, big])).toMatchObject({ code: 'ValidationException', message: 'Total size of the entries in the request is over the limit.' });
  });

  it('sizes entries as the User Guide computes them', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'cd', Detail: '{"é":1}', Resources: ['r1', 'r22'], TimeMs: 0 })).toBe(14 + 2 + 2 + 8 + 2 + 3);
  });

  describe('with INGEST_RULES targeting the interruption queue', () => {
    it('routes an injected recorded Spot warning unchanged, as the message body', () => {
      const { bus, queue } = localCloud();
      const warning = loadEvent('aws.ec2/spot-interruption/terminate.json');
      const record = bus?.inject(warning);
      expect(record?.matchedRules).toStrictEqual(['spotInterruption']);
      expect(bodies(queue)).toStrictEqual([{ body: warning, sender: EVENTBRIDGE_SENDER_ID }]);
    });

    it.each([
      ['aws.ec2/rebalance-recommendation/documented.json', ['rebalanceRecommendation']],
      ['aws.ec2/instance-state-change/terminated.json', ['instanceStateChange']],
      ['aws.ec2/instance-state-change/pending.json', []],
      ['aws.cloudwatch/alarm-state-change/composite-alarm-alarm.json', ['alarmStateChange']],
      ['decoys/alarm-other-team.json', []],
      ['decoys/s3-object-created.json', []],
    ])('routes %s to %j', (path, rules) => {
      const { bus, queue } = localCloud();
      expect(bus?.inject(loadEvent(path)).matchedRules).toStrictEqual(rules);
      expect(bodies(queue)).toHaveLength(rules.length);
    });

    it('restamps a replayed event with a new id, the current time and the local account and region', () => {
      const { bus, queue } = localCloud();
      const warning = loadEvent<Record<string, unknown>>('aws.ec2/spot-interruption/terminate.json');
      const { event } = bus?.inject(warning, { restamp: true }) ?? {};
      expect(event).toStrictEqual({ ...warning, id: expect.any(String), time: '2026-11-18T14:21:07Z', account: ACCOUNT, region: REGION });
      expect(event?.id).not.toBe(warning.id);
      expect(bodies(queue).map((b) => b.body)).toStrictEqual([event]);
    });

    it('refuses to inject something that is not an event', () => {
      const { bus } = localCloud();
      expect(() => bus?.inject(loadEvent('malformed/missing-detail.json'))).toThrow(new InvalidInjectedEventError('event detail must be a JSON object'));
      expect(() => bus?.inject([])).toThrow(InvalidInjectedEventError);
    });
  });

  it('tells listeners about every event and keeps a bounded record', () => {
    const clock = new ManualClock();
    const events = new EventBridgeService({ region: REGION, accountId: ACCOUNT, clock, random: seededRandom(1), maxRecordedEvents: 2 });
    const bus = events.create('spot-on');
    const seen: string[] = [];
    const unsubscribe = bus.onEvent((r) => seen.push(r.event['detail-type']));
    for (const type of ['a', 'b', 'c']) events.putEvents([{ EventBusName: 'spot-on', Source: 'spot-on', DetailType: type, Detail: '{}' }]);
    unsubscribe();
    events.putEvents([{ EventBusName: 'spot-on', Source: 'spot-on', DetailType: 'd', Detail: '{}' }]);
    expect(seen).toStrictEqual(['a', 'b', 'c']);
    expect(bus.events().map((r) => r.event['detail-type'])).toStrictEqual(['c', 'd']);
  });

  it('refuses a rule pattern EventBridge would refuse', () => {
    const { bus } = localCloud();
    expect(() => bus?.putRule({ name: 'bad', pattern: { source: 'aws.ec2' }, targets: [] })).toThrow(/pattern/i);
  });
});
