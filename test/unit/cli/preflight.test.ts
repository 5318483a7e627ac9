/**
 * `spot-on preflight` end to end over files: the shipped examples pass, and each seeded misconfiguration (a variant
 * of one example file, written to a temporary directory) is reported with exactly its one expected line.
 */
import { runPreflight, preflightOptions } from '../../../cli/commands/preflight';
import { CHECKS } from '../../../cli/preflight/checks';
import { REPO_ROOT, defaultOptions, type PreflightOptions } from '../../../cli/preflight/inputs/load';
import { Variants, objectAt, replaceOnce, shippedEksReplicas, type Changes } from './preflight-support';

jest.setTimeout(60_000);

const variants = new Variants();
afterAll(() => variants.dispose());

/** The report of preflight over `options`, as JSON. */
async function reportOf(options: PreflightOptions, env: Record<string, string> = {}) {
  const result = await runPreflight(options, true, env);
  return { exitCode: result.exitCode, ...(JSON.parse(result.stdout[0] ?? '{}') as { problems: unknown[]; checks: number; skipped: unknown[] }) };
}

/** The problems preflight reports for a variant. */
async function problemsOf(changes: Changes, overrides?: Parameters<Variants['options']>[1]) {
  const report = await reportOf(variants.options(changes, overrides));
  return { exitCode: report.exitCode, problems: report.problems };
}

const EXAMPLE_SIGNALS_URL = 'https://ai-fl-mc-dev-func.azurewebsites.net/api/signals';
/** The EKS release's trainer count in the shipped values, which several messages quote. */
const EKS_REPLICAS = shippedEksReplicas();

describe('spot-on preflight on the shipped examples', () => {
  it('passes every check, the CDK synth included, and says so in one line', async () => {
    const result = await runPreflight(defaultOptions(), false);
    expect(result).toStrictEqual({ exitCode: 0, stdout: [`ok: ${CHECKS.length} checks`], stderr: [] });
  });

  it('prints { problems, checks, skipped } with --json, skipping the template check visibly without synth', async () => {
    const result = await runPreflight({ ...defaultOptions(), synth: false }, true);
    expect(JSON.parse(result.stdout[0] ?? '')).toStrictEqual({
      problems: [],
      checks: CHECKS.length - 1,
      skipped: [{ check: 'deploy-alarms', reason: '--no-synth: the CDK app was not synthesized' }],
    });
    const text = await runPreflight({ ...defaultOptions(), synth: false }, false);
    expect(text.stdout).toStrictEqual(['skipped: deploy-alarms: --no-synth: the CDK app was not synthesized', `ok: ${CHECKS.length - 1} checks`]);
  });

  it('finds each cluster of bare --values files by fl.cloud, an overlay by the file before it', () => {
    const options = preflightOptions(
      { values: ['fl-training/chart/values-eks.yaml', 'fl-training/chart/examples/eks.yaml', 'aks=fl-training/chart/values-aks.yaml'], karpenter: [], outageToleranceMinutes: 60, synth: false, json: false },
      REPO_ROOT,
    );
    expect(options.values.map(({ cluster, file }) => [cluster, file.split('/').slice(-2).join('/')])).toStrictEqual([
      [undefined, 'chart/values-eks.yaml'],
      [undefined, 'examples/eks.yaml'],
      ['aks', 'chart/values-aks.yaml'],
    ]);
  });
});

