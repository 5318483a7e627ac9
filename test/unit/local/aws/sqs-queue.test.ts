/** SQS standard-queue semantics on a manual clock. */
import { AwsServiceError } from '../../../../local/aws/errors';
import { md5Hex } from '../../../../local/aws/md5';
import { seededRandom } from '../../../../local/aws/random';
import type { SqsQueue } from '../../../../local/aws/sqs-queue';
import { SqsService } from '../../../../local/aws/sqs-service';
import { ACCOUNT, BASE_URL, localSqs, REGION } from './helpers';

const ALL = { attributeNames: ['All'], messageAttributeNames: ['All'] } as const;

function caught(fn: () => unknown): AwsServiceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsServiceError) return error;
    throw error;
  }
  throw new Error('expected an AwsServiceError');
}

describe('SqsQueue', () => {
  it('sends and receives a message with its system and message attributes', () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('orders');
    const sent = queue.send({ body: 'hello', messageAttributes: { kind: { dataType: 'String', stringValue: 'greeting' } } });
    const sentAt = clock.now();
    clock.advance(250);
    const [message, ...rest] = queue.receive(ALL);

    expect(rest).toStrictEqual([]);
    expect(sent.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(sent.md5OfMessageBody).toBe(md5Hex('hello'));
    expect(message).toStrictEqual({
      messageId: sent.messageId,
      receiptHandle: expect.any(String),
      body: 'hello',
      md5OfBody: md5Hex('hello'),
      attributes: {
        SenderId: 'AIDATESTSENDER',
        ApproximateFirstReceiveTimestamp: String(sentAt + 250),
        ApproximateReceiveCount: '1',
        SentTimestamp: String(sentAt),
      },
      messageAttributes: { kind: { dataType: 'String', stringValue: 'greeting' } },
      md5OfMessageAttributes: sent.md5OfMessageAttributes,
    });
    expect(queue.url).toBe(`${BASE_URL}/${ACCOUNT}/orders`);
    expect(queue.arn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:orders`);
  });

  it('returns only the requested attributes, with an MD5 over the returned message attributes', () => {
    const { sqs } = localSqs();
    const queue = sqs.create('q');
    queue.send({
      body: 'b',
      messageAttributes: { 'trace.id': { dataType: 'String', stringValue: 't' }, other: { dataType: 'Number', stringValue: '1' } },
    });
    const [message] = queue.receive({ attributeNames: ['ApproximateReceiveCount'], messageAttributeNames: ['trace.*'] });
    expect(message?.attributes).toStrictEqual({ ApproximateReceiveCount: '1' });
    expect(Object.keys(message?.messageAttributes ?? {})).toStrictEqual(['trace.id']);
    const [bare] = (queue.changeVisibility(message?.receiptHandle ?? '', 0), queue.receive());
    expect(bare?.attributes).toStrictEqual({});
    expect(bare?.md5OfMessageAttributes).toBeUndefined();
  });

  it('hides a received message for the visibility timeout, then redelivers it with a higher receive count', () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('q', { visibilityTimeoutSeconds: 30 });
    queue.send({ body: 'x' });
    const first = queue.receive(ALL)[0];
    const firstReceivedAt = clock.now();
    expect(queue.counts()).toStrictEqual({ visible: 0, inFlight: 1, delayed: 0 });
    clock.advance(29_999);
    expect(queue.receive()).toStrictEqual([]);
    clock.advance(1);
    const second = queue.receive(ALL)[0];
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    expect(second?.attributes.ApproximateReceiveCount).toBe('2');
    expect(second?.attributes.ApproximateFirstReceiveTimestamp).toBe(String(firstReceivedAt));
  });

  it('honours a per-receive visibility timeout and up to 10 messages in send order', () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('q');
    for (let i = 0; i < 12; i++) queue.send({ body: `m${i}` });
    const batch = queue.receive({ maxNumberOfMessages: 10, visibilityTimeoutSeconds: 5 });
    expect(batch.map((m) => m.body)).toStrictEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    clock.advance(5_000);
    expect(queue.receive({ maxNumberOfMessages: 10 })).toHaveLength(10);
    expect(caught(() => queue.receive({ maxNumberOfMessages: 11 }))).toMatchObject({
      code: 'InvalidParameterValue',
      message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    });
  });

  it('delays a message by DelaySeconds (message or queue default)', () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('q', { delaySeconds: 2 });
    queue.send({ body: 'queue-default' });
    queue.send({ body: 'own-delay', delaySeconds: 5 });
    expect(queue.counts()).toStrictEqual({ visible: 0, inFlight: 0, delayed: 2 });
    expect(queue.nextVisibleAt()).toBe(clock.now() + 2_000);
    clock.advance(2_000);
    expect(queue.receive({ maxNumberOfMessages: 10 }).map((m) => m.body)).toStrictEqual(['queue-default']);
    clock.advance(3_000);
    expect(queue.receive({ maxNumberOfMessages: 10 }).map((m) => m.body)).toStrictEqual(['own-delay']);
  });

  describe('DeleteMessage', () => {
    it('with the latest receipt handle deletes; again is a no-op', () => {
      const { sqs } = localSqs();
      const queue = sqs.create('q');
      queue.send({ body: 'x' });
      const [message] = queue.receive();
      expect(queue.delete(message?.receiptHandle ?? '')).toBe('deleted');
      expect(queue.delete(message?.receiptHandle ?? '')).toBe('already-gone');
      expect(queue.messages()).toStrictEqual([]);
    });

    it('with a stale handle after a re-receive succeeds but leaves the message (as the API reference warns)', () => {
      const { clock, sqs } = localSqs();
      const queue = sqs.create('q', { visibilityTimeoutSeconds: 10 });
      queue.send({ body: 'x' });
      const [first] = queue.receive();
      clock.advance(10_000);
      const [second] = queue.receive();
      expect(queue.delete(first?.receiptHandle ?? '')).toBe('stale-handle');
      expect(queue.messages().map((m) => [m.body, m.state, m.receiveCount])).toStrictEqual([['x', 'in-flight', 2]]);
      expect(queue.delete(second?.receiptHandle ?? '')).toBe('deleted');
    });

    it('with the latest handle still deletes after the visibility timeout ran out', () => {
      const { clock, sqs } = localSqs();
      const queue = sqs.create('q', { visibilityTimeoutSeconds: 1 });
      queue.send({ body: 'x' });
      const [message] = queue.receive();
      clock.advance(60_000);
      expect(queue.delete(message?.receiptHandle ?? '')).toBe('deleted');
    });

    it('refuses a handle the queue never issued', () => {
      const { sqs } = localSqs();
      const queue = sqs.create('q');
      const other = sqs.create('other');
      other.send({ body: 'x' });
      const [foreign] = other.receive();
      for (const handle of ['garbage', foreign?.receiptHandle ?? '', `${foreign?.receiptHandle ?? ''}x`]) {
        expect(caught(() => queue.delete(handle))).toMatchObject({
          code: 'ReceiptHandleIsInvalid',
          status: 404,
          queryCode: 'ReceiptHandleIsInvalid',
          message: `The input receipt handle "${handle}" is not a valid receipt handle.`,
        });
      }
    });
  });

  describe('ChangeMessageVisibility', () => {
    it('extends or ends the visibility timeout of an in-flight message', () => {
      const { clock, sqs } = localSqs();
      const queue = sqs.create('q', { visibilityTimeoutSeconds: 10 });
      queue.send({ body: 'x' });
      const [message] = queue.receive();
      queue.changeVisibility(message?.receiptHandle ?? '', 60);
      clock.advance(59_000);
      expect(queue.receive()).toStrictEqual([]);
      queue.changeVisibility(message?.receiptHandle ?? '', 0);
      expect(queue.receive().map((m) => m.body)).toStrictEqual(['x']);
    });

    it('refuses a message that is no longer in flight or a stale handle', () => {
      const { clock, sqs } = localSqs();
      const queue = sqs.create('q', { visibilityTimeoutSeconds: 10 });
      queue.send({ body: 'x' });
      const [first] = queue.receive();
      clock.advance(10_000);
      const handle = first?.receiptHandle ?? '';
      const notInFlight = caught(() => queue.changeVisibility(handle, 5));
      expect(notInFlight).toMatchObject({
        code: 'InvalidParameterValue',
        message: `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      });
      queue.receive();
      expect(caught(() => queue.changeVisibility(handle, 5)).code).toBe('InvalidParameterValue');
    });

    it('caps the total visibility at 12 hours from the receive', () => {
      const { clock, sqs } = localSqs();
      const queue = sqs.create('q', { visibilityTimeoutSeconds: 3_600 });
      queue.send({ body: 'x' });
      const [message] = queue.receive();
      clock.advance(1_000);
      expect(caught(() => queue.changeVisibility(message?.receiptHandle ?? '', 43_200)).message).toContain(
        'Total VisibilityTimeout for the message is beyond the limit [43200 seconds]',
      );
    });
  });

  describe('redrive', () => {
    function withDeadLetterQueue(maxReceiveCount: number) {
      const { clock, sqs } = localSqs();
      const dlq = sqs.create('q-dlq');
      const queue = sqs.create('q', { visibilityTimeoutSeconds: 10, deadLetterQueue: { queue: dlq, maxReceiveCount } });
      return { clock, queue, dlq };
    }

    it('moves a message to the dead-letter queue on the receive after maxReceiveCount receives', () => {
      const { clock, queue, dlq } = withDeadLetterQueue(2);
      const sent = queue.send({ body: 'poison', messageAttributes: { a: { dataType: 'String', stringValue: '1' } } });
      const sentAt = clock.now();
      expect(queue.receive()).toHaveLength(1);
      clock.advance(10_000);
      expect(queue.receive()).toHaveLength(1);
      clock.advance(10_000);
      expect(queue.receive()).toStrictEqual([]);
      expect(queue.messages()).toStrictEqual([]);
      const [moved] = dlq.receive(ALL);
      expect(moved).toMatchObject({
        messageId: sent.messageId,
        body: 'poison',
        messageAttributes: { a: { dataType: 'String', stringValue: '1' } },
        attributes: { SentTimestamp: String(sentAt), ApproximateReceiveCount: '3', DeadLetterQueueSourceArn: queue.arn },
      });
    });

    it('delivers the other messages of the same receive', () => {
      const { clock, queue, dlq } = withDeadLetterQueue(1);
      queue.send({ body: 'old' });
      queue.receive();
      clock.advance(10_000);
      queue.send({ body: 'new' });
      expect(queue.receive({ maxNumberOfMessages: 10 }).map((m) => m.body)).toStrictEqual(['new']);
      expect(dlq.messages().map((m) => m.body)).toStrictEqual(['old']);
    });

    it('is refused when the dead-letter target does not exist', () => {
      const { sqs } = localSqs();
      expect(() =>
        sqs.createFromWire('q', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: sqs.arnOf('missing'), maxReceiveCount: 3 }) }),
      ).toThrow(/Dead letter target does not exist/);
    });
  });

  it('drops messages older than the retention period', () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('q', { messageRetentionSeconds: 60 });
    queue.send({ body: 'x' });
    clock.advance(59_999);
    expect(queue.counts().visible).toBe(1);
    clock.advance(1);
    expect(queue.counts().visible).toBe(0);
    expect(queue.receive()).toStrictEqual([]);
  });

  it('purges everything, at most once a minute', () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('q');
    queue.send({ body: 'x' });
    queue.purge();
    expect(queue.messages()).toStrictEqual([]);
    expect(caught(() => queue.purge())).toMatchObject({ code: 'PurgeQueueInProgress', status: 403 });
    clock.advance(60_000);
    expect(() => queue.purge()).not.toThrow();
  });

  it('validates what SendMessage validates', () => {
    const { sqs } = localSqs();
    const queue = sqs.create('q', { maximumMessageSize: 1_024 });
    expect(caught(() => queue.send({ body: '' }))).toMatchObject({ code: 'MissingParameter', message: 'The request must contain the parameter MessageBody.' });
    expect(caught(() => queue.send({ body: 'x'.repeat(1_025) })).message).toBe(
      'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    );
    expect(caught(() => queue.send({ body: 'x', delaySeconds: 901 })).code).toBe('InvalidParameterValue');
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { dataType: 'String', stringValue: 'v' }]));
    expect(caught(() => queue.send({ body: 'x', messageAttributes: eleven })).message).toBe(
      'Number of message attributes [11] exceeds the allowed maximum [10].',
    );
    expect(caught(() => queue.send({ body: 'x', messageAttributes: { 'AWS.reserved': { dataType: 'String', stringValue: 'v' } } })).code).toBe(
      'InvalidParameterValue',
    );
    expect(caught(() => queue.send({ body: 'x', messageAttributes: { n: { dataType: 'Number', stringValue: 'ten' } } })).message).toBe(
      "Can't convert the value of message (user) attribute 'n' to a number.",
    );
    expect(caught(() => queue.send({ body: 'x', messageAttributes: { t: { dataType: 'Text', stringValue: 'v' } } })).message).toContain(
      'supported type prefixes: Binary, Number, String',
    );
  });

  describe('injected delivery faults', () => {
    const drain = (queue: SqsQueue) => {
      const out: string[] = [];
      for (let batch = queue.receive({ maxNumberOfMessages: 10 }); batch.length > 0; batch = queue.receive({ maxNumberOfMessages: 10 })) {
        out.push(...batch.map((m) => m.body));
      }
      return out;
    };

    it('delivers every message N times with { copies: N }; deleting one copy leaves the others', () => {
      const { sqs } = localSqs();
      const queue = sqs.create('q', { faults: { duplicates: { copies: 3 } } });
      const sent = queue.send({ body: 'x' });
      const received = queue.receive({ maxNumberOfMessages: 10 });
      expect(received.map((m) => m.messageId)).toStrictEqual([sent.messageId, sent.messageId, sent.messageId]);
      expect(queue.delete(received[0]?.receiptHandle ?? '')).toBe('deleted');
      expect(queue.messages().map((m) => m.copy)).toStrictEqual([1, 2]);
    });

    it('duplicates with a probability, the same way for the same seed', () => {
      const run = (seed: number) => {
        const queue = localSqs(seed).sqs.create('q', { faults: { duplicates: { probability: 0.3 } } });
        for (let i = 0; i < 40; i++) queue.send({ body: `m${i}` });
        return drain(queue);
      };
      const first = run(11);
      expect(run(11)).toStrictEqual(first);
      expect(first.length).toBeGreaterThan(40);
      expect(first.length).toBeLessThan(80);
      expect(new Set(first).size).toBe(40);
    });

    it('reorders receives when asked, the same way for the same seed', () => {
      const run = (seed: number) => {
        const queue = localSqs(seed).sqs.create('q', { faults: { outOfOrder: true } });
        for (let i = 0; i < 20; i++) queue.send({ body: `m${i}` });
        return drain(queue);
      };
      const inOrder = Array.from({ length: 20 }, (_, i) => `m${i}`);
      const first = run(3);
      expect(run(3)).toStrictEqual(first);
      expect(first).not.toStrictEqual(inOrder);
      expect([...first].sort()).toStrictEqual([...inOrder].sort());
    });

    it("draws each queue's faults from its own seeded stream when the service has a seed", () => {
      const run = (trafficElsewhere: number) => {
        const { clock } = localSqs();
        const sqs = new SqsService({ region: REGION, accountId: ACCOUNT, baseUrl: BASE_URL, clock, random: seededRandom(1), seed: 42, defaultSenderId: 'x' });
        const queue = sqs.create('q', { faults: { duplicates: { probability: 0.5 }, outOfOrder: true } });
        const other = sqs.create('other', { faults: { duplicates: { probability: 0.5 } } });
        for (let i = 0; i < trafficElsewhere; i++) other.send({ body: 'noise' });
        for (let i = 0; i < 20; i++) queue.send({ body: `m${i}` });
        return drain(queue);
      };
      expect(run(7)).toStrictEqual(run(0));
    });

    it('duplicates a chosen message on demand', () => {
      const { sqs } = localSqs();
      const queue = sqs.create('q');
      const sent = queue.send({ body: 'x' });
      const [first] = queue.receive();
      expect(queue.duplicate(sent.messageId)).toBe(true);
      expect(queue.delete(first?.receiptHandle ?? '')).toBe('deleted');
      expect(queue.receive().map((m) => m.messageId)).toStrictEqual([sent.messageId]);
      expect(queue.duplicate('no-such-id')).toBe(false);
    });
  });
});

