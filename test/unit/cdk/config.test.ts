import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../../cdk/config';
import { EXAMPLE_CONFIG_PATH, exampleConfig, exampleConfigJson, setAt } from './helpers';

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
      azure: {
        signalsEndpointUrl: 'https://ai-fl-mc-dev-func.azurewebsites.net/api/signals',
        vpn: { gatewayPublicIps: ['20.41.64.10', '20.41.64.11'], bgpAsn: 65515, routing: 'bgp' },
        dns: { resolverInboundIps: ['10.100.3.4'], aggregatorDomain: 'spot-on.internal', additionalDomains: [] },
      },
    });
  });

  it('fills every optional section with its defaults', () => {
    const json = exampleConfigJson();
    for (const key of ['alarms', 'queues', 'lambdas', 'lifecycleBus', 'tags', 'stackName']) delete json[key];
    const config = parseConfig(json);
    expect(config.stackName).toBe('SpotOn');
    expect(config.queues).toStrictEqual({ retentionDays: 4, deadLetterRetentionDays: 14, maxReceiveCount: 3, outboxOutageToleranceMinutes: 60 });
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
      deadLetterDepthThreshold: 1,
    });
    expect(config.lifecycleBus).toStrictEqual({ archiveRetentionDays: 30 });
    expect(config.tags).toStrictEqual({});
  });

  it('installs the Container Insights add-on by default, metrics only, relying on an existing Pod Identity agent', () => {
    const json = exampleConfigJson();
    setAt(json, 'eks.containerInsights', undefined);
    setAt(json, 'azure.dns.additionalDomains', undefined);
    const config = parseConfig(json);
    expect(config.eks.containerInsights).toStrictEqual({ installAddon: true, containerLogs: false, installPodIdentityAgent: false });
    expect(config.eks.autoScalingGroupTag).toBeUndefined();
    expect(config.azure.dns.additionalDomains).toStrictEqual([]);
  });

  it("binds the training data role to the chart's trainer service account unless told otherwise", () => {
    expect(exampleConfig().eks.trainer.serviceAccount).toBe('fl-trainer');
    expect(exampleConfig((json) => setAt(json, 'eks.trainer.serviceAccount', 'gpu-trainer')).eks.trainer.serviceAccount).toBe('gpu-trainer');
  });

  it('names a missing setting as required', () => {
    const error = configErrorFor({ 'eks.clusterName': undefined });
    expect(error.name).toBe('ConfigError');
    expect(error.settings).toStrictEqual(['eks.clusterName: required']);
    expect(error.message).toBe('config: eks.clusterName: required\n(test.json)');
    expect(error.cause).toBeDefined();
  });

  it('names every invalid setting at once', () => {
    const error = configErrorFor({
      'azure.signalsEndpointUrl': 'http://func.example.net/api/signals',
      'queues.maxReceiveCount': 10,
      account: undefined,
    });
    expect(error.settings).toStrictEqual([
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
    ['a trainer service account that is no Kubernetes name', { 'eks.trainer.serviceAccount': 'FL_Trainer' }, 'eks.trainer.serviceAccount: must be a Kubernetes service account name'],
    ['an HTTP timeout longer than the Lambda timeout', { 'lambdas.signalHttpTimeoutMs': 30_000 }, 'lambdas.signalHttpTimeoutMs: must be below signalTimeoutSeconds (30 s)'],
    ['an unsupported log retention', { 'lambdas.logRetentionDays': 2 }, 'lambdas.logRetentionDays: must be one of 1, 3, 5'],
    ['an interruption timeout beyond the Spot notice', { 'lambdas.interruptionTimeoutSeconds': 120 }, 'lambdas.interruptionTimeoutSeconds: Too big'],
    ['an unknown setting', { 'eks.clusterNmae': 'typo' }, 'eks: Unrecognized key: "clusterNmae"'],
    ['a bad runId', { runId: 'bad run id' }, 'runId: runId must be 1-63 of [A-Za-z0-9._-]'],
    ['no DNS section', { 'azure.dns': undefined }, 'azure.dns: required'],
    ['a resolver IP outside the Azure VNets', { 'azure.dns.resolverInboundIps': ['10.0.3.4'] }, 'azure.dns.resolverInboundIps.0: must lie inside one of azure.vpn.vnetCidrs'],
    ['the same resolver IP twice', { 'azure.dns.resolverInboundIps': ['10.100.3.4', '10.100.3.4'] }, 'azure.dns.resolverInboundIps: must not repeat an address'],
    ['an aggregator domain with a trailing dot', { 'azure.dns.aggregatorDomain': 'spot-on.internal.' }, 'azure.dns.aggregatorDomain: must be a lowercase DNS name'],
    ['forwarding a privatelink zone twice', { 'azure.dns.additionalDomains': ['privatelink.blob.core.windows.net'] }, 'azure.dns.additionalDomains: must not repeat'],
    ['an outage tolerance under an hour', { 'queues.outboxOutageToleranceMinutes': 30 }, 'queues.outboxOutageToleranceMinutes: Too small'],
    [
      'an outage tolerance SQS cannot count to',
      { 'queues.outboxOutageToleranceMinutes': 1440, 'lambdas.signalTimeoutSeconds': 5, 'lambdas.signalHttpTimeoutMs': 4000 },
      'queues.outboxOutageToleranceMinutes: needs 2882 receives of 30 s, over the SQS maximum of 1000',
    ],
    ['a retention shorter than twice the redrive window', { 'queues.outboxOutageToleranceMinutes': 1440, 'queues.retentionDays': 1 }, 'queues.retentionDays: must be at least 3'],
    ['a DLQ retention below the queue retention', { 'queues.deadLetterRetentionDays': 3 }, 'queues.deadLetterRetentionDays: must not be below queues.retentionDays'],
    ['the removed trainers alarm setting', { 'alarms.trainersReportingEvaluationPeriods': 5 }, 'alarms: Unrecognized key: "trainersReportingEvaluationPeriods"'],
    ['a malformed add-on version', { 'eks.containerInsights.addonVersion': '4.1' }, 'eks.containerInsights.addonVersion: must look like v4.1.0-eksbuild.1'],
  ])('rejects %s', (_what, changes, expected) => {
    const error = configErrorFor(changes);
    expect(error.settings).toHaveLength(1);
    expect(error.settings[0]).toContain(expected);
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
      expect(error.settings).toStrictEqual(['azure: required']);
    });
  });
});

