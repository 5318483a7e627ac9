/** Long polling on a manual clock: answers on the first available message or when the wait ends. */
import { receiveMessages } from '../../../../local/aws/sqs-long-poll';
import { localSqs, settle } from './helpers';

describe('receiveMessages (long polling)', () => {
  it('answers at once when a message is available', async () => {
    const { sqs } = localSqs();
    const queue = sqs.create('q');
    queue.send({ body: 'ready' });
    await expect(receiveMessages(queue, { waitTimeSeconds: 20 })).resolves.toMatchObject([{ body: 'ready' }]);
  });

  it('wakes on a send during the wait', async () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('q');
    let result: string[] | undefined;
    void receiveMessages(queue, { waitTimeSeconds: 20, maxNumberOfMessages: 10 }).then((m) => (result = m.map((x) => x.body)));
    clock.advance(5_000);
    await settle();
    expect(result).toBeUndefined();
    queue.send({ body: 'late' });
    await settle();
    expect(result).toStrictEqual(['late']);
  });

  it('wakes when a delayed or in-flight message becomes visible', async () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('q', { visibilityTimeoutSeconds: 3 });
    queue.send({ body: 'delayed', delaySeconds: 4 });
    queue.send({ body: 'in-flight' });
    queue.receive();
    let result: string[] | undefined;
    void receiveMessages(queue, { waitTimeSeconds: 20, maxNumberOfMessages: 10 }).then((m) => (result = m.map((x) => x.body)));
    clock.advance(2_999);
    await settle();
    expect(result).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(result).toStrictEqual(['in-flight']);
  });

  it('answers empty when the wait ends, and uses the queue default ReceiveMessageWaitTimeSeconds', async () => {
    const { clock, sqs } = localSqs();
    const queue = sqs.create('q', { receiveMessageWaitTimeSeconds: 2 });
    let result: unknown;
    void receiveMessages(queue).then((m) => (result = m));
    clock.advance(1_999);
    await settle();
    expect(result).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(result).toStrictEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('gives up without taking messages when aborted', async () => {
    const { sqs } = localSqs();
    const queue = sqs.create('q');
    const abort = new AbortController();
    const pending = receiveMessages(queue, { waitTimeSeconds: 20 }, abort.signal);
    abort.abort();
    queue.send({ body: 'kept' });
    await expect(pending).resolves.toStrictEqual([]);
    expect(queue.counts()).toStrictEqual({ visible: 1, inFlight: 0, delayed: 0 });
  });

  it('refuses a wait over 20 seconds', async () => {
    const { sqs } = localSqs();
    await expect(receiveMessages(sqs.create('q'), { waitTimeSeconds: 21 })).rejects.toMatchObject({ code: 'InvalidParameterValue' });
  });
});
