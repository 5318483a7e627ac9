/**
 * The README's deployment steps, followed in their order against the local cloud: each step takes only what the
 * steps before it produced (Terraform outputs, the synthesized stack and its key, the brain's bundle, values files
 * written from the outputs), as a new user following the README would; then `spot-on preflight` and `spot-on drill`
 * run on exactly those files, the drill's brain from the bundle that would be published. Terraform's
 * apply is the one stand-in (support/terraform-apply.ts); everything after it is the real code path.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { runPreflight, preflightOptions } from '../../cli/commands/preflight';
import { labelledBlocks, parseTfDirectory } from '../../cli/preflight/inputs/hcl';
import { loadTerraformDeployment } from '../../cli/preflight/inputs/terraform';
import { parseKeyRing } from '../../protocol/keys';
import { bundleFunctionsApp } from '../../azure-functions/scripts/build';
import { synthesizeTemplate } from '../../local/drill/production/deployment';
import { DrillReportSchema } from '../../local/drill/report';
import { judgeReport } from '../../local/drill/view';
import { findOnPath } from '../support/find-on-path';
import { runSpotOn } from './support/spot-on';
import { AZURE_ASSIGNED, terraformOutputJson } from './support/terraform-apply';

const REPO = path.resolve(__dirname, '..', '..');
const EXAMPLE_ROOT = path.join(REPO, 'terraform-azure', 'examples', 'default');
const HELM = findOnPath('helm');
const withHelm = HELM ? it : it.skip;
const NOTE = HELM ? '' : ' (skipped: helm is not on PATH; go install helm.sh/helm/v4/cmd/helm@v4.3.2)';

type Outputs = Record<string, { value: unknown }>;
type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

let workspace: string;
const file = (...parts: string[]) => path.join(workspace, ...parts);
/** TF_VAR_*_keys: placeholders for the first apply (`openssl rand -hex 32`), the stack's rings from step 3. */
const env = { TF_VAR_signal_keys: randomBytes(32).toString('hex'), TF_VAR_trainer_keys: randomBytes(32).toString('hex') };
let outputs: Outputs;
let template: { Resources: Resources; Outputs?: Record<string, { Value: unknown }> };
const output = <T>(name: string): T => outputs[name]?.value as T;