describe('loadConfig with the Azure Terraform outputs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spot-on-tf-outputs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the example (with `changes`) and a `terraform output -json` file; returns both paths. */
  function files(changes: Record<string, unknown>, outputs: Record<string, unknown>): [string, string] {
    const json = exampleConfigJson();
    for (const [dottedPath, value] of Object.entries(changes)) setAt(json, dottedPath, value);
    const configPath = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    const outputsPath = `${configPath}.outputs.json`;
    writeFileSync(configPath, JSON.stringify(json));
    writeFileSync(outputsPath, JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([name, value]) => [name, { sensitive: false, type: 'string', value }]))));
    return [configPath, outputsPath];
  }

  it('fills the signals URL, resolver IP and aggregator name the configuration leaves out', () => {
    const [configPath, outputsPath] = files(
      { 'azure.signalsEndpointUrl': undefined, 'azure.dns': undefined },
      {
        signals_url: 'https://ai-fl-mc-dev-func-abc123.koreacentral-01.azurewebsites.net/api/signals',
        dns_resolver_inbound_ip: '10.100.3.4',
        aggregator_fqdn: 'aggregator.spot-on.internal',
        bastion_public_ip: '20.0.0.9',
      },
    );
    const config = loadConfig(configPath, { terraformOutputsPath: outputsPath });
    expect(config.azure.signalsEndpointUrl).toBe('https://ai-fl-mc-dev-func-abc123.koreacentral-01.azurewebsites.net/api/signals');
    expect(config.azure.dns).toStrictEqual({ resolverInboundIps: ['10.100.3.4'], aggregatorDomain: 'aggregator.spot-on.internal', additionalDomains: [] });
  });

  it('reads the names the Terraform example exports today: function_app_signals_url, aws_dns_forwarding, aws_vpn_config', () => {
    const [configPath, outputsPath] = files(
      { 'azure.signalsEndpointUrl': undefined, 'azure.dns': undefined, 'azure.vpn.gatewayPublicIps': undefined },
      {
        function_app_signals_url: 'https://ai-fl-mc-dev-func.azurewebsites.net/api/signals',
        aws_dns_forwarding: {
          domains: ['privatelink.azurewebsites.net', 'privatelink.blob.core.windows.net', 'spot-on.internal', 'privatelink.vaultcore.azure.net'],
          target_ips: ['10.100.3.4'],
        },
        aws_vpn_config: { gatewayPublicIps: ['20.41.64.20', '20.41.64.21'], bgpAsn: 65515, vnetCidrs: ['10.100.0.0/16', '10.101.0.0/16'], routing: 'bgp' },
        aggregator_fqdn: 'aggregator.spot-on.internal',
      },
    );
    const config = loadConfig(configPath, { terraformOutputsPath: outputsPath });
    expect(config.azure.signalsEndpointUrl).toBe('https://ai-fl-mc-dev-func.azurewebsites.net/api/signals');
    expect(config.azure.dns).toStrictEqual({
      resolverInboundIps: ['10.100.3.4'],
      aggregatorDomain: 'spot-on.internal',
      additionalDomains: ['privatelink.vaultcore.azure.net'],
    });
    expect(config.azure.vpn.gatewayPublicIps).toStrictEqual(['20.41.64.20', '20.41.64.21']);
  });

  it('accepts the same values in both places, and skips outputs that are null', () => {
    const [configPath, outputsPath] = files({}, { signals_url: 'https://ai-fl-mc-dev-func.azurewebsites.net/api/signals', dns_resolver_inbound_ip: null });
    expect(loadConfig(configPath, { terraformOutputsPath: outputsPath }).azure.dns.resolverInboundIps).toStrictEqual(['10.100.3.4']);
  });

  it('refuses a setting that disagrees with its Terraform output, naming both', () => {
    const [configPath, outputsPath] = files({}, { signals_url: 'https://other-func.azurewebsites.net/api/signals' });
    expect(() => loadConfig(configPath, { terraformOutputsPath: outputsPath })).toThrow(
      'config: azure.signalsEndpointUrl: "https://ai-fl-mc-dev-func.azurewebsites.net/api/signals" differs from terraform output signals_url ("https://other-func.azurewebsites.net/api/signals")',
    );
  });

  it('refuses a file that is not `terraform output -json`', () => {
    const [configPath] = files({}, {});
    const bogus = path.join(dir, 'bogus.json');
    writeFileSync(bogus, JSON.stringify({ signals_url: 'https://x.azurewebsites.net/api/signals' }));
    expect(() => loadConfig(configPath, { terraformOutputsPath: bogus })).toThrow(`config: ${bogus} is not the JSON of \`terraform output -json\``);
  });
});
