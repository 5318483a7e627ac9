import { checkPayload, checkUpdateMeta, epochAllows, type UpdateContext } from '../../../fl-training/aggregator/validate';
import { decideCommit, quorumNeed } from '../../../fl-training/aggregator/quorum';
import type { UpdateMeta } from '../../../fl-training/wire/messages';
import { encodeWeights, sha256Hex } from '../../../fl-training/wire/weights';

const specs = [
  { name: 'hidden_0/kernel', shape: [2, 2], dtype: 'float32' as const },
  { name: 'hidden_0/bias', shape: [2], dtype: 'float32' as const },
];
const values = [Float32Array.from([1, 2, 3, 4]), Float32Array.from([0.5, -0.5])];
const payload = encodeWeights(values);

const context: UpdateContext = {
  runId: 'run-1',
  openRound: 4,
  baseRound: 3,
  epoch: 2,
  committing: false,
  specs,
  shards: new Map([
    ['shard-0', 'any'],
    ['shard-aws', 'aws'],
  ]),
  fullExamples: new Map([
    ['shard-0', 200],
    ['shard-aws', 200],
  ]),
  registration: { cloud: 'azure', shard: 'shard-0' },
  alreadySubmitted: false,
};

const meta: UpdateMeta = {
  version: 1,
  runId: 'run-1',
  clientId: 'trainer-0',
  round: 4,
  baseRound: 3,
  epoch: 2,
  examples: 200,
  partial: false,
  cloud: 'azure',
  shard: 'shard-0',
  weights: specs,
  sha256: sha256Hex(payload),
  createdAt: '2025-01-01T00:00:00.000Z',
};