describe('spot-on preflight reports each seeded misconfiguration with one line', () => {
  it.each<[string, Changes, string, string]>([
    [
      'the AKS release trains another run',
      { aks: (values) => void (objectAt(values, 'fl').runId = 'fl-test-001') },
      'run-id',
      'aks values fl.runId "fl-test-001" differs from the CDK config\'s runId "fl-demo-001"',
    ],
    [
      'Terraform names the function app differently from the signals URL',
      { mainTf: (text) => replaceOnce(text, 'run_id           = "fl-demo-001"', 'run_id           = "fl-demo-001"\n    name             = "spot-on-brain"') },
      'signals-url',
      'CDK config azure.signalsEndpointUrl host "ai-fl-mc-dev-func.azurewebsites.net" is not the function app terraform creates (spot-on-brain.azurewebsites.net)',
    ],
    [
      'the CDK config forwards another domain than the aggregator\'s',
      { config: (json) => void (objectAt(json, 'azure', 'dns').aggregatorDomain = 'fl.internal') },
      'aggregator-dns',
      'eks values fl.aggregatorUrl host "aggregator.spot-on.internal" is in no domain the CDK config forwards to Azure (azure.dns.aggregatorDomain "fl.internal", additionalDomains [])',
    ],
    [
      'the resolver IP is one Azure reserves in the inbound subnet',
      { config: (json) => void (objectAt(json, 'azure', 'dns').resolverInboundIps = ['10.100.3.1']) },
      'resolver-ip',
      'CDK config azure.dns.resolverInboundIps 10.100.3.1 is an address Azure reserves in 10.100.3.0/28; the inbound endpoint never gets it',
    ],
    [
      'the resolver IP lies outside the inbound subnet',
      { config: (json) => void (objectAt(json, 'azure', 'dns').resolverInboundIps = ['10.100.2.4']) },
      'resolver-ip',
      "CDK config azure.dns.resolverInboundIps 10.100.2.4 is outside terraform's DNS inbound subnet (hub_network.subnets.dns_inbound 10.100.3.0/28)",
    ],
    [
      'the aggregator has no brain URL while its backup trigger is on',
      { aks: (values) => void (objectAt(values, 'aggregator').brainUrl = '') },
      'backup-trigger',
      `aks values aggregator.brainUrl is empty: the aggregator's aws-silent trigger cannot reach the brain; set it to ${EXAMPLE_SIGNALS_URL} or set aggregator.backupTrigger.enabled=false`,
    ],
    [
      'the aggregator waits for more AWS trainers than EKS runs',
      { aks: (values) => void (objectAt(values, 'aggregator').minAwsTrainers = EKS_REPLICAS + 1) },
      'backup-trigger',
      `aks values aggregator.minAwsTrainers (${EKS_REPLICAS + 1}) differs from eks values trainer.replicas (${EKS_REPLICAS}): it never fails back`,
    ],
    [
      'the AKS trainers\' grace period outlasts Azure\'s Spot notice',
      { aks: (values) => void (objectAt(values, 'trainer').terminationGracePeriodSeconds = 45) },
      'flush-budget',
      'aks values trainer.terminationGracePeriodSeconds (45) exceeds the azure Spot notice (30 s): the instance is gone by then, flushed or not',
    ],
    [
      'the EKS trainers flush until the kill',
      { eks: (values) => void (objectAt(values, 'trainer').sigtermFlushSeconds = 120) },
      'flush-budget',
      'eks values trainer.sigtermFlushSeconds (120) must be less than trainer.terminationGracePeriodSeconds (120), or the kill comes before the flush deadline',
    ],
    [
      'the tfvars keep a placeholder signal key ring',
      { tfvars: (text) => `${text}\nsignal_keys = "REPLACE-ME-with-the-value-of-SignalKeysSecretArn"\n` },
      'key-rings',
      'terraform signal_keys is a placeholder; use the value of the CDK output SignalKeysSecretArn',
    ],
    [
      'the AKS SecretProviderClass reads another Key Vault',
      { aks: (values) => void (objectAt(values, 'keys', 'csi', 'azure').keyVaultName = 'spoton-kv') },
      'key-rings',
      'aks values keys.csi.azure.keyVaultName "spoton-kv" differs from the Key Vault terraform creates (ai-fl-mc-dev-kv)',
    ],
    [
      'the EC2NodeClass selects the trainer-node group of another cluster',
      { nodeClass: (document) => void ((objectAt(document, 'spec').securityGroupSelectorTerms as { tags: Record<string, string> }[])[1] = { tags: { 'spot-on/trainer-nodes': 'other-cluster' } }) },
      'karpenter-node-class',
      "EC2NodeClass spot-gpu selects no security group tagged spot-on/trainer-nodes: spot-on (the stack's trainer-node group): the interruption Lambda cannot reach the trainers' POST /checkpoint",
    ],
    [
      'the EC2NodeClass keeps IMDS one hop away (Karpenter\'s default)',
      { nodeClass: (document) => void delete objectAt(document, 'spec', 'metadataOptions').httpPutResponseHopLimit },
      'karpenter-node-class',
      'EC2NodeClass spot-gpu metadataOptions.httpPutResponseHopLimit is 1, not 2: trainer pods cannot read their instance id from IMDSv2',
    ],
    [
      'the EKS trainers listen on another port than the Lambda calls',
      { eks: (values) => void (objectAt(values, 'trainer').port = 9090) },
      'flush-target',
      "eks values trainer.port (9090) differs from the CDK config's eks.trainer.port (8080), where the interruption Lambda posts /checkpoint",
    ],
    [
      'the aggregator Service asks for another address than the DNS record',
      { aks: (values) => void (objectAt(values, 'aggregator', 'service').privateIp = '10.101.7.200') },
      'aggregator-address',
      'aks values aggregator.service.privateIp "10.101.7.200" differs from the address terraform\'s aggregator record points at (10.101.7.254)',
    ],
    [
      'Azure\'s NSGs admit another AWS range than the EKS VPC',
      { mainTf: (text) => replaceOnce(text, 'aws_vpc_cidrs     = ["10.0.0.0/16"]', 'aws_vpc_cidrs     = ["10.1.0.0/16"]') },
      'vpn-ranges',
      "terraform aws_vpc_cidrs [10.1.0.0/16] do not cover the CDK config's eks.vpcCidr 10.0.0.0/16: Azure's NSGs drop traffic from EKS",
    ],
    [
      'the EKS trainers fall back to another storage account',
      { eks: (values) => void (objectAt(values, 'storage').accountUrl = 'https://spotontest.blob.core.windows.net') },
      'blob-store',
      'eks values storage.accountUrl "https://spotontest.blob.core.windows.net" is not the storage account terraform creates (https://aiflmcdevblob.blob.core.windows.net)',
    ],
    [
      'the brain waits for more AWS trainers than EKS runs',
      { mainTf: (text) => text.replace(/min_aws_trainers = \d+/, `min_aws_trainers = ${EKS_REPLICAS + 1}`) },
      'brain-min-trainers',
      `terraform function_app.min_aws_trainers (${EKS_REPLICAS + 1}) exceeds eks values trainer.replicas (${EKS_REPLICAS}): the brain would never fail back`,
    ],
  ])('%s', async (_title, changes, check, message) => {
    expect(await problemsOf(changes)).toStrictEqual({ exitCode: 1, problems: [{ check, message }] });
  });

  it('an outbox that gives up before the stated outage tolerance', async () => {
    expect(await problemsOf({}, () => ({ outageToleranceMinutes: 120 }))).toStrictEqual({
      exitCode: 1,
      problems: [
        {
          check: 'outbox-budget',
          message: 'the signal outbox dead-letters a signal after 22 receives x 180 s = 66 min, less than the 120-minute outage tolerance; set queues.outboxOutageToleranceMinutes to at least 120',
        },
      ],
    });
  });

  it('prints one "check: message" line per problem and the count on stderr', async () => {
    const result = await runPreflight(variants.options({ eks: (values) => void (objectAt(values, 'trainer').port = 9090) }), false);
    expect(result).toStrictEqual({
      exitCode: 1,
      stdout: ["flush-target: eks values trainer.port (9090) differs from the CDK config's eks.trainer.port (8080), where the interruption Lambda posts /checkpoint", 'skipped: deploy-alarms: --no-synth: the CDK app was not synthesized'],
      stderr: [`spot-on preflight: 1 problem in ${CHECKS.length - 1} checks`],
    });
  });
});

