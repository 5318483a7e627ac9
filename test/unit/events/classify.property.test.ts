import fc from 'fast-check';
import { classify, parseEventText } from '../../../lambdas/events/classify';
import { InvalidEventError } from '../../../lambdas/events/errors';
import { EVENT_MODULES } from '../../../lambdas/events/registry';

/** Runs `fn` and fails the property if it throws anything but InvalidEventError. */
function onlyTypedErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (error instanceof InvalidEventError) return true;
    throw error;
  }
}

const knownKeys = fc.constantFrom(...EVENT_MODULES.map((m) => ({ source: m.source, 'detail-type': m.detailType })));

// Envelopes of known kinds with arbitrary details: the interesting space, where schemas must hold the line.
const knownKindEvent = fc.record({
  key: knownKeys,
  id: fc.oneof(fc.uuid(), fc.string()),
  time: fc.oneof(fc.constant('2026-11-29T06:00:00Z'), fc.string()),
  region: fc.oneof(fc.constant('us-west-2'), fc.string()),
  detail: fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('instance-id', 'instance-action', 'state', 'service', 'eventTypeCategory', 'eventTypeCode', 'affectedEntities', 'alarmName', 'backupEvent', 'EC2InstanceId'), fc.jsonValue())),
}).map(({ key, ...rest }) => ({ version: '0', ...key, ...rest }));

describe('classify on arbitrary input', () => {
  it('returns a Message or throws InvalidEventError for any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => onlyTypedErrors(() => classify(value))), { numRuns: 500 });
  });

  it('returns a Message or throws InvalidEventError for known kinds with arbitrary details', () => {
    fc.assert(fc.property(knownKindEvent, (event) => onlyTypedErrors(() => classify(event))), { numRuns: 1000 });
  });

  it('parses any text or throws InvalidEventError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => onlyTypedErrors(() => classify(parseEventText(text)))), { numRuns: 500 });
  });

  it('survives the same events wrapped in SQS records', () => {
    fc.assert(
      fc.property(fc.oneof(knownKindEvent, fc.jsonValue()), (event) =>
        onlyTypedErrors(() => classify({ messageId: 'm-1', eventSource: 'aws:sqs', awsRegion: 'us-west-2', body: JSON.stringify(event) ?? '' })),
      ),
      { numRuns: 500 },
    );
  });

  it('never reads instance ids from resources', () => {
    fc.assert(
      fc.property(knownKindEvent, fc.array(fc.string()), (event, resources) => {
        let message;
        try {
          message = classify({ ...event, resources });
        } catch (error) {
          return error instanceof InvalidEventError;
        }
        const without = classify({ ...event, resources: [] });
        return JSON.stringify(message) === JSON.stringify(without);
      }),
      { numRuns: 300 },
    );
  });
});