describe('checkUpdateMeta', () => {
  it('accepts a full update of the open round in the current epoch', () => {
    expect(checkUpdateMeta(meta, context)).toBeUndefined();
  });

  it('accepts a partial update with the examples actually processed', () => {
    expect(checkUpdateMeta({ ...meta, partial: true, examples: 37 }, context)).toBeUndefined();
  });

  it.each<[string, Partial<UpdateMeta>, Partial<UpdateContext>, number, string, string]>([
    ['another run', { runId: 'run-2' }, {}, 409, 'wrong-run', 'update is for run run-2; this aggregator runs run-1'],
    ['an unregistered client', {}, { registration: undefined }, 403, 'unregistered', 'client trainer-0 has not registered (POST /register first)'],
    ['a shard other than registered', { shard: 'shard-aws' }, {}, 409, 'wrong-shard', 'client trainer-0 registered shard shard-0 on azure, update says shard-aws on azure'],
    ['an unknown shard', { shard: 'shard-9' }, { registration: { cloud: 'azure', shard: 'shard-9' } }, 422, 'unknown-shard', 'shard shard-9 is not in this run'],
    ['a shard pinned to the other cloud', { shard: 'shard-aws' }, { registration: { cloud: 'azure', shard: 'shard-aws' } }, 403, 'residency', 'shard shard-aws is pinned to aws; azure may not process it'],
    ['a stale round', { round: 3, baseRound: 2 }, {}, 409, 'stale-round', 'round 3 is already committed; the open round is 4'],
    ['a future round', { round: 5, baseRound: 4 }, {}, 409, 'future-round', 'round 5 is not open yet; the open round is 4'],
    ['a round being committed', {}, { committing: true }, 409, 'round-closed', 'round 4 closed (it is being committed)'],
    ['a duplicate (round, client)', {}, { alreadySubmitted: true }, 409, 'duplicate', 'client trainer-0 already has an update in round 4'],
    ['another base round', { baseRound: 2 }, {}, 409, 'wrong-base', 'update starts from round 2; round 4 starts from 3'],
    ['work for a shard reassigned since', { epoch: 1 }, { assignedEpoch: () => 2 }, 409, 'stale-epoch', 'update carries epoch 1; shard shard-0 was assigned again in epoch 2'],
    ['a future epoch', { epoch: 3 }, {}, 409, 'future-epoch', 'update carries epoch 3; the current epoch is 2'],
    ['a wrong dtype', { weights: [{ ...specs[0]!, dtype: 'float16' }, specs[1]!] }, {}, 422, 'wrong-dtype', 'weight hidden_0/kernel is float16; only float32 is accepted'],
    ['a wrong shape', { weights: [{ ...specs[0]!, shape: [4, 1] }, specs[1]!] }, {}, 422, 'wrong-shape', 'weight hidden_0/kernel has shape [4,1], expected [2,2]'],
    ['a missing weight', { weights: [specs[0]!] }, {}, 422, 'wrong-shape', 'expected 2 weights, got 1'],
    ['a renamed weight', { weights: [{ ...specs[0]!, name: 'other/kernel' }, specs[1]!] }, {}, 422, 'wrong-shape', 'weight 0 is "other/kernel", expected "hidden_0/kernel"'],
    ['zero examples', { examples: 0, partial: true }, {}, 422, 'absurd-examples', '0 examples: a partial update of shard shard-0 must carry 1..200'],
    ['negative examples', { examples: -5 }, {}, 422, 'absurd-examples', '-5 examples: a full update of shard shard-0 must carry 200'],
    ['more examples than the shard holds', { examples: 1_000_000, partial: true }, {}, 422, 'absurd-examples', '1000000 examples: a partial update of shard shard-0 must carry 1..200'],
    ['a full update short of the shard', { examples: 150 }, {}, 422, 'absurd-examples', '150 examples: a full update of shard shard-0 must carry 200'],
  ])('rejects %s', (_case, metaChange, contextChange, status, code, message) => {
    expect(checkUpdateMeta({ ...meta, ...metaChange }, { ...context, ...contextChange })).toStrictEqual({ status, code, message });
  });

  it('calls a retry during the commit of a round that holds the update a duplicate, not round-closed', () => {
    expect(checkUpdateMeta(meta, { ...context, committing: true, alreadySubmitted: true })?.code).toBe('duplicate');
  });

  it('fences per shard: earlier-epoch work counts while its shard stayed with its trainer, full or partial', () => {
    const heldSinceEpoch0 = { ...context, assignedEpoch: () => 0 };
    expect(checkUpdateMeta({ ...meta, epoch: 0 }, heldSinceEpoch0)).toBeUndefined();
    expect(checkUpdateMeta({ ...meta, partial: true, examples: 10, epoch: 1 }, heldSinceEpoch0)).toBeUndefined();
    expect(checkUpdateMeta({ ...meta, partial: true, examples: 10, epoch: 0 }, { ...context, assignedEpoch: () => 1 })?.code).toBe('stale-epoch');
    expect([epochAllows({ epoch: 1 }, 2, 1), epochAllows({ epoch: 1 }, 2, 2), epochAllows({ epoch: 3 }, 2, 0)]).toStrictEqual([true, false, false]);
  });

  it('does not re-check the epoch of an update it accepted before a restart', () => {
    expect(checkUpdateMeta({ ...meta, epoch: 0 }, { ...context, acceptedBefore: true })).toBeUndefined();
  });
});

