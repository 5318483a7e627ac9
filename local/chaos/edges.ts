/**
 * Every signed endpoint against every way to fake, stretch or replay a signature: forged and wrong-purpose keys,
 * stale and future timestamps, malformed headers, a signature moved to another body or target, oversize and
 * malformed bodies, and a replay of a genuine request (which must change nothing a second time).
 */
import { FLUSH_PATH } from '../../protocol/flush-request';
import type { KeyPurpose } from '../../protocol/keys';
import { requestBytes, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../protocol/signing';
import { freshId, send, sendOversize, signedJson, slug, summary, type ChaosCase } from './case';
import { CHAOS_RUN_ID, TRAINER_INSTANCE, type Harness } from './harness';
import { modelReader, updateFrame } from './update';

/** How an endpoint's requests are signed and what a genuine one looks like. */
interface Endpoint {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** The target as sent (path and query). */
  target(): string;
  readonly base: (h: Harness) => string;
  readonly ring: KeyPurpose;
  /** A key of the wrong purpose, which a compromised neighbour would hold. */
  readonly wrongPurpose: Exclude<KeyPurpose, 'flush'> | 'flush';
  /** Body only (signals, flushes) or method, target and body (trainer requests to the aggregator). */
  readonly binds: 'body' | 'request';
  /** A genuine body (fresh ids), after whatever the endpoint needs first (a registration). */
  genuine(h: Harness): Promise<string | Buffer<ArrayBuffer>>;
  readonly refusal: string;
  /** What an oversize body gets; undefined for a GET, which has none. */
  readonly tooLarge?: string;
  /** What a signed body that is not a valid request gets; undefined where there is no body to break. */
  readonly malformed?: string;
  /** A genuine request, then the same bytes again: [first, second]. */
  readonly replay: readonly [string, string];
}

export const signalBody = (type: string, id = freshId('sig'), extra: Record<string, unknown> = {}): string => {
  const now = new Date().toISOString();
  return JSON.stringify({ version: 1, id, type, runId: CHAOS_RUN_ID, issuedAt: now, source: { eventId: `evt-${id}`, source: 'spot-on.chaos', detailType: 'chaos', time: now }, ...extra });
};

/** Registers a fresh client on the aggregator and returns its id. */
export async function registerClient(h: Harness, shard = 'shard-1', cloud: 'aws' | 'azure' = 'aws', extra: Record<string, unknown> = {}): Promise<string> {
  const clientId = freshId('chaos-client');
  const body = JSON.stringify({ clientId, cloud, shard, residency: shard === 'pinned-aws' ? 'aws' : 'any', ...extra });
  const answer = await send(`${h.aggregatorUrl()}/register`, { method: 'POST', headers: trainerHeaders(h, 'POST', '/register', body), body });
  if (answer.status !== 200) throw new Error(`registering ${clientId}: ${summary(answer)}`);
  return clientId;
}

export const trainerHeaders = (h: Harness, method: string, target: string, body: string | Uint8Array = '', key = h.keys.trainer): Record<string, string> =>
  signedJson(key, requestBytes(method, target, body));

let modelClient: string | undefined;
const json = (value: unknown) => JSON.stringify(value);

const ENDPOINTS: readonly Endpoint[] = [
  {
    name: 'brain POST /api/signals',
    method: 'POST',
    target: () => '/api/signals',
    base: (h) => h.brainUrl,
    ring: 'signal',
    wrongPurpose: 'trainer',
    binds: 'body',
    genuine: async () => signalBody('drill'),
    refusal: '401 unauthorized',
    tooLarge: '413 payload-too-large',
    malformed: '400 invalid-body',
    replay: ['202 recorded', '200 duplicate'],
  },
  {
    name: 'aggregator POST /register',
    method: 'POST',
    target: () => '/register',
    base: (h) => h.aggregatorUrl(),
    ring: 'trainer',
    wrongPurpose: 'signal',
    binds: 'request',
    genuine: async () => json({ clientId: freshId('chaos-client'), cloud: 'aws', shard: 'shard-1', residency: 'any' }),
    refusal: '401 bad-signature',
    tooLarge: '413 too-large',
    malformed: '400 malformed',
    replay: ['200', '200'],
  },
  {
    name: 'aggregator POST /heartbeat',
    method: 'POST',
    target: () => '/heartbeat',
    base: (h) => h.aggregatorUrl(),
    ring: 'trainer',
    wrongPurpose: 'flush',
    binds: 'request',
    genuine: async (h) => json({ clientId: await registerClient(h) }),
    refusal: '401 bad-signature',
    tooLarge: '413 too-large',
    malformed: '400 malformed',
    replay: ['200', '200'],
  },
  {
    name: 'aggregator POST /leave',
    method: 'POST',
    target: () => '/leave',
    base: (h) => h.aggregatorUrl(),
    ring: 'trainer',
    wrongPurpose: 'signal',
    binds: 'request',
    genuine: async (h) => json({ clientId: await registerClient(h), reason: 'chaos' }),
    refusal: '401 bad-signature',
    tooLarge: '413 too-large',
    malformed: '400 malformed',
    replay: ['200', '200'],
  },
  {
    name: 'aggregator POST /update',
    method: 'POST',
    target: () => '/update',
    base: (h) => h.aggregatorUrl(),
    ring: 'trainer',
    wrongPurpose: 'flush',
    binds: 'request',
    // shard-1 takes this endpoint's one accepted update (the replay); the rule cases use the other shards.
    genuine: async (h) => updateFrame(h, await registerClient(h, 'shard-1'), 'shard-1'),
    refusal: '401 bad-signature',
    tooLarge: '413 too-large',
    malformed: '400 malformed',
    replay: ['202', '409 duplicate'],
  },
  {
    name: 'aggregator GET /model',
    method: 'GET',
    target: () => `/model?clientId=${modelClient ?? 'nobody'}&minRound=0&waitMs=0`,
    base: (h) => h.aggregatorUrl(),
    ring: 'trainer',
    wrongPurpose: 'signal',
    binds: 'request',
    genuine: async (h) => {
      modelClient ??= await modelReader(h); // pinned-aws: a shard no update covers before the fault cases
      return '';
    },
    refusal: '401 bad-signature',
    replay: ['200', '200'],
  },
  {
    name: 'aggregator GET /config',
    method: 'GET',
    target: () => '/config',
    base: (h) => h.aggregatorUrl(),
    ring: 'trainer',
    wrongPurpose: 'flush',
    binds: 'request',
    genuine: async () => '',
    refusal: '401 bad-signature',
    replay: ['200', '200'],
  },
  {
    name: 'trainer POST /checkpoint',
    method: 'POST',
    target: () => FLUSH_PATH,
    base: (h) => h.trainerUrl,
    ring: 'flush',
    wrongPurpose: 'signal',
    binds: 'body',
    genuine: async () => json({ version: 1, requestId: freshId('evt'), reason: 'spot-interruption', deadline: new Date(Date.now() + 120_000).toISOString(), instanceId: TRAINER_INSTANCE }),
    refusal: '401 bad-signature',
    tooLarge: '413 too-large',
    malformed: '400 malformed',
    // The harness's trainer is idle, so its flush stays in progress: the replay starts nothing (409, which the Lambda
    // takes as success).
    replay: ['202 started', '409 in-progress'],
  },
];

/** Signature headers for `body` on `endpoint`, with `key`, at `atMs`. */
function signedHeaders(endpoint: Endpoint, body: string | Buffer, key: string, atMs = Date.now(), target = endpoint.target()): Record<string, string> {
  return signedJson(key, endpoint.binds === 'body' ? body : requestBytes(endpoint.method, target, body), atMs);
}

const post = (h: Harness, endpoint: Endpoint, body: string | Buffer<ArrayBuffer>, headers: Record<string, string>, target = endpoint.target()) =>
  send(`${endpoint.base(h)}${target}`, { method: endpoint.method, headers, ...(endpoint.method === 'POST' ? { body } : {}) });

type Attack = { readonly what: string; readonly expected: (endpoint: Endpoint) => string | undefined; run(h: Harness, endpoint: Endpoint): Promise<string> };

const ATTACKS: readonly Attack[] = [
  {
    what: 'unsigned',
    expected: (e) => e.refusal,
    run: async (h, e) => summary(await post(h, e, await e.genuine(h), { 'content-type': 'application/json' })),
  },
  {
    what: 'forged (a key of no purpose)',
    expected: (e) => e.refusal,
    run: async (h, e) => {
      const body = await e.genuine(h);
      return summary(await post(h, e, body, signedHeaders(e, body, h.keys.other)));
    },
  },
  {
    what: 'signed with another purpose\'s key',
    expected: (e) => e.refusal,
    run: async (h, e) => {
      const body = await e.genuine(h);
      return summary(await post(h, e, body, signedHeaders(e, body, h.keys[e.wrongPurpose])));
    },
  },
  {
    what: 'stale timestamp (301 s old)',
    expected: (e) => e.refusal,
    run: async (h, e) => {
      const body = await e.genuine(h);
      return summary(await post(h, e, body, signedHeaders(e, body, h.keys[e.ring], Date.now() - 301_000)));
    },
  },
  {
    what: 'future timestamp (301 s ahead)',
    expected: (e) => e.refusal,
    run: async (h, e) => {
      const body = await e.genuine(h);
      return summary(await post(h, e, body, signedHeaders(e, body, h.keys[e.ring], Date.now() + 301_000)));
    },
  },
  {
    what: 'malformed signature header',
    expected: (e) => e.refusal,
    run: async (h, e) => {
      const body = await e.genuine(h);
      return summary(await post(h, e, body, { ...signedHeaders(e, body, h.keys[e.ring]), [SIGNATURE_HEADER]: 'v1=not-hex' }));
    },
  },
  {
    what: 'empty signature header',
    expected: (e) => e.refusal,
    run: async (h, e) => {
      const body = await e.genuine(h);
      return summary(await post(h, e, body, { ...signedHeaders(e, body, h.keys[e.ring]), [SIGNATURE_HEADER]: '' }));
    },
  },
  {
    what: 'timestamp that is not a number',
    expected: (e) => e.refusal,
    run: async (h, e) => {
      const body = await e.genuine(h);
      return summary(await post(h, e, body, { ...signedHeaders(e, body, h.keys[e.ring]), [TIMESTAMP_HEADER]: 'yesterday' }));
    },
  },
  {
    what: 'signature of another body or target',
    expected: (e) => e.refusal,
    run: async (h, e) => {
      const body = await e.genuine(h);
      if (e.method === 'GET') return summary(await post(h, e, body, signedHeaders(e, body, h.keys[e.ring], Date.now(), '/status')));
      const other = await e.genuine(h);
      return summary(await post(h, e, other, signedHeaders(e, body, h.keys[e.ring])));
    },
  },
  {
    what: 'oversize body (5 MiB)',
    expected: (e) => e.tooLarge,
    run: async (h, e) => summary(await sendOversize(`${e.base(h)}${e.target()}`, signedHeaders(e, '{}', h.keys[e.ring]))),
  },
  {
    what: 'signed but malformed body',
    expected: (e) => e.malformed,
    run: async (h, e) => {
      const body = '{"version": 1, "truncated": ';
      return summary(await post(h, e, body, signedHeaders(e, body, h.keys[e.ring])));
    },
  },
  {
    what: 'replayed genuine request',
    expected: (e) => e.replay.join(', then '),
    run: async (h, e) => {
      const body = await e.genuine(h);
      const headers = signedHeaders(e, body, h.keys[e.ring]);
      const first = summary(await post(h, e, body, headers));
      return `${first}, then ${summary(await post(h, e, body, headers))}`;
    },
  },
];


/** The matrix: each endpoint against each attack that applies to it. */
export const EDGE_CASES: readonly ChaosCase[] = ENDPOINTS.flatMap((endpoint) =>
  ATTACKS.flatMap((attack): ChaosCase[] => {
    const expected = attack.expected(endpoint);
    if (expected === undefined) return [];
    return [{ id: `${slug(endpoint.name)}/${slug(attack.what)}`, target: endpoint.name, expected, run: (h) => attack.run(h, endpoint) }];
  }),
);