describe('spot-on preflight with terraform outputs', () => {
  const outputs = (signalsUrl: string, inboundIp: string) =>
    JSON.stringify({
      function_app_signals_url: { value: signalsUrl, type: 'string', sensitive: false },
      dns_resolver_inbound_ip: { value: inboundIp, type: 'string', sensitive: false },
      aws_dns_forwarding: { value: { domains: ['privatelink.azurewebsites.net', 'privatelink.blob.core.windows.net', 'spot-on.internal'], target_ips: [inboundIp] } },
      aggregator: { value: { private_ip: '10.101.7.254', fqdn: 'aggregator.spot-on.internal', port: 8080, url: 'http://aggregator.spot-on.internal:8080' } },
    });

  it('compares with the values Terraform really produced', async () => {
    const unique = 'https://ai-fl-mc-dev-func-b3f1c2.koreacentral-01.azurewebsites.net/api/signals';
    const report = await reportOf(variants.options({ files: { 'outputs.json': outputs(unique, '10.100.3.5') } }, (files) => ({ terraformOutputs: files['outputs.json'] })));
    expect(report.problems).toStrictEqual([
      { check: 'signals-url', message: `CDK config azure.signalsEndpointUrl "${EXAMPLE_SIGNALS_URL}" differs from terraform output signals URL "${unique}"` },
      { check: 'resolver-ip', message: 'CDK config azure.dns.resolverInboundIps [10.100.3.4] differ from terraform output [10.100.3.5]' },
    ]);
  });

  it('fills the settings the config leaves out, as cdk deploy -c azureOutputs does', async () => {
    const options = variants.options(
      { config: (json) => void delete objectAt(json, 'azure').signalsEndpointUrl, files: { 'outputs.json': outputs(EXAMPLE_SIGNALS_URL, '10.100.3.4') } },
      (files) => ({ terraformOutputs: files['outputs.json'] }),
    );
    expect(await reportOf(options)).toMatchObject({ exitCode: 0, problems: [] });
  });
});

