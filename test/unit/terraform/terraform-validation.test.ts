import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyRingError, parseKeyRing } from '../../../protocol/keys';
import { MODULE_DIR, MODULE_FILES, NO_TERRAFORM, TERRAFORM, TERRAFORM_ENV, TerraformModule, withTerraform } from './support/terraform-module';

/**
 * The variable validation blocks evaluated by terraform itself: the variable files alone need no provider, so
 * `terraform init` and `terraform plan` run offline in a scratch directory. Expressions that only read variables
 * (the aggregator's default address) are evaluated there too, with `terraform console`.
 */

jest.setTimeout(60_000);

const BASE_VALUES = [
  'name_prefix         = "ai-fl-mc-dev"',
  'resource_group_name = "ai-fl-mc-dev-rg"',
  'signal_keys         = "0123456789abcdef0123456789abcdef"',
  'trainer_keys        = "fedcba9876543210fedcba9876543210"',
  'function_app        = { run_id = "fl-demo-001" }',
  'aks                 = { admin_group_object_ids = ["11111111-2222-3333-4444-555555555555"] }',
  'monitoring = {',
  '  ssh_public_key     = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleOnly azure-infra"',
  '  admin_source_cidrs = ["198.51.100.7/32"]',
  '}',
  '',
].join('\n');
const TUNNEL = 'name = "aws-cn0-t1", aws_outside_ip = "203.0.113.10", aws_inside_ip = "169.254.21.1"';
const FOUR_TUNNELS = `[
  { ${TUNNEL}, azure_custom_bgp_addresses = { primary = "169.254.21.2", secondary = "169.254.21.6" } },
  { name = "aws-cn0-t2", aws_outside_ip = "203.0.113.11", aws_inside_ip = "169.254.22.1", azure_custom_bgp_addresses = { primary = "169.254.22.2", secondary = "169.254.22.6" } },
  { name = "aws-cn1-t1", aws_outside_ip = "203.0.113.20", aws_inside_ip = "169.254.21.5", azure_custom_bgp_addresses = { primary = "169.254.21.2", secondary = "169.254.21.6" } },
  { name = "aws-cn1-t2", aws_outside_ip = "203.0.113.21", aws_inside_ip = "169.254.22.5", azure_custom_bgp_addresses = { primary = "169.254.22.2", secondary = "169.254.22.6" } },
]`;
const FOUR_KEYS = '{ "aws-cn0-t1" = "Key_cn0_t1_x", "aws-cn0-t2" = "Key_cn0_t2_x", "aws-cn1-t1" = "Key_cn1_t1_x", "aws-cn1-t2" = "Key_cn1_t2_x" }';
const EKS_ISSUER = 'https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
/** Keys as the stack makes them (64 letters and digits) and as `openssl rand -hex 32` does, plus every allowed symbol. */
const KEY_A = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0E1f2';
const KEY_B = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const KEY_C = 'abc_DEF-ghi+JKL/mno=PQR.stu0123456789';
/** Rings terraform must judge exactly as parseKeyRing does (name, ring, accepted). */
const RINGS: readonly [string, string, boolean][] = [
  ['one key', KEY_A, true],
  ['two keys (rotation)', `${KEY_A},${KEY_B}`, true],
  ['three keys, every allowed symbol', `${KEY_A},${KEY_B},${KEY_C}`, true],
  ['a 32-character key', 'k'.repeat(32), true],
  ['a 512-character key', 'k'.repeat(512), true],
  ['four keys', `${KEY_A},${KEY_B},${KEY_C},${'d'.repeat(32)}`, false],
  ['an empty ring', '', false],
  ['a trailing comma', `${KEY_A},`, false],
  ['a leading comma', `,${KEY_A}`, false],
  ['a doubled comma', `${KEY_A},,${KEY_B}`, false],
  ['a 31-character key', `${KEY_A},${'k'.repeat(31)}`, false],
  ['a 513-character key', 'k'.repeat(513), false],
  ['a key with a space', `${KEY_A.slice(0, 20)} ${KEY_A.slice(20)}`, false],
  ['a space after the comma', `${KEY_A}, ${KEY_B}`, false],
  ['a trailing newline', `${KEY_A}\n`, false],
  ['a key with a character outside the set', `${KEY_B}!`, false],
  ['the same key twice', `${KEY_A},${KEY_A}`, false],
];
const SPOKE_WITH_USER_SUBNET = (aksUser: string) =>
  `{ address_space = ["10.101.0.0/16"], subnets = { aks_system = "10.101.0.0/22", aks_user = "${aksUser}", aks_gpu = "10.101.8.0/22", private_endpoints = "10.101.12.0/24", function_integration = "10.101.13.0/27" } }`;

