/** A local SQS account on a manual clock with seeded ids: no network, no waiting. */
import { ManualClock } from '../../../../local/aws/clock';
import { seededRandom } from '../../../../local/aws/random';
import { SqsService } from '../../../../local/aws/sqs-service';

export const REGION = 'us-west-2';
export const ACCOUNT = '000000000000';
export const BASE_URL = 'http://127.0.0.1:4566';

export function localSqs(seed = 7): { clock: ManualClock; sqs: SqsService } {
  const clock = new ManualClock();
  const sqs = new SqsService({ region: REGION, accountId: ACCOUNT, baseUrl: BASE_URL, clock, random: seededRandom(seed), defaultSenderId: 'AIDATESTSENDER' });
  return { clock, sqs };
}

/** Lets promise callbacks (long-poll wake-ups) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
