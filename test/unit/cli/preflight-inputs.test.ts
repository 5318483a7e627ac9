/**
 * The pieces under `spot-on preflight`: reading values like Helm, resolving Terraform like terraform would, the rules
 * it shares with the chart and the module (checked against their sources, so they cannot drift), and the checks
 * that no file variant reaches (the synthesized template, a release on the wrong cloud).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { parseAllDocuments } from 'yaml';
import { aggregatorAddressCheck } from '../../../cli/preflight/checks/aggregator-address';
import { chartCloudCheck } from '../../../cli/preflight/checks/chart-cloud';
import { deployAlarmsCheck } from '../../../cli/preflight/checks/deploy-alarms';
import { CHART_TRAINER_POD_LABELS, flushTargetCheck } from '../../../cli/preflight/checks/flush-target';
import { keyRingsCheck } from '../../../cli/preflight/checks/key-rings';
import { assignClusters, mergeValues } from '../../../cli/preflight/inputs/chart-values';
import { chartSpotNoticeSeconds } from '../../../cli/preflight/inputs/chart-notice';
import { UNRESOLVED, optionalAttributeDefaults, resolveVariables } from '../../../cli/preflight/inputs/hcl';
import { REPO_ROOT, defaultOptions, loadInputs } from '../../../cli/preflight/inputs/load';
import { loadTerraformDeployment } from '../../../cli/preflight/inputs/terraform';
import { azureReservedAddresses, cidrhost } from '../../../cli/preflight/inputs/terraform-names';
import type { PreflightInputs } from '../../../cli/preflight/types';

jest.setTimeout(30_000);

let shipped: PreflightInputs;
beforeAll(async () => {
  shipped = await loadInputs({ ...defaultOptions(), synth: false });
});

/** The shipped inputs with one chart release's values changed. */
function withChart(cluster: 'eks' | 'aks', change: (values: PreflightInputs['charts']['eks'] & object) => void): PreflightInputs {
  const release = structuredClone(shipped.charts[cluster]);
  if (release === undefined) throw new Error(`no ${cluster} release`);
  change(release);
  return { ...shipped, charts: { ...shipped.charts, [cluster]: release } };
}

describe('chart values, as Helm merges them', () => {
  it('merges maps key by key, replaces lists and scalars, and deletes on null', () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: 'x', e: 1 }, { a: { c: [3] }, d: null, f: { g: true } })).toStrictEqual({ a: { b: 1, c: [3] }, e: 1, f: { g: true } });
  });

  it('assigns a file to the cluster its prefix names, else its fl.cloud, else the file before it', () => {
    const files: Record<string, Record<string, unknown>> = { eks: { fl: { cloud: 'aws' } }, overlay: {}, aks: { fl: { cloud: 'azure' } }, named: {} };
    const clusters = assignClusters([{ file: 'eks' }, { file: 'overlay' }, { file: 'aks' }, { cluster: 'eks', file: 'named' }], (file) => files[file] ?? {});
    expect([...clusters].map(([cluster, list]) => [cluster, list.map(({ file }) => file)])).toStrictEqual([
      ['eks', ['eks', 'overlay', 'named']],
      ['aks', ['aks']],
    ]);
  });
});