beforeAll(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'spot-on-deploy-steps-'));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('the README deployment steps, followed against the local cloud', () => {
  it('1. Azure: your terraform.tfvars in the example root module; apply; save `terraform output -json`', async () => {
    mkdirSync(file('azure'));
    for (const name of readdirSync(EXAMPLE_ROOT).filter((n) => n.endsWith('.tf'))) copyFileSync(path.join(EXAMPLE_ROOT, name), file('azure', name));
    copyFileSync(path.join(EXAMPLE_ROOT, 'terraform.tfvars.example'), file('azure', 'terraform.tfvars'));
    outputs = await terraformOutputJson(file('azure'), env);
    writeFileSync(file('azure-outputs.json'), JSON.stringify(outputs, null, 2));

    // The stand-in prints exactly the outputs the example declares: a renamed or added output fails here.
    const declared = labelledBlocks(await parseTfDirectory(EXAMPLE_ROOT, (name) => name === 'outputs.tf'), 'output');
    expect(Object.keys(outputs).sort()).toStrictEqual([...declared.keys()].sort());
  });

  it('2. AWS: your CDK config without the Azure side; `cdk deploy -c azureOutputs=` fills it from the outputs', () => {
    const config = JSON.parse(readFileSync(path.join(REPO, 'cdk', 'config.example.json'), 'utf8')) as { azure: Record<string, unknown> & { vpn: Record<string, unknown> } };
    const { amazonSideAsn, tunnelInsideCidrs, propagateRoutes } = config.azure.vpn;
    // What the README says to fill in by hand: the AWS side, the tunnels' inside CIDRs, the BGP ASN of AWS.
    config.azure = { vpn: { amazonSideAsn, tunnelInsideCidrs, propagateRoutes } };
    writeFileSync(file('my-config.json'), JSON.stringify(config, null, 2));

    template = synthesizeTemplate(file('my-config.json'), file('azure-outputs.json')) as typeof template;
    const resources = template.Resources;
    const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type).map((r) => r.Properties ?? {});
    const signal = ofType('AWS::Lambda::Function').find((p) => JSON.stringify(p).includes('SIGNALS_ENDPOINT_URL'));
    expect((signal?.Environment as { Variables: Record<string, unknown> }).Variables.SIGNALS_ENDPOINT_URL).toBe(output('function_app_signals_url'));
    const forwarding = output<{ domains: string[]; target_ips: string[] }>('aws_dns_forwarding');
    const rules = ofType('AWS::Route53Resolver::ResolverRule');
    expect(rules.map((r) => r.DomainName).sort()).toStrictEqual([...forwarding.domains].sort());
    for (const rule of rules) expect(rule.TargetIps).toStrictEqual(forwarding.target_ips.map((ip) => ({ Ip: ip, Port: '53' })));
    expect(ofType('AWS::EC2::CustomerGateway').map((g) => g.IpAddress).sort()).toStrictEqual([...AZURE_ASSIGNED.vpnGatewayPublicIps]);
  });

  it('3. the key rings: the ones the stack generates are ones Terraform accepts, handed over as TF_VAR_signal_keys / TF_VAR_trainer_keys', async () => {
    const secrets = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(3);
    // What Secrets Manager makes of GenerateSecretString: PasswordLength letters and digits (punctuation excluded).
    const generated = (output: string): string => {
      const ref = (template.Outputs?.[output]?.Value as { Ref?: string } | undefined)?.Ref;
      const generate = secrets.find(([id]) => id === ref)?.[1].Properties?.GenerateSecretString as { PasswordLength: number; ExcludePunctuation: boolean };
      expect(generate.ExcludePunctuation).toBe(true);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      return Array.from({ length: generate.PasswordLength }, () => alphabet[randomInt(alphabet.length)]).join('');
    };
    env.TF_VAR_signal_keys = generated('SignalKeysSecretArn');
    env.TF_VAR_trainer_keys = generated('TrainerKeysSecretArn');
    expect(template.Outputs?.FlushKeysSecretArn).toBeDefined(); // stays in AWS: the EKS chart reads it there
    // The second apply reads them (variable validation: a ring of keys >= 32 characters) and versions the Key Vault secrets.
    const azure = await loadTerraformDeployment({ dir: file('azure'), tfvars: file('azure', 'terraform.tfvars'), fallbackModuleDir: path.join(REPO, 'terraform-azure') }, env);
    expect([azure.signalKeys, azure.trainerKeys]).toStrictEqual([env.TF_VAR_signal_keys, env.TF_VAR_trainer_keys]);
    expect(() => [parseKeyRing('signal', azure.signalKeys), parseKeyRing('trainer', azure.trainerKeys)]).not.toThrow();
  });

  it('4. the brain as published: `npm run build:functions` bundles the app the drill below runs', async () => {
    const bundle = await bundleFunctionsApp(file('functions-dist'));
    expect(bundle.outfile).toBe(file('functions-dist', 'index.js'));
  });

  it('5-6. the chart values for both clusters, written from the outputs (and the stack\'s key ring ARNs)', () => {
    const aggregator = output<{ url: string; private_ip: string }>('aggregator');
    const clientIds = output<{ aggregator: string; trainer: string }>('workload_identity_client_ids');
    const storage = output<{ SPOTON_STORAGE_ACCOUNT: string }>('function_app_settings_for_local_runs').SPOTON_STORAGE_ACCOUNT;
    const config = JSON.parse(readFileSync(file('my-config.json'), 'utf8')) as { account: string; region: string; runId: string };
    const accountUrl = `https://${storage}.blob.core.windows.net`;
    // Where `spot-on stage-data` put the run's data: the stack's data bucket (output TrainingDataBucketName, a name
    // CloudFormation assigns) and the Terraform output training_data_container.
    const data = { aws: `s3://spot-on-data-${config.account}-${config.region}/${config.runId}`, azure: `blob://${output<string>('training_data_container')}/${config.runId}` };
    writeFileSync(
      file('my-eks.yaml'),
      toYaml({
        fl: { aggregatorUrl: aggregator.url },
        storage: { accountUrl },
        data: { url: data.aws },
        azure: { tenantId: output('tenant_id'), trainerClientId: clientIds.trainer },
        // The stack's outputs FlushKeysSecretArn / TrainerKeysSecretArn, as `cdk deploy` prints them.
        keys: { csi: { aws: { flushKeysSecretArn: `arn:aws:secretsmanager:${config.region}:${config.account}:secret:FlushKeys-AbCdEf`, trainerKeysSecretArn: `arn:aws:secretsmanager:${config.region}:${config.account}:secret:TrainerKeys-GhIjKl`, region: config.region } } },
        trainer: { image: { repository: `${config.account}.dkr.ecr.${config.region}.amazonaws.com/spot-on/fl-trainer-gpu` } },
      }),
    );
    writeFileSync(
      file('my-aks.yaml'),
      toYaml({
        fl: { runId: config.runId, shards: 'shard-0:any,shard-1:any,shard-2:aws' },
        storage: { accountUrl },
        data: { url: data.azure },
        azure: { tenantId: output('tenant_id'), aggregatorClientId: clientIds.aggregator, trainerClientId: clientIds.trainer },
        aggregator: { brainUrl: output('function_app_signals_url'), service: { privateIp: aggregator.private_ip }, image: { repository: 'crspoton.azurecr.io/spot-on/fl-cpu' } },
        keys: { csi: { azure: { keyVaultName: output<{ key_vault_name: string }>('key_vault_csi').key_vault_name } } },
        trainer: { image: { repository: 'crspoton.azurecr.io/spot-on/fl-trainer-gpu' } },
      }),
    );
    expect(readFileSync(file('my-eks.yaml'), 'utf8')).toContain(aggregator.url);
  });

  it('7. `spot-on preflight` with your files finds nothing wrong', async () => {
    const options = preflightOptions(
      {
        config: file('my-config.json'),
        values: [`eks=${path.join(REPO, 'fl-training', 'chart', 'values-eks.yaml')}`, `eks=${file('my-eks.yaml')}`, `aks=${path.join(REPO, 'fl-training', 'chart', 'values-aks.yaml')}`, `aks=${file('my-aks.yaml')}`],
        terraform: file('azure'),
        terraformOutputs: file('azure-outputs.json'),
        karpenter: [],
        outageToleranceMinutes: 60,
        synth: true,
        json: true,
      },
      workspace,
    );
    const result = await runPreflight(options, true, env);
    const report = JSON.parse(result.stdout.join('\n')) as { problems: unknown[]; checks: number; skipped: unknown[] };
    expect({ code: result.exitCode, problems: report.problems, skipped: report.skipped }).toStrictEqual({ code: 0, problems: [], skipped: [] });
  });

  withHelm(`then \`spot-on drill\` runs those same files: a Spot interruption fails over and back with nothing lost${NOTE}`, async () => {
    const args = ['drill', '--scenario', 'spot-interruption', '--json', '--report', file('report'), '--functions-app', file('functions-dist', 'index.js'), '--config', file('my-config.json'), '--terraform-outputs', file('azure-outputs.json'), '--terraform', file('azure'), '--values', `eks=${file('my-eks.yaml')}`, `aks=${file('my-aks.yaml')}`];
    const { code, stdout, stderr } = await runSpotOn(args, { ...process.env, ...env, PATH: `${path.dirname(HELM ?? '')}${path.delimiter}${process.env.PATH ?? ''}` });
    expect(stderr).toContain(`cdk synth of ${path.relative(REPO, file('my-config.json'))}`);
    const report = DrillReportSchema.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'));
    expect({ code, pass: judgeReport(report).pass, examplesLost: report.examplesLost, failovers: report.failovers, failbacks: report.failbacks }).toStrictEqual({ code: 0, pass: true, examplesLost: 0, failovers: 1, failbacks: 1 });
  }, 280_000);
});
