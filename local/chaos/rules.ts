/**
 * Requests that are correctly signed but must still be refused: what a compromised neighbour holding a genuine key
 * could send. Aggregator rules (bounds, one update per shard, identities, residency, epoch), brain input rules
 * (media type, run, schema) and trainer flush rules (instance, flush key).
 */
import { FLUSH_PATH } from '../../protocol/flush-request';
import { parseKeyRing } from '../../protocol/keys';
import { Trainer } from '../../fl-training/trainer/trainer';
import { AggregatorClient } from '../../fl-training/trainer/aggregator-client';
import { freshId, postSignal, send, signedJson, slug, summary, type ChaosCase } from './case';
import { registerClient, signalBody, trainerHeaders } from './edges';
import { TRAINER_INSTANCE, type Harness } from './harness';
import { FULL_EXAMPLES, updateFrame, type UpdateChange } from './update';

/** A signed update from `clientId` for the open round (see updateFrame), pushed; what the aggregator answered. */
export async function pushUpdate(h: Harness, clientId: string, shard: string, change: UpdateChange = {}): Promise<string> {
  const frame = await updateFrame(h, clientId, shard, change);
  return summary(await send(`${h.aggregatorUrl()}/update`, { method: 'POST', headers: { ...trainerHeaders(h, 'POST', '/update', frame), 'content-type': 'application/vnd.spoton.frame' }, body: frame }));
}

const caseOf = (component: string, target: string) => (what: string, expected: string, run: (h: Harness) => Promise<string>): ChaosCase => ({ id: `${component}/${slug(what)}`, target, expected, run });
const aggregatorCase = caseOf('aggregator', 'aggregator');
const brainCase = caseOf('brain', 'brain POST /api/signals');
const trainerCase = caseOf('trainer', 'trainer POST /checkpoint');