describe('Terraform without terraform', () => {
  it('resolves var references and templates, and leaves every other expression unresolved', () => {
    const lookup = (name: string) => ({ prefix: 'ai-fl', key: 'k', list: ['a'] })[name] ?? UNRESOLVED;
    expect(resolveVariables({ a: '${var.prefix}', b: '${var.prefix}-func', c: '${local.x}', d: ['${var.key}', 1], e: ['${var.missing}'], f: '${var.list}' }, lookup)).toStrictEqual({
      a: 'ai-fl',
      b: 'ai-fl-func',
      c: UNRESOLVED,
      d: ['k', 1],
      e: UNRESOLVED,
      f: ['a'],
    });
  });

  it('reads the scalar defaults of optional object attributes from a type constraint', () => {
    expect(optionalAttributeDefaults('${object({ a = optional(string, "x"), b = optional(number, 8080), c = optional(bool, false), d = optional(list(string), []), e = string })}')).toStrictEqual({
      a: 'x',
      b: 8080,
      c: false,
    });
  });

  it('computes cidrhost, counting back from the end for a negative host, and the addresses Azure reserves', () => {
    expect([cidrhost('10.101.4.0/22', -2), cidrhost('10.100.3.0/28', 4)]).toStrictEqual(['10.101.7.254', '10.100.3.4']);
    expect(azureReservedAddresses('10.100.3.0/28')).toStrictEqual(['10.100.3.0', '10.100.3.1', '10.100.3.2', '10.100.3.3', '10.100.3.15']);
  });

  it('derives what the example creates: the module call, the tfvars and the module defaults', async () => {
    const options = defaultOptions();
    expect(await loadTerraformDeployment({ dir: options.terraformDir, tfvars: options.tfvars as string, fallbackModuleDir: join(REPO_ROOT, 'terraform-azure') }, {})).toStrictEqual({
      dir: options.terraformDir,
      runId: 'fl-demo-001',
      minAwsTrainers: expect.any(Number),
      maxAzureNodes: 4,
      gpuPoolName: 'gpuspot',
      onDemandPoolName: 'gpuondemand',
      functionAppName: 'ai-fl-mc-dev-func',
      keyVaultName: 'ai-fl-mc-dev-kv',
      signalKeysSecretName: 'spoton-signal-keys',
      trainerKeysSecretName: 'spoton-trainer-keys',
      signalKeys: undefined,
      trainerKeys: undefined,
      aggregator: { zone: 'spot-on.internal', record: 'aggregator', port: 8080, privateIp: '10.101.7.254' },
      vnetAddressSpaces: ['10.100.0.0/16', '10.101.0.0/16'],
      dnsInboundSubnet: '10.100.3.0/28',
      dnsResolverEnabled: true,
      awsVpcCidrs: ['10.0.0.0/16'],
      vpnBgpAsn: 65515,
      storageAccountName: 'aiflmcdevblob',
      storageContainer: 'spot-on',
      dataContainer: 'spot-on-data',
    });
  });

  it('derives names by the rules terraform-azure writes (locals.tf, main.dns.tf)', async () => {
    const parse = async (file: string) => (await parseHcl(file, readFileSync(join(REPO_ROOT, 'terraform-azure', file), 'utf8'))) as { locals: Record<string, unknown>[] };
    const locals = Object.assign({}, ...(await parse('locals.tf')).locals, ...(await parse('main.dns.tf')).locals) as Record<string, unknown>;
    // The rules of cli/preflight/inputs/terraform-names.ts; change both together.
    expect(locals.names).toMatchObject({
      function_app: '${coalesce(var.function_app.name, "${var.name_prefix}-func")}',
      key_vault: '${coalesce(var.key_vault.name, "${var.name_prefix}-kv")}',
      storage_account: '${coalesce(var.storage.account_name, "${local.compact_prefix}blob")}',
    });
    expect(locals.compact_prefix).toBe('${replace(var.name_prefix, "-", "")}');
    expect(locals.aggregator_private_ip).toBe('${coalesce(var.aggregator.private_ip, cidrhost(var.spoke_network.subnets.aks_user, -2))}');
    expect(locals.aggregator_fqdn).toBe('${var.aggregator.dns_record_name}.${var.aggregator.dns_zone_name}');
  });
});

describe('rules shared with the chart', () => {
  it("takes the Spot notices from the chart's own helper, and refuses a chart without it", () => {
    const helpers = readFileSync(join(REPO_ROOT, 'fl-training', 'chart', 'templates', '_helpers.tpl'), 'utf8');
    expect(chartSpotNoticeSeconds(helpers, '_helpers.tpl')).toStrictEqual({ aws: 120, azure: 30 });
    expect(() => chartSpotNoticeSeconds('{{- define "other" -}}{{- end }}', 'x.tpl')).toThrow('x.tpl: no spot-on-fl.spotNoticeSeconds helper');
  });

  it('knows the labels the chart puts on trainer pods (rendered/eks.yaml)', () => {
    type Manifest = { kind: string; metadata: { name: string }; spec: { template: { metadata: { labels: Record<string, string> } } } };
    const rendered = parseAllDocuments(readFileSync(join(REPO_ROOT, 'fl-training', 'chart', 'rendered', 'eks.yaml'), 'utf8')).map((document) => document.toJS() as Manifest);
    const deployment = rendered.find((object) => object.kind === 'Deployment' && object.metadata.name === 'fl-trainer');
    expect(deployment?.spec.template.metadata.labels).toMatchObject(CHART_TRAINER_POD_LABELS);
  });
});