describe('SqsService', () => {
  it('finds queues by URL (any host) and ARN, and refuses unknown ones as SQS does', () => {
    const { sqs } = localSqs();
    const queue = sqs.create('q');
    expect(sqs.byUrl(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/q`)).toBe(queue);
    expect(sqs.byArn(queue.arn)).toBe(queue);
    expect(caught(() => sqs.byUrl(`${BASE_URL}/${ACCOUNT}/missing`))).toMatchObject({
      code: 'QueueDoesNotExist',
      queryCode: 'AWS.SimpleQueueService.NonExistentQueue',
      message: 'The specified queue does not exist.',
    });
    expect(caught(() => sqs.byUrl(`${BASE_URL}/q`)).code).toBe('InvalidAddress');
  });

  it('creates idempotently with the same attributes and refuses different ones', () => {
    const { sqs } = localSqs();
    const queue = sqs.createFromWire('q', { VisibilityTimeout: '60' });
    expect(sqs.createFromWire('q', { VisibilityTimeout: '60' })).toBe(queue);
    expect(caught(() => sqs.createFromWire('q', { VisibilityTimeout: '30' }))).toMatchObject({
      code: 'QueueNameExists',
      queryCode: 'QueueAlreadyExists',
      message: 'A queue already exists with the same name and a different value for attribute VisibilityTimeout',
    });
    expect(caught(() => sqs.createFromWire('bad name')).code).toBe('InvalidParameterValue');
    expect(caught(() => sqs.createFromWire('q2', { Colour: 'blue' })).code).toBe('InvalidAttributeName');
    expect(caught(() => sqs.createFromWire('q3', { VisibilityTimeout: '43201' })).code).toBe('InvalidAttributeValue');
  });
});