describe('spot-on preflight skips what it cannot know, and refuses what it cannot read', () => {
  it('skips the resolver check when Terraform creates no resolver', async () => {
    const report = await reportOf(variants.options({ mainTf: (text) => replaceOnce(text, '  aws_ingress_ports = [443, 8080]', '  aws_ingress_ports = [443, 8080]\n  dns_resolver_enabled = false') }));
    expect(report).toMatchObject({ exitCode: 0, problems: [] });
    expect(report.skipped).toContainEqual({ check: 'resolver-ip', reason: 'terraform dns_resolver_enabled is false: no inbound endpoint to compare with' });
  });

  it('reads the key rings from TF_VAR_signal_keys / TF_VAR_trainer_keys like terraform, and never prints them', async () => {
    const result = await runPreflight(variants.options(), false, { TF_VAR_signal_keys: 'short-key', TF_VAR_trainer_keys: 'k'.repeat(40) });
    expect(result.stdout[0]).toBe('key-rings: terraform signal_keys: key 1 of 1: each key needs at least 32 characters (the module refuses it)');
    expect(result.stdout.join('\n')).not.toContain('short-key');
  });

  it('exits 2 naming the file and setting of an invalid values file', async () => {
    const result = await runPreflight(variants.options({ eks: (values) => void (objectAt(values, 'trainer').replicas = 'three') }), false);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toStrictEqual([expect.stringMatching(/^spot-on preflight: eks values \(values-eks\.yaml \+ eks\.yaml\):\n✖ .*\n {2}→ at trainer\.replicas$/)]);
  });

  it('exits 2 when a bare values file says no cloud and follows none', async () => {
    const options = variants.options({ files: { 'overlay.yaml': 'trainer:\n  replicas: 1\n' } }, (files) => ({ values: [{ file: files['overlay.yaml'] as string }] }));
    const result = await runPreflight(options, false);
    expect(result.exitCode).toBe(2);
    expect(result.stderr[0]).toMatch(/overlay\.yaml: cannot tell which cluster it is for; set fl\.cloud \(aws or azure\) in it or pass --values eks=/);
  });

  it('exits 2 with the CDK config\'s own line per setting', async () => {
    const result = await runPreflight(variants.options({ config: (json) => void delete objectAt(json, 'eks').clusterName }), false);
    expect(result).toMatchObject({ exitCode: 2, stderr: [expect.stringContaining('config: eks.clusterName: required')] });
  });
});