describe('checks over changed inputs', () => {
  it('deploy-alarms: names an alarm that breaches on a metric nothing publishes', () => {
    const template = {
      Resources: {
        Silent: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'spot-on-aws-trainers-silent', Namespace: 'SpotOn', MetricName: 'AwsTrainersReporting', TreatMissingData: 'breaching' } },
        Quiet: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'spot-on-quiet', Namespace: 'SpotOn', MetricName: 'X', TreatMissingData: 'notBreaching' } },
      },
    };
    expect(deployAlarmsCheck.run({ ...shipped, template })).toStrictEqual({
      problems: ['alarm spot-on-aws-trainers-silent treats missing data as breaching, but nothing in the stack publishes its SpotOn metric: it fires after the deploy'],
    });
    expect(deployAlarmsCheck.run({ ...shipped, template: { Resources: { Quiet: template.Resources.Quiet } } })).toStrictEqual({ problems: [] });
  });

  it('chart-cloud: an EKS release that says azure', () => {
    expect(chartCloudCheck.run(withChart('eks', (release) => (release.values.fl.cloud = 'azure')))).toStrictEqual({
      problems: ['eks values fl.cloud is azure; the eks release must say aws'],
    });
  });

  it('key-rings: a Secrets Manager ARN of another account and region', () => {
    const inputs = withChart('eks', (release) => {
      release.values.keys.csi.aws.trainerKeysSecretArn = 'arn:aws:secretsmanager:us-west-2:111122223333:secret:TrainerKeys-AbCdEf';
      release.values.keys.csi.aws.region = '';
    });
    expect(keyRingsCheck.run(inputs)).toStrictEqual({
      problems: ["eks values keys.csi.aws.trainerKeysSecretArn is a secret in 111122223333/us-west-2, not the stack's 123456789012/ap-northeast-2 (CDK output TrainerKeysSecretArn)"],
    });
  });

  it('key-rings: a trainer ring Terraform would refuse, and an AKS class reading another secret name', () => {
    const base = withChart('aks', (release) => {
      release.values.keys.csi.azure.signalKeysSecretName = 'spoton-signing-secret';
    });
    const inputs = { ...base, terraform: { ...base.terraform, signalKeys: 'k'.repeat(40), trainerKeys: `${'k'.repeat(40)},short` } };
    expect(keyRingsCheck.run(inputs)).toStrictEqual({
      problems: [
        'terraform trainer_keys: key 2 of 2: each key needs at least 32 characters (the module refuses it)',
        'aks values keys.csi.azure.signalKeysSecretName "spoton-signing-secret" differs from terraform key_vault.signal_keys_secret_name (spoton-signal-keys)',
      ],
    });
  });

  it('flush-target: a label selector the chart\'s trainer pods do not carry (the release label is not known offline)', () => {
    const inputs = { ...shipped, config: { ...shipped.config, eks: { ...shipped.config.eks, trainer: { ...shipped.config.eks.trainer, labelSelector: 'app.kubernetes.io/name=trainer,app.kubernetes.io/instance=x' } } } };
    expect(flushTargetCheck.run(inputs)).toStrictEqual({
      problems: ['CDK config eks.trainer.labelSelector "app.kubernetes.io/name=trainer,app.kubernetes.io/instance=x" does not match the chart\'s trainer pods (app.kubernetes.io/name=trainer is not on them)'],
    });
  });

  it('aggregator-address: an aggregator only reachable inside AKS', () => {
    expect(aggregatorAddressCheck.run(withChart('aks', (release) => (release.values.aggregator.service.type = 'ClusterIP')))).toStrictEqual({
      problems: ['aks values aggregator.service.type is ClusterIP: EKS trainers reach the aggregator only through an internal LoadBalancer'],
    });
  });
});
