/**
 * ReceiveMessage with WaitTimeSeconds (long polling): answers as soon as at least one message is available
 * (SQS does not wait to fill MaxNumberOfMessages) or when the wait ends, whichever comes first. Wakes on a
 * send, a visibility change to 0, a dead-lettered arrival, and when a delayed or in-flight message's time
 * comes. Timers go through the queue's Clock.
 */
import { sqsErrors } from './sqs-errors';
import { SQS_LIMITS, type ReceiveMessageInput, type ReceivedMessage, type SqsQueue } from './sqs-queue';

export interface LongPollInput extends ReceiveMessageInput {
  /** 0 to 20; 0 answers at once. @default the queue's ReceiveMessageWaitTimeSeconds */
  readonly waitTimeSeconds?: number;
}

/** Resolves once the queue may have something, `untilMs` arrives, or `signal` aborts. */
function waitForChange(queue: SqsQueue, untilMs: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const wake = queue.nextVisibleAt();
    const cancels: Array<() => void> = [];
    const done = () => {
      for (const cancel of cancels) cancel();
      resolve();
    };
    cancels.push(queue.onAvailable(done));
    cancels.push(queue.clock.setTimer(done, Math.min(untilMs, wake ?? untilMs) - queue.clock.now()));
    if (signal !== undefined) {
      if (signal.aborted) return done();
      signal.addEventListener('abort', done, { once: true });
      cancels.push(() => signal.removeEventListener('abort', done));
    }
  });
}

/** ReceiveMessage, waiting up to WaitTimeSeconds; an aborted `signal` ends the wait with what there is. */
export async function receiveMessages(queue: SqsQueue, input: LongPollInput = {}, signal?: AbortSignal): Promise<ReceivedMessage[]> {
  const waitSeconds = input.waitTimeSeconds ?? queue.settings.receiveMessageWaitTimeSeconds;
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > SQS_LIMITS.maxWaitTimeSeconds) {
    throw sqsErrors.invalidParameterValue(
      `Value ${waitSeconds} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= ${SQS_LIMITS.maxWaitTimeSeconds}, if provided.`,
    );
  }
  const deadline = queue.clock.now() + waitSeconds * 1000;
  const aborted = () => signal?.aborted === true;
  let messages = queue.receive(input);
  while (messages.length === 0 && queue.clock.now() < deadline && !aborted()) {
    await waitForChange(queue, deadline, signal);
    // A caller that gave up must not take messages it will never see: they would sit in flight unseen.
    if (aborted()) return [];
    messages = queue.receive(input);
  }
  return messages;
}