export const RULE_CASES: readonly ChaosCase[] = [
  // A finite but enormous weight once entered the global model; updates for `pinned-aws` are never accepted here,
  // so the shard is free for every payload check.
  aggregatorCase('update with a weight of 3e38', '422 out-of-bounds', async (h) => pushUpdate(h, await registerClient(h, 'pinned-aws'), 'pinned-aws', { fill: 3e38 })),
  aggregatorCase('update with NaN weights', '422 non-finite', async (h) => pushUpdate(h, await registerClient(h, 'pinned-aws'), 'pinned-aws', { fill: Number.NaN })),
  aggregatorCase('update whose payload does not match its digest', '400 digest-mismatch', async (h) =>
    pushUpdate(h, await registerClient(h, 'pinned-aws'), 'pinned-aws', { payload: (bytes) => Buffer.concat([bytes.subarray(0, bytes.length - 4), Buffer.alloc(4, 1)]) }),
  ),
  aggregatorCase('update with the wrong shape', '422 wrong-shape', async (h) => pushUpdate(h, await registerClient(h, 'pinned-aws'), 'pinned-aws', { payload: (bytes) => bytes.subarray(4) })),
  aggregatorCase('update claiming ten times its shard', '422 absurd-examples', async (h) => pushUpdate(h, await registerClient(h, 'pinned-aws'), 'pinned-aws', { meta: { examples: FULL_EXAMPLES * 10 } })),
  aggregatorCase('update for another run', '409 wrong-run', async (h) => pushUpdate(h, await registerClient(h, 'pinned-aws'), 'pinned-aws', { meta: { runId: 'another-run' } })),
  aggregatorCase('update from a future epoch', '409 future-epoch', async (h) => pushUpdate(h, await registerClient(h, 'pinned-aws'), 'pinned-aws', { meta: { epoch: 2 ** 40 } })),
  aggregatorCase('update for a shard the client did not register', '409 wrong-shard', async (h) => pushUpdate(h, await registerClient(h, 'pinned-aws'), 'shard-1')),
  aggregatorCase('update from a client that never registered', '403 unregistered', async (h) => {
    const clientId = await registerClient(h, 'pinned-aws');
    return pushUpdate(h, clientId, 'pinned-aws', { meta: { clientId: freshId('stranger') } });
  }),
  aggregatorCase('second update for one shard in one round', '202, then 409 shard-covered, and the second client is not given the round', async (h) => {
    const [first, second] = [await registerClient(h, 'shard-0'), await registerClient(h, 'shard-0')];
    const accepted = await pushUpdate(h, first, 'shard-0');
    const refused = await pushUpdate(h, second, 'shard-0', { modelFrom: first });
    const served = await new AggregatorClient(h.aggregatorUrl(), h.keys.trainer).fetchModel(second, 0, 0);
    return `${accepted}, then ${refused}, and the second client is ${served.kind === 'none' ? 'not given the round' : 'given the round'}`;
  }),
  aggregatorCase('registration taking a live trainer\'s id from another node', '200, then 409 identity-taken', async (h) => {
    const clientId = freshId('chaos-client');
    const register = async (nodeName: string) => {
      const body = JSON.stringify({ clientId, cloud: 'aws', shard: 'shard-1', residency: 'any', nodeName });
      return summary(await send(`${h.aggregatorUrl()}/register`, { method: 'POST', headers: trainerHeaders(h, 'POST', '/register', body), body }));
    };
    return `${await register('ip-10-0-0-1')}, then ${await register('ip-10-0-0-66')}`;
  }),
  aggregatorCase('Azure trainer registering for a shard pinned to AWS', '403 residency', async (h) => {
    const body = JSON.stringify({ clientId: freshId('chaos-azure'), cloud: 'azure', shard: 'pinned-aws', residency: 'aws' });
    return summary(await send(`${h.aggregatorUrl()}/register`, { method: 'POST', headers: trainerHeaders(h, 'POST', '/register', body), body }));
  }),
  aggregatorCase('signed POST /epoch to 2^53-1', '404 not-found, epoch unchanged', async (h) => {
    const epoch = async () => (await send(`${h.aggregatorUrl()}/healthz`)).json?.epoch;
    const before = await epoch();
    const body = JSON.stringify({ version: 1, epoch: Number.MAX_SAFE_INTEGER });
    const answer = summary(await send(`${h.aggregatorUrl()}/epoch`, { method: 'POST', headers: trainerHeaders(h, 'POST', '/epoch', body), body }));
    return `${answer}, epoch ${(await epoch()) === before ? 'unchanged' : 'moved'}`;
  }),

  brainCase('signal as text/plain', '415 unsupported-media-type', async (h) => summary(await postSignal(h, signalBody('drill'), h.keys.signal, 'text/plain'))),
  brainCase('signal signed with the flush key', '401 unauthorized', async (h) => summary(await postSignal(h, signalBody('drill'), h.keys.flush))),
  brainCase('signal for another run', '400 wrong-run', async (h) => summary(await postSignal(h, signalBody('drill', freshId('sig'), { runId: 'other-run' })))),
  brainCase('signal whose run id climbs out of its folder', '400 invalid-body', async (h) => summary(await postSignal(h, signalBody('drill', freshId('sig'), { runId: '../state' })))),
  brainCase('signal of an unknown type', '400 invalid-body', async (h) => summary(await postSignal(h, signalBody('meteor-strike')))),
  brainCase('signal with a field the schema does not know', '400 invalid-body', async (h) => summary(await postSignal(h, signalBody('drill', freshId('sig'), { phase: 'azure-active' })))),
  brainCase('signal naming 1,001 instances', '400 invalid-body', async (h) =>
    summary(await postSignal(h, signalBody('aws-unhealthy', freshId('sig'), { instanceIds: Array.from({ length: 1001 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`) }))),
  ),
  brainCase('signal whose id is 10 kB', '400 invalid-body', async (h) => summary(await postSignal(h, signalBody('drill', 'x'.repeat(10_000))))),

  trainerCase('flush naming another instance', '421 wrong-instance', async (h) => {
    const body = JSON.stringify({ version: 1, requestId: freshId('evt'), reason: 'spot-interruption', deadline: new Date(Date.now() + 120_000).toISOString(), instanceId: 'i-0bad0bad0bad0bad0' });
    return summary(await send(`${h.trainerUrl}${FLUSH_PATH}`, { method: 'POST', headers: signedJson(h.keys.flush, body), body }));
  }),
  trainerCase('flush at a trainer that holds no flush key (Azure)', '403 flush-disabled', async (h) => {
    const azure = new Trainer({ aggregatorUrl: h.aggregatorUrl(), clientId: freshId('chaos-azure'), cloud: 'azure', shard: 'shard-1', data: h.data.azure, keys: { trainer: parseKeyRing('trainer', h.keys.trainer) }, host: '127.0.0.1' });
    const url = await azure.start();
    try {
      const body = JSON.stringify({ version: 1, requestId: freshId('evt'), reason: 'spot-interruption', deadline: new Date(Date.now() + 120_000).toISOString(), instanceId: TRAINER_INSTANCE });
      return summary(await send(`${url}${FLUSH_PATH}`, { method: 'POST', headers: signedJson(h.keys.flush, body), body }));
    } finally {
      await azure.close();
    }
  }),
];

