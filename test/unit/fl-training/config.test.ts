import { canonicalJson, configHash, defaultRunConfig, mayProcess, parseRunConfig, parseShardList, RunConfigSchema } from '../../../fl-training/config';
import { ConfigError } from '../../../fl-training/errors';
import { readSettings, setting, usage } from '../../../fl-training/settings';
import { AGGREGATOR_SETTINGS } from '../../../fl-training/aggregator/main';
import { TRAINER_SETTINGS } from '../../../fl-training/trainer/main';

function caught(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('run configuration', () => {
  it('has valid defaults for both tasks', () => {
    expect(RunConfigSchema.parse(defaultRunConfig('mnist'))).toStrictEqual(defaultRunConfig('mnist'));
    expect(RunConfigSchema.parse(defaultRunConfig('blobs'))).toStrictEqual(defaultRunConfig('blobs'));
  });

  it('merges a partial configuration over the task defaults, one level deep', () => {
    const config = parseRunConfig({ task: 'blobs', rounds: 3, quorum: { minTrainers: 3 }, strategy: { name: 'fedadam' } });
    expect(config).toStrictEqual({
      ...defaultRunConfig('blobs'),
      rounds: 3,
      quorum: { minTrainers: 3, fraction: 0.5 },
      strategy: { name: 'fedadam', eta: 0.01, beta1: 0.9, beta2: 0.99, tau: 1e-3 },
    });
  });

  it.each([
    [{ task: 'cifar' }, 'run configuration: task must be one of mnist, blobs'],
    [{ rounds: 0 }, 'run configuration: rounds: Too small: expected number to be >=1'],
    [{ optimizer: 'rmsprop' }, 'run configuration: optimizer: Invalid option: expected one of "sgd"|"adam"'],
    [{ quorum: { fraction: 0 } }, 'run configuration: quorum.fraction: Too small: expected number to be >0'],
    [{ shards: [{ id: 'a', residency: 'any' }, { id: 'a', residency: 'aws' }] }, 'run configuration: shards: shard id a appears twice'],
    [{ shards: [{ id: '../x', residency: 'any' }] }, 'run configuration: shards.0.id: must be 1-63 of [A-Za-z0-9._-], starting with a letter or digit'],
    [{ data: { trainExamples: 8000 } }, 'run configuration: data: mnist has 863 digits per class; train + test need 900'],
    [{ surprise: true }, 'run configuration: (root): Unrecognized key: "surprise"'],
    ['not an object', 'run configuration must be a JSON object'],
  ])('rejects %j naming the setting', (input, message) => {
    const error = caught(() => parseRunConfig(input));
    expect({ name: error.name, message: error.message }).toStrictEqual({ name: 'ConfigError', message });
    if (typeof input === 'object') expect(error.cause).toBeDefined(); // the zod issues
  });

  it('hashes only what changes the computation', () => {
    const base = defaultRunConfig('mnist');
    expect(configHash(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash({ ...base, rounds: 50, roundDeadlineMs: 1000, quorum: { minTrainers: 5, fraction: 1 } })).toBe(configHash(base));
    expect(configHash({ ...base, learningRate: 0.05 })).not.toBe(configHash(base));
    expect(configHash({ ...base, shards: [{ id: 'shard-0', residency: 'aws' }, ...base.shards.slice(1)] })).not.toBe(configHash(base));
  });

  it('writes canonical JSON with sorted keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('parses shard lists and applies residency', () => {
    expect(parseShardList('2')).toStrictEqual([
      { id: 'shard-0', residency: 'any' },
      { id: 'shard-1', residency: 'any' },
    ]);
    expect(parseShardList('eu:azure, us:aws,x')).toStrictEqual([
      { id: 'eu', residency: 'azure' },
      { id: 'us', residency: 'aws' },
      { id: 'x', residency: 'any' },
    ]);
    expect(() => parseShardList('a:mars')).toThrow(ConfigError);
    expect([mayProcess('azure', 'aws'), mayProcess('azure', 'any'), mayProcess('aws', 'aws'), mayProcess('aws', 'azure')]).toStrictEqual([false, true, true, false]);
  });
});

const TRAINER_KEY = 'unit-test-trainer-key-of-32-characters';

describe('entry-point settings', () => {
  const env = { SPOTON_AGGREGATOR_URL: 'http://agg:8000', SPOTON_CLIENT_ID: 'pod-1', SPOTON_CLOUD: 'aws', SPOTON_SHARD: 'shard-0', SPOTON_TRAINER_KEYS: TRAINER_KEY, SPOTON_DATA_URL: 'blob://spot-on-data/run-1' };

  it('reads env, lets flags win and applies defaults', () => {
    const s = readSettings(TRAINER_SETTINGS, ['--cloud', 'azure', '--port=9001'], env);
    expect(s).toStrictEqual({
      aggregatorUrl: 'http://agg:8000',
      clientId: 'pod-1',
      cloud: 'azure',
      shard: 'shard-0',
      instanceId: undefined,
      nodeName: undefined,
      port: 9001,
      host: undefined,
      events: undefined,
      trainerKeys: { purpose: 'trainer', signing: TRAINER_KEY, accepted: [TRAINER_KEY] },
      flushKeys: undefined,
      dataUrl: 'blob://spot-on-data/run-1',
      blobConnectionString: undefined,
      blobAccountUrl: undefined,
      container: undefined,
      minBatchMs: 0,
      sigtermGraceMs: 25_000,
    });
  });

  it('names every missing or invalid setting with its flag and variable', () => {
    expect(() => readSettings(TRAINER_SETTINGS, ['--cloud', 'gcp'], {})).toThrow(
      new ConfigError(
        'invalid settings:\n' +
          '  --aggregator-url / SPOTON_AGGREGATOR_URL: missing\n' +
          '  --client-id / SPOTON_CLIENT_ID: missing\n' +
          '  --cloud / SPOTON_CLOUD: Invalid option: expected one of "aws"|"azure"\n' +
          '  SPOTON_TRAINER_KEYS: missing\n' +
          '  --data-url / SPOTON_DATA_URL: missing',
      ),
    );
  });

  it('takes secrets from the environment only, never from a flag, and never echoes them', () => {
    expect(() => readSettings(TRAINER_SETTINGS, ['--trainer-keys', TRAINER_KEY], env)).toThrow(
      new ConfigError('--trainer-keys is a secret: set SPOTON_TRAINER_KEYS instead (a command line is visible in process listings)'),
    );
    const short = 'too-short-to-be-a-key';
    let message = '';
    try {
      readSettings(TRAINER_SETTINGS, [], { ...env, SPOTON_FLUSH_KEYS: `${TRAINER_KEY},${short}` });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('invalid settings:\n  SPOTON_FLUSH_KEYS: key 2 of 2: each key needs at least 32 characters');
    expect(usage(TRAINER_SETTINGS)).toContain('  SPOTON_TRAINER_KEYS (environment only)  trainer key ring');
  });

  it('rejects unknown flags and flags without a value; reads boolean switches', () => {
    expect(() => readSettings(TRAINER_SETTINGS, ['--bogus'], env)).toThrow(/unknown argument --bogus/);
    expect(() => readSettings(TRAINER_SETTINGS, ['--shard'], env)).toThrow(new ConfigError('--shard needs a value'));
    const s = readSettings(AGGREGATOR_SETTINGS, ['--memory-store', '--exit-when-done=false'], { SPOTON_TRAINER_KEYS: TRAINER_KEY });
    expect([s.memoryStore, s.exitWhenDone, s.port]).toStrictEqual([true, false, 8000]);
    expect(setting.flag().parse(undefined)).toBe(false);
  });
});
