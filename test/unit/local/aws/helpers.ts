/** Test doubles for the local AWS's unit tests: no network, no waiting. */
import type { DeliverToQueue, SqsTarget } from '../../../../local/aws/eventbridge-bus';

export const REGION = 'us-west-2';
export const ACCOUNT = '000000000000';
export const BASE_URL = 'http://127.0.0.1:4566';

/** A queue's address, as fauxqs would name it. */
export function queueRef(name: string): SqsTarget & { readonly name: string } {
  return { name, url: `${BASE_URL}/${ACCOUNT}/${name}`, arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}` };
}

/** What a bus sent: SendMessage calls by queue URL, in order. */
export function recordingDelivery(): { deliver: DeliverToQueue; sent: Map<string, { body: string; delaySeconds: number }[]> } {
  const sent = new Map<string, { body: string; delaySeconds: number }[]>();
  let next = 0;
  const deliver: DeliverToQueue = async (target, body, delaySeconds) => {
    sent.set(target.url, [...(sent.get(target.url) ?? []), { body, delaySeconds }]);
    return `message-${++next}`;
  };
  return { deliver, sent };
}
