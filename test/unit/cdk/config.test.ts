import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../../cdk/config';
import { EXAMPLE_CONFIG_PATH, exampleConfigJson, setAt } from './helpers';

/** Runs `parseConfig` on the example with settings changed (`undefined` deletes) and returns its ConfigError. */
function configErrorFor(changes: Record<string, unknown>): ConfigError {
  const json = exampleConfigJson();
  for (const [dottedPath, value] of Object.entries(changes)) setAt(json, dottedPath, value);
  try {
    parseConfig(json, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads the example configuration', () => {
    const config = loadConfig(EXAMPLE_CONFIG_PATH);
    expect(config).toMatchObject({
      account: '123456789012',
      region: 'ap-northeast-2',
      runId: 'fl-demo-001',
      eks: { clusterName: 'spot-on', trainer: { namespace: 'fl', port: 8080 } },
      azure: { vpn: { gatewayPublicIps: ['20.41.64.10', '20.41.64.11'], bgpAsn: 65515, routing: 'bgp' } },
    });
  });

  it('fills every optional section with its defaults', () => {
    const json = exampleConfigJson();
    for (const key of ['alarms', 'queues', 'lambdas', 'lifecycleBus', 'tags', 'stackName']) delete json[key];
    const config = parseConfig(json);
    expect(config.stackName).toBe('SpotOn');
    expect(config.queues).toStrictEqual({ retentionDays: 4, deadLetterRetentionDays: 14, maxReceiveCount: 3 });
    expect(config.lambdas).toStrictEqual({
      memorySizeMb: 512,
      interruptionTimeoutSeconds: 60,
      signalTimeoutSeconds: 30,
      signalHttpTimeoutMs: 10_000,
      interruptionReservedConcurrency: 5,
      signalMaxConcurrency: 2,
      batchSize: 5,
      maxBatchingWindowSeconds: 0,
      logRetentionDays: 30,
    });
    expect(config.alarms).toStrictEqual({
      periodSeconds: 60,
      evaluationPeriods: 3,
      failedNodeThreshold: 1,
      minClusterNodes: 1,
      trainersReportingEvaluationPeriods: 5,
      deadLetterDepthThreshold: 1,
    });
    expect(config.lifecycleBus).toStrictEqual({ archiveRetentionDays: 30 });
    expect(config.tags).toStrictEqual({});
  });

  it('names a missing setting as required', () => {
    const error = configErrorFor({ 'eks.clusterName': undefined });
    expect(error.name).toBe('ConfigError');
    expect(error.issues).toStrictEqual(['eks.clusterName: required']);
    expect(error.message).toBe('config: eks.clusterName: required\n(test.json)');
    expect(error.cause).toBeDefined();
  });

  it('names every invalid setting at once', () => {
    const error = configErrorFor({
      'azure.signalsEndpointUrl': 'http://func.example.net/api/signals',
      'queues.maxReceiveCount': 10,
      account: undefined,
    });
    expect(error.issues).toStrictEqual([
      'account: required',
      'azure.signalsEndpointUrl: must be an https:// URL',
      'queues.maxReceiveCount: Too big: expected number to be <=5',
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a single Azure gateway IP', { 'azure.vpn.gatewayPublicIps': ['20.41.64.10'] }, 'azure.vpn.gatewayPublicIps: '],
    ['the same Azure gateway IP twice', { 'azure.vpn.gatewayPublicIps': ['20.41.64.10', '20.41.64.10'] }, 'azure.vpn.gatewayPublicIps: must be two different addresses'],
    ['a VNet CIDR that is no CIDR', { 'azure.vpn.vnetCidrs.0': '10.100.0.0' }, 'azure.vpn.vnetCidrs.0: must be an IPv4 CIDR such as 10.0.0.0/16'],
    ['a tunnel CIDR outside the Azure APIPA range', { 'azure.vpn.tunnelInsideCidrs.0.0': '169.254.10.0/30' }, 'azure.vpn.tunnelInsideCidrs.0.0: must be a /30 inside'],
    ['route tables not matching the subnets', { 'eks.privateRouteTableIds': ['rtb-0a1b2c3d4e5f60001'] }, 'eks.privateRouteTableIds: must list one route table per private subnet (2 subnets, 1 route tables)'],
    ['a malformed subnet id', { 'eks.privateSubnetIds.1': 'subnet-XYZ' }, 'eks.privateSubnetIds.1: must look like subnet-0123456789abcdef0'],
    ['a missing trainer port', { 'eks.trainer.port': undefined }, 'eks.trainer.port: required'],
    ['an HTTP timeout longer than the Lambda timeout', { 'lambdas.signalHttpTimeoutMs': 30_000 }, 'lambdas.signalHttpTimeoutMs: must be below signalTimeoutSeconds (30 s)'],
    ['an unsupported log retention', { 'lambdas.logRetentionDays': 2 }, 'lambdas.logRetentionDays: must be one of 1, 3, 5'],
    ['an interruption timeout beyond the Spot notice', { 'lambdas.interruptionTimeoutSeconds': 120 }, 'lambdas.interruptionTimeoutSeconds: Too big'],
    ['an unknown setting', { 'eks.clusterNmae': 'typo' }, 'eks: Unrecognized key: "clusterNmae"'],
    ['a bad runId', { runId: 'bad run id' }, 'runId: runId must be 1-63 of [A-Za-z0-9._-]'],
  ])('rejects %s', (_what, changes, expected) => {
    const error = configErrorFor(changes);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toContain(expected);
    expect(error.message.startsWith(`config: ${expected}`)).toBe(true);
  });

  describe('files', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'spot-on-config-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const thrownBy = (run: () => unknown): ConfigError => {
      try {
        run();
      } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
      }
      throw new Error('expected a ConfigError');
    };

    it('fails with the path when the file is missing', () => {
      const missing = path.join(dir, 'missing.json');
      const error = thrownBy(() => loadConfig(missing));
      expect(error.message).toBe(`config: cannot read ${missing}`);
      expect(error.cause).toMatchObject({ code: 'ENOENT' });
    });

    it('fails with the path when the file is not JSON', () => {
      const file = path.join(dir, 'broken.json');
      writeFileSync(file, '{ "account": ');
      const error = thrownBy(() => loadConfig(file));
      expect(error.message).toBe(`config: ${file} is not valid JSON`);
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });

    it('names the file in validation errors', () => {
      const file = path.join(dir, 'incomplete.json');
      const json = exampleConfigJson();
      delete json.azure;
      writeFileSync(file, JSON.stringify(json));
      const error = thrownBy(() => loadConfig(file));
      expect(error.message).toBe(`config: azure: required\n(${file})`);
      expect(error.issues).toStrictEqual(['azure: required']);
    });
  });
});