let tf: TerraformModule;
let workDir = '';

beforeAll(async () => {
  tf = await TerraformModule.load();
  if (TERRAFORM === undefined) return;
  workDir = mkdtempSync(join(tmpdir(), 'spot-on-tf-variables-'));
  for (const file of MODULE_FILES.filter((path) => path.startsWith('variables'))) copyFileSync(join(MODULE_DIR, file), join(workDir, file));
  writeFileSync(join(workDir, 'base.auto.tfvars'), BASE_VALUES);
  execFileSync(TERRAFORM, ['init', '-backend=false', '-input=false', '-no-color'], { cwd: workDir, stdio: 'pipe', env: TERRAFORM_ENV });
});

afterAll(() => {
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

function varArgs(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([name, value]) => ['-var', `${name}=${value}`]);
}

/** Runs `terraform plan` with `-var name=value` for each entry (and an optional extra tfvars text); returns whether it passed and what it printed. */
function plan(values: Record<string, string>, tfvars?: string): { ok: boolean; output: string } {
  const args = ['plan', '-input=false', '-no-color', '-lock=false', ...varArgs(values)];
  if (tfvars !== undefined) {
    writeFileSync(join(workDir, 'case.tfvars'), tfvars);
    args.push('-var-file=case.tfvars');
  }
  try {
    return { ok: true, output: execFileSync(TERRAFORM ?? 'terraform', args, { cwd: workDir, encoding: 'utf8', stdio: 'pipe', env: TERRAFORM_ENV }) };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`.replace(/\s+/g, ' ') };
  }
}

/** Evaluates a module expression that reads only variables, as `terraform console` prints it. */
function evaluate(expression: string, values: Record<string, string> = {}): string {
  return execFileSync(TERRAFORM ?? 'terraform', ['console', ...varArgs(values)], { cwd: workDir, input: `${expression}\n`, encoding: 'utf8', stdio: 'pipe', env: TERRAFORM_ENV }).trim();
}

/** The expression of a local, without its "${...}" wrapper. */
function localExpression(name: string): string {
  const value = tf.local(name);
  const expression = typeof value === 'string' ? /^\$\{([\s\S]*)\}$/.exec(value)?.[1] : undefined;
  if (expression === undefined) throw new Error(`local ${name} is not a single expression`);
  return expression;
}

// When every test of a file is skipped jest lists none of their names, so the reason is said here too.
if (TERRAFORM === undefined) console.warn(`terraform-validation.test.ts${NO_TERRAFORM}`);

describe(`variable validation evaluated by terraform plan${NO_TERRAFORM}`, () => {
  withTerraform('accepts the defaults and the four AWS tunnels of the example', () => {
    expect(plan({})).toMatchObject({ ok: true });
    expect(plan({ aws_vpn_tunnels: FOUR_TUNNELS, aws_vpn_shared_keys: FOUR_KEYS, gpu_spot_pool: '{ spot_max_price = 0.35 }' })).toMatchObject({ ok: true });
  });

  withTerraform('accepts the tunnels of examples/default/terraform.tfvars.example with the default APIPA addresses', () => {
    const example = readFileSync(join(MODULE_DIR, 'examples', 'default', 'terraform.tfvars.example'), 'utf8');
    const tunnels = /^aws_vpn_tunnels = \[[\s\S]*?^\]$/m.exec(example)?.[0];
    expect(tunnels).toBeDefined();
    expect(plan({ aws_vpn_shared_keys: FOUR_KEYS }, `${tunnels ?? ''}\n`)).toMatchObject({ ok: true });
  });

  withTerraform('accepts an OTLP endpoint over http or https, with or without a path prefix', () => {
    for (const endpoint of ['http://10.101.7.253:4318', 'https://otel.spot-on.internal/otlp/']) {
      expect({ endpoint, ...plan({ otlp_endpoint: endpoint }) }).toMatchObject({ endpoint, ok: true });
    }
  });

  withTerraform('writes OTEL_EXPORTER_OTLP_ENDPOINT into the app settings only when otlp_endpoint is set, with its value', () => {
    // The module's own expressions for the settings, with the resource-derived base settings replaced by a stand-in.
    const probe = join(workDir, 'probe.tf');
    writeFileSync(
      probe,
      [
        'locals {',
        '  function_app_base_settings    = { SPOTON_RUN_ID = var.function_app.run_id }',
        `  function_app_tracing_settings = ${localExpression('function_app_tracing_settings')}`,
        `  function_app_settings         = ${localExpression('function_app_settings')}`,
        '}',
        '',
      ].join('\n'),
    );
    const settings = (values: Record<string, string>): unknown => JSON.parse(JSON.parse(evaluate('jsonencode(local.function_app_settings)', values)) as string) as unknown;
    try {
      expect(settings({})).toStrictEqual({ SPOTON_RUN_ID: 'fl-demo-001' });
      expect(settings({ otlp_endpoint: 'http://10.101.7.253:4318' })).toStrictEqual({ SPOTON_RUN_ID: 'fl-demo-001', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://10.101.7.253:4318' });
      expect(settings({ function_app: '{ run_id = "fl-demo-001", extra_app_settings = { OTEL_SERVICE_NAME = "brain" } }', otlp_endpoint: 'https://otel.spot-on.internal' })).toStrictEqual({
        SPOTON_RUN_ID: 'fl-demo-001',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.spot-on.internal',
        OTEL_SERVICE_NAME: 'brain',
      });
    } finally {
      rmSync(probe);
    }
  });

  withTerraform('accepts an EKS issuer as EKS reports it, and a fixed aggregator address in the userpool subnet', () => {
    expect(plan({ eks_federation: `{ oidc_issuer_url = "${EKS_ISSUER}" }` })).toMatchObject({ ok: true });
    expect(plan({ aggregator: '{ private_ip = "10.101.4.10", port = 443 }' })).toMatchObject({ ok: true });
  });

  withTerraform('derives a default aggregator address that lies in the userpool subnet and passes the module\'s own validation', () => {
    const expression = localExpression('aggregator_private_ip');
    for (const [subnet, expected] of [
      ['10.101.4.0/22', '"10.101.7.254"'],
      ['10.101.64.0/24', '"10.101.64.254"'],
    ] as const) {
      const spoke = { spoke_network: SPOKE_WITH_USER_SUBNET(subnet) };
      const address = evaluate(expression, spoke);
      expect(address).toBe(expected);
      expect(plan({ ...spoke, aggregator: `{ private_ip = ${address} }` })).toMatchObject({ ok: true });
    }
  });

  withTerraform('requires the AKS admin group list (local accounts are off)', () => {
    const result = plan({ aks: '{ kubernetes_version = "1.33" }' });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('"admin_group_object_ids" is required');
  });

  const REJECTED: readonly [string, Record<string, string>, string][] = [
    ['a spot_max_price of 0', { gpu_spot_pool: '{ spot_max_price = 0 }' }, 'spot_max_price must be -1'],
    ['a GatewaySubnet smaller than /27', { hub_network: '{ address_space = ["10.100.0.0/16"], subnets = { gateway = "10.100.0.0/28", bastion = "10.100.1.0/27", monitoring = "10.100.2.0/27", dns_inbound = "10.100.3.0/28" } }' }, 'must be /27 or larger'],
    ['a spoke subnet that is not a CIDR', { spoke_network: SPOKE_WITH_USER_SUBNET('10.101.4.0/33') }, 'must be valid IPv4 CIDRs'],
    ['a tunnel without a shared key', { aws_vpn_tunnels: `[{ ${TUNNEL}, azure_custom_bgp_addresses = { primary = "169.254.21.2", secondary = "169.254.21.6" } }]` }, 'must have a key for every'],
    ['a custom BGP address the gateway does not have', { aws_vpn_tunnels: `[{ ${TUNNEL}, azure_custom_bgp_addresses = { primary = "169.254.21.9", secondary = "169.254.21.6" } }]`, aws_vpn_shared_keys: '{ "aws-cn0-t1" = "Key_cn0_t1_x" }' }, 'must be taken from vpn_gateway.apipa_addresses'],
    ['an AWS ASN equal to the Azure ASN', { aws_vpn_tunnels: `[{ ${TUNNEL}, aws_bgp_asn = 65515, azure_custom_bgp_addresses = { primary = "169.254.21.2", secondary = "169.254.21.6" } }]`, aws_vpn_shared_keys: '{ "aws-cn0-t1" = "Key_cn0_t1_x" }' }, 'different from vpn_gateway.bgp_asn'],
    ['an IPsec SA lifetime above the AWS maximum', { vpn_ipsec_policy: '{ sa_lifetime_seconds = 27000 }' }, 'between 900 and 3600'],
    ['a storage key in the app settings', { function_app: '{ run_id = "fl-demo-001", extra_app_settings = { AzureWebJobsStorage = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=y" } }' }, 'must not carry storage keys'],
    ['a 64-character run id (a blob path segment holds 63)', { function_app: `{ run_id = "${'r'.repeat(64)}" }` }, 'must be 1-63'],
    ['a trainer Deployment name Kubernetes would refuse', { function_app: '{ run_id = "fl-demo-001", trainer_deployment = "FL_Trainer" }' }, 'must be a Kubernetes object name'],
    ['a non-GPU size for the Spot pool', { gpu_spot_pool: '{ vm_size = "Standard_D4s_v5" }' }, 'GPU (N-series)'],
    ['a non-GPU size for the on-demand pool', { gpu_on_demand_pool: '{ vm_size = "Standard_D4s_v5" }' }, 'gpu_on_demand_pool.vm_size must be a GPU'],
    ['an on-demand pool named like the Spot pool', { gpu_on_demand_pool: '{ name = "gpuspot" }' }, 'gpu_on_demand_pool.name must differ'],
    ['an on-demand pool named like a renamed user pool', { user_node_pool: '{ name = "gpunet" }', gpu_on_demand_pool: '{ name = "gpunet" }' }, 'gpu_on_demand_pool.name must differ'],
    ['a bastion open to nobody in particular', { monitoring: '{ ssh_public_key = "ssh-ed25519 AAAAC3Nza azure-infra", admin_source_cidrs = ["0.0.0.0/0"] }' }, 'must not include 0.0.0.0/0'],
    ['a signal key shorter than 32 characters', { signal_keys: 'short' }, 'Each key of signal_keys must be 32-512 characters'],
    ['a trainer key shorter than 32 characters', { trainer_keys: `${KEY_A},${'k'.repeat(31)}` }, 'Each key of trainer_keys must be 32-512 characters'],
    ['a signal ring of four keys', { signal_keys: `${KEY_A},${KEY_B},${KEY_C},${'d'.repeat(32)}` }, 'signal_keys must be a key ring of 1-3 keys'],
    ['a trainer ring of four keys', { trainer_keys: `${KEY_A},${KEY_B},${KEY_C},${'d'.repeat(32)}` }, 'trainer_keys must be a key ring of 1-3 keys'],
    ['an empty signal ring', { signal_keys: '' }, 'signal_keys must not be empty or hold an empty key'],
    ['a trainer ring with a trailing comma', { trainer_keys: `${KEY_A},` }, 'trainer_keys must not be empty or hold an empty key'],
    ['a signal key with a space', { signal_keys: `${KEY_A}, ${KEY_B}` }, 'letters, digits and _-+/=. only'],
    ['the same trainer key twice', { trainer_keys: `${KEY_B},${KEY_B}` }, 'trainer_keys must not hold the same key twice'],
    ['a signal ring version with a space', { signal_keys_version: 'v 2' }, 'signal_keys_version must be null'],
    ['the training data in the checkpoint container (workloads write there)', { storage: '{ data_container_name = "spot-on" }' }, 'must be three different containers'],
    ['a training data container name Azure refuses', { storage: '{ data_container_name = "Spot_On_Data" }' }, 'storage container names must be 3-63 lowercase letters'],
    ['one secret name for both rings', { key_vault: '{ signal_keys_secret_name = "spoton-keys", trainer_keys_secret_name = "SpotOn-Keys" }' }, 'must differ: one secret per key ring'],
    ['a key vault secret name with an underscore', { key_vault: '{ trainer_keys_secret_name = "spoton_trainer_keys" }' }, 'must be 1-127 letters, digits and hyphens'],
    ['a workload granted a key ring Key Vault does not hold', { fl_workloads: '{ trainer = { namespace = "fl", service_account = "fl-trainer", key_vault_secrets = ["flush"] } }' }, 'may list only the key rings in Key Vault'],
    ['the old boolean key_vault_secrets (it would grant nothing silently otherwise)', { fl_workloads: '{ aggregator = { namespace = "fl", service_account = "fl-aggregator", key_vault_secrets = true } }' }, 'set of string required'],
    ['an empty AKS admin group list', { aks: '{ admin_group_object_ids = [] }' }, 'must list at least one Entra ID group'],
    ['an aggregator address outside the userpool subnet', { aggregator: '{ private_ip = "10.101.8.10" }' }, 'inside spoke_network.subnets.aks_user'],
    ['an aggregator address Azure reserves (the subnet\'s first host)', { aggregator: '{ private_ip = "10.101.4.1" }' }, 'inside spoke_network.subnets.aks_user'],
    ['an aggregator port the NSGs do not open', { aggregator: '{ port = 9000 }' }, 'must be one of aws_ingress_ports'],
    ['an aggregator zone inside an Azure service domain', { aggregator: '{ dns_zone_name = "fl.blob.core.windows.net" }' }, 'not an Azure service domain'],
    ['an EKS issuer with a trailing slash (Entra compares it exactly)', { eks_federation: `{ oidc_issuer_url = "${EKS_ISSUER}/" }` }, 'without a trailing slash'],
    ['EKS federation for a workload that does not exist', { eks_federation: `{ oidc_issuer_url = "${EKS_ISSUER}", workloads = ["gpu-trainer"] }` }, 'must name workloads of fl_workloads'],
    ['an OTLP endpoint without a scheme', { otlp_endpoint: '10.101.7.253:4318' }, 'otlp_endpoint must be null or the http(s) URL'],
    ['an OTLP endpoint that is not http(s)', { otlp_endpoint: 'grpc://10.101.7.253:4317' }, 'otlp_endpoint must be null or the http(s) URL'],
    ['an empty OTLP endpoint (null turns tracing off)', { otlp_endpoint: '' }, 'otlp_endpoint must be null or the http(s) URL'],
    ['an OTLP endpoint with the traces path (the functions append it)', { otlp_endpoint: 'http://10.101.7.253:4318/v1/traces' }, 'the functions append /v1/traces themselves'],
    ['an OTLP endpoint also in extra_app_settings', { otlp_endpoint: 'http://10.101.7.253:4318', function_app: '{ run_id = "fl-demo-001", extra_app_settings = { OTEL_EXPORTER_OTLP_ENDPOINT = "http://10.101.7.252:4318" } }' }, 'are both set'],
  ];

  withTerraform.each(REJECTED)('rejects %s', (_name, values, message) => {
    const result = plan(values);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(message);
  });

  withTerraform.each(RINGS)('judges a ring with %s as protocol/keys.ts does, for both rings', (_name, ring, accepted) => {
    const parsed = (() => {
      try {
        parseKeyRing('signal', ring);
        return true;
      } catch (error) {
        if (error instanceof KeyRingError) return false;
        throw error;
      }
    })();
    expect(parsed).toBe(accepted);
    for (const name of ['signal_keys', 'trainer_keys']) {
      const result = plan({ [name]: ring });
      expect({ name, ok: result.ok, output: result.ok ? '' : result.output }).toMatchObject({ name, ok: accepted, output: accepted ? '' : expect.stringContaining(name) });
    }
  });

  withTerraform('never prints a rejected ring when it arrives as the example passes it (a sensitive root variable)', () => {
    // In the variable files' own root module terraform shows the value of a failed check; through a module call from a
    // sensitive variable, as in examples/default, it must not.
    const wrapper = mkdtempSync(join(tmpdir(), 'spot-on-tf-wrapper-'));
    try {
      writeFileSync(
        join(wrapper, 'main.tf'),
        [
          'variable "signal_keys" {',
          '  type      = string',
          '  sensitive = true',
          '}',
          'module "spot_on_azure" {',
          `  source              = "${workDir}"`,
          '  name_prefix         = "ai-fl-mc-dev"',
          '  resource_group_name = "ai-fl-mc-dev-rg"',
          '  signal_keys         = var.signal_keys',
          `  trainer_keys        = "${KEY_B}"`,
          '  function_app        = { run_id = "fl-demo-001" }',
          '  aks                 = { admin_group_object_ids = ["11111111-2222-3333-4444-555555555555"] }',
          '  monitoring          = { ssh_public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleOnly azure-infra", admin_source_cidrs = ["198.51.100.7/32"] }',
          '}',
          '',
        ].join('\n'),
      );
      execFileSync(TERRAFORM ?? 'terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: wrapper, stdio: 'pipe', env: TERRAFORM_ENV });
      const leaked = `${KEY_A},${KEY_A.slice(0, 31)}`;
      let output = '';
      try {
        execFileSync(TERRAFORM ?? 'terraform', ['plan', '-input=false', '-no-color', '-lock=false', '-var', `signal_keys=${leaked}`], { cwd: wrapper, encoding: 'utf8', stdio: 'pipe', env: TERRAFORM_ENV });
      } catch (error) {
        const failed = error as { stdout?: string; stderr?: string };
        output = `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
      }
      expect(output).toContain('Each key of signal_keys must be 32-512 characters');
      expect(output).not.toContain(KEY_A.slice(0, 31));
    } finally {
      rmSync(wrapper, { recursive: true, force: true });
    }
  });

  withTerraform('grants key rings per workload: aggregator both, trainer its own only, each on that ring\'s secret; the training data read-only', () => {
    // workload_roles with the resource-derived scopes replaced by stand-ins, evaluated by terraform on the defaults
    // (a multi-line expression, so as a local in a scratch file rather than typed into the console).
    const expression = localExpression('workload_roles')
      .replace(/local\.checkpoint_container_scope/g, '"container"')
      .replace(/local\.training_data_container_scope/g, '"data-container"')
      .replace(/local\.key_ring_scopes/g, '{ signal = "vault/secrets/signal-keys", trainer = "vault/secrets/trainer-keys" }');
    const probe = join(workDir, 'probe.tf');
    writeFileSync(probe, `locals {\n  probe = ${expression}\n}\n`);
    let printed: string;
    try {
      printed = evaluate('jsonencode(local.probe)');
    } finally {
      rmSync(probe);
    }
    const roles = JSON.parse(JSON.parse(printed) as string) as Record<string, { workload: string; scope: string; role: string }>;
    const keyVaultGrants = Object.values(roles)
      .filter((grant) => grant.role === 'Key Vault Secrets User')
      .map((grant) => `${grant.workload} -> ${grant.scope}`)
      .sort();
    expect(keyVaultGrants).toStrictEqual(['aggregator -> vault/secrets/signal-keys', 'aggregator -> vault/secrets/trainer-keys', 'trainer -> vault/secrets/trainer-keys']);
    const blobGrants = Object.values(roles)
      .filter((grant) => grant.role.startsWith('Storage Blob'))
      .map((grant) => `${grant.workload} -> ${grant.role} on ${grant.scope}`)
      .sort();
    expect(blobGrants).toStrictEqual([
      'aggregator -> Storage Blob Data Contributor on container',
      'aggregator -> Storage Blob Data Reader on data-container',
      'trainer -> Storage Blob Data Contributor on container',
      'trainer -> Storage Blob Data Reader on data-container',
    ]);
  });
});