describe('checkPayload', () => {
  const bounds = { maxAbsValue: 1e6, current: [new Float32Array(4), new Float32Array(2)] };

  it('decodes a payload that matches its specs and digest', () => {
    expect(checkPayload(meta, payload, specs, bounds)).toStrictEqual({ values });
  });

  it('rejects a payload of the wrong size', () => {
    expect(checkPayload(meta, payload.subarray(4), specs, bounds)).toStrictEqual({ status: 422, code: 'wrong-shape', message: 'payload is 20 bytes; the model needs 24' });
  });

  it('rejects a payload that does not match its digest', () => {
    const tampered = Buffer.from(payload);
    tampered[0] = tampered[0]! ^ 1;
    expect(checkPayload(meta, tampered, specs, bounds)).toStrictEqual({ status: 400, code: 'digest-mismatch', message: 'payload does not match the SHA-256 in the meta' });
  });

  it.each([
    ['NaN', Number.NaN, 'NaN'],
    ['+Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
    ['-Infinity', Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('rejects non-finite values (%s)', (_name, bad, printed) => {
    const broken = encodeWeights([Float32Array.from([1, 2, 3, 4]), Float32Array.from([0.5, bad])]);
    expect(checkPayload({ ...meta, sha256: sha256Hex(broken) }, broken, specs, bounds)).toStrictEqual({ status: 422, code: 'non-finite', message: `non-finite value hidden_0/bias[1] = ${printed}` });
  });
});

describe('checkPayload bounds', () => {
  const current = [new Float32Array(4), new Float32Array(2)];
  const framed = (tensors: Float32Array[]) => {
    const encoded = encodeWeights(tensors);
    return { meta: { ...meta, sha256: sha256Hex(encoded) }, encoded };
  };

  it('refuses a finite but enormous weight (3e38 once entered the global model)', () => {
    const { meta: m, encoded } = framed([Float32Array.from([1, 2, 3, 3e38]), Float32Array.from([0.5, 0])]);
    expect(checkPayload(m, encoded, specs, { maxAbsValue: 1e6, current })).toStrictEqual({ status: 422, code: 'out-of-bounds', message: 'a weight of magnitude 3.00e+38 exceeds updateBounds.maxAbsValue 1000000' });
  });

  it('refuses an update that moves the model further than maxDeltaNorm, and takes one within it', () => {
    const { meta: far, encoded: farPayload } = framed([Float32Array.from([3, 0, 0, 0]), Float32Array.from([4, 0])]);
    expect(checkPayload(far, farPayload, specs, { maxAbsValue: 1e6, maxDeltaNorm: 4.99, current })).toStrictEqual({ status: 422, code: 'out-of-bounds', message: 'the update moves the model by an L2 norm of 5.00e+0, over updateBounds.maxDeltaNorm 4.99' });
    expect(checkPayload(far, farPayload, specs, { maxAbsValue: 1e6, maxDeltaNorm: 5, current })).not.toHaveProperty('code');
  });
});

describe('decideCommit', () => {
  const quorum = { minTrainers: 2, fraction: 0.6 };

  it('commits as soon as every live trainer reported', () => {
    expect(decideCommit({ submitted: 3, outstanding: 0, deadlinePassed: false }, quorum)).toStrictEqual({ commit: true, reason: 'all-reported' });
  });

  it('waits for outstanding trainers before the deadline', () => {
    expect(decideCommit({ submitted: 2, outstanding: 1, deadlinePassed: false }, quorum)).toStrictEqual({ commit: false, reason: 'waiting', need: 2 });
  });

  it('commits with a quorum once the deadline has passed (partial participation)', () => {
    expect(decideCommit({ submitted: 3, outstanding: 2, deadlinePassed: true }, quorum)).toStrictEqual({ commit: true, reason: 'deadline' });
  });

  it('never commits below the quorum, even after the deadline', () => {
    expect(decideCommit({ submitted: 2, outstanding: 3, deadlinePassed: true }, quorum)).toStrictEqual({ commit: false, reason: 'no-quorum', need: 3 });
    expect(decideCommit({ submitted: 1, outstanding: 0, deadlinePassed: true }, quorum)).toStrictEqual({ commit: false, reason: 'no-quorum', need: 2 });
  });

  it('needs max(minTrainers, ceil(fraction x live))', () => {
    expect(quorumNeed({ submitted: 0, outstanding: 10 }, { minTrainers: 1, fraction: 0.5 })).toBe(5);
    expect(quorumNeed({ submitted: 0, outstanding: 3 }, { minTrainers: 1, fraction: 0.5 })).toBe(2);
    expect(quorumNeed({ submitted: 1, outstanding: 0 }, { minTrainers: 3, fraction: 1 })).toBe(3);
  });
});
