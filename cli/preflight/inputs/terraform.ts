/**
 * What the Azure Terraform creates, read from the root module that calls terraform-azure (default
 * terraform-azure/examples/default) and its tfvars, without running terraform: the module call's arguments with
 * `var.*` resolved, the module's own variable defaults filled in, and the names the module derives from them.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PreflightInputError, parseInput } from './errors';
import { UNRESOLVED, isHclObject, labelledBlocks, optionalAttributeDefaults, parseHclFile, parseTfDirectory, resolveVariables, type Hcl } from './hcl';
import { aggregatorPrivateIp, functionAppName, keyVaultName, storageAccountName } from './terraform-names';

/** The Azure side as far as the files tell; a field is absent when it is an expression only terraform can evaluate. */
export interface TerraformDeployment {
  /** The root module directory, for messages. */
  readonly dir: string;
  readonly runId?: string;
  readonly minAwsTrainers?: number;
  /** The GPU Spot pool's most nodes (SPOTON_MAX_AZURE_NODES of the brain). */
  readonly maxAzureNodes?: number;
  /** The AKS GPU pools the brain scales: Spot (SPOTON_GPU_POOL_NAME) and on-demand (SPOTON_ON_DEMAND_POOL_NAME). */
  readonly gpuPoolName?: string;
  readonly onDemandPoolName?: string;
  readonly functionAppName?: string;
  readonly keyVaultName?: string;
  readonly signalKeysSecretName?: string;
  readonly trainerKeysSecretName?: string;
  /** The key rings as given (tfvars or TF_VAR_signal_keys / TF_VAR_trainer_keys); never printed. */
  readonly signalKeys?: string;
  readonly trainerKeys?: string;
  readonly aggregator: { readonly zone?: string; readonly record?: string; readonly port?: number; readonly privateIp?: string };
  readonly vnetAddressSpaces?: readonly string[];
  readonly dnsInboundSubnet?: string;
  readonly dnsResolverEnabled?: boolean;
  readonly awsVpcCidrs?: readonly string[];
  readonly vpnBgpAsn?: number;
  readonly storageAccountName?: string;
  readonly storageContainer?: string;
  /** The container the run's data is staged into for Azure (`storage.data_container_name`). */
  readonly dataContainer?: string;
}

const DeploymentSchema = z.strictObject({
  namePrefix: z.string().optional(),
  runId: z.string().optional(),
  minAwsTrainers: z.int().min(0).optional(),
  maxAzureNodes: z.int().min(0).optional(),
  gpuPoolName: z.string().optional(),
  onDemandPoolName: z.string().optional(),
  functionAppName: z.string().nullish(),
  keyVaultName: z.string().nullish(),
  signalKeysSecretName: z.string().optional(),
  trainerKeysSecretName: z.string().optional(),
  signalKeys: z.string().optional(),
  trainerKeys: z.string().optional(),
  aggregator: z.strictObject({ zone: z.string().optional(), record: z.string().optional(), port: z.int().optional(), privateIp: z.string().nullish() }),
  hubAddressSpace: z.array(z.string()).optional(),
  spokeAddressSpace: z.array(z.string()).optional(),
  dnsInboundSubnet: z.string().optional(),
  aksUserSubnet: z.string().optional(),
  dnsResolverEnabled: z.boolean().optional(),
  awsVpcCidrs: z.array(z.string()).optional(),
  vpnBgpAsn: z.int().optional(),
  storageAccountName: z.string().nullish(),
  storageContainer: z.string().optional(),
  dataContainer: z.string().optional(),
});

/** Where the root module and its variables are. */
export interface TerraformSources {
  /** Directory of the root module (its *.tf files); it calls the Spot-On module. */
  readonly dir: string;
  /** A tfvars file (HCL). @default none: variables come from TF_VAR_* and their defaults */
  readonly tfvars?: string;
  /** The repository's module, used when the call's source is not a local directory (registry, git). */
  readonly fallbackModuleDir: string;
}

/** The tfvars terraform would read in `dir`: terraform.tfvars, else the example next to it, else none. */
export function tfvarsIn(dir: string): string | undefined {
  return ['terraform.tfvars', 'terraform.tfvars.example'].map((name) => join(dir, name)).find((path) => existsSync(path));
}

/** The Spot-On module call in the root module: the one module block that passes `function_app`. */
function findModuleCall(files: readonly { file: string; json: Hcl }[], dir: string): Hcl {
  const calls = [...labelledBlocks(files, 'module').values()].filter((body) => 'function_app' in body);
  if (calls.length !== 1) throw new PreflightInputError(`${dir}: expected one module call with function_app (the Spot-On Azure module), found ${calls.length}`);
  return calls[0] as Hcl;
}

/** Each module variable's default and its object attributes' optional() defaults. */
async function moduleVariables(moduleDir: string): Promise<Map<string, { default?: unknown; attributes: Hcl }>> {
  const files = await parseTfDirectory(moduleDir, (name) => name.startsWith('variables'));
  return new Map(
    [...labelledBlocks(files, 'variable')].map(([name, body]) => [name, { ...('default' in body ? { default: body.default } : {}), attributes: optionalAttributeDefaults(body.type) }]),
  );
}

/** Reads the root module, its tfvars and the module's variables; `env` supplies TF_VAR_* as terraform would. */
export async function loadTerraformDeployment(sources: TerraformSources, env: Readonly<Record<string, string | undefined>>): Promise<TerraformDeployment> {
  const rootFiles = await parseTfDirectory(sources.dir);
  const call = findModuleCall(rootFiles, sources.dir);
  const tfvars = sources.tfvars === undefined ? {} : await parseHclFile(sources.tfvars);
  const rootVariables = labelledBlocks(rootFiles, 'variable');
  const lookup = (name: string): unknown => {
    if (name in tfvars) return tfvars[name];
    const variable = rootVariables.get(name);
    // Terraform reads TF_VAR_* of other types as HCL; only a string variable takes the raw text.
    const fromEnv = env[`TF_VAR_${name}`];
    if (fromEnv !== undefined && (variable?.type === undefined || variable.type === '${string}')) return fromEnv;
    return variable !== undefined && 'default' in variable ? variable.default : UNRESOLVED;
  };
  const source = typeof call.source === 'string' ? resolve(sources.dir, call.source) : undefined;
  const moduleDir = source !== undefined && existsSync(join(source, 'variables.tf')) ? source : sources.fallbackModuleDir;
  const variables = await moduleVariables(moduleDir);
  const argument = (name: string): unknown => {
    const given = resolveVariables(call[name], lookup);
    const variable = variables.get(name);
    const value = given === undefined || given === null ? variable?.default : given;
    if (!isHclObject(value) || variable === undefined) return value;
    const filled = { ...value };
    for (const [attribute, fallback] of Object.entries(variable.attributes)) if (filled[attribute] === undefined || filled[attribute] === null) filled[attribute] = fallback;
    return filled;
  };
  return project(argument, sources.dir);
}

/** A value by path; undefined when absent or unresolved. */
function at(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const key of path) node = isHclObject(node) ? node[key] : undefined;
  return node === UNRESOLVED ? undefined : node;
}

/** An attribute the module derives when left out: the value, null when left out (derive it), undefined when unresolved. */
function derivable(object: unknown, key: string): unknown {
  if (!isHclObject(object)) return object === UNRESOLVED ? undefined : null;
  const value = object[key];
  if (value === UNRESOLVED) return undefined;
  return value ?? null;
}

function project(argument: (name: string) => unknown, dir: string): TerraformDeployment {
  const functionApp = argument('function_app');
  const aggregator = argument('aggregator');
  const hub = argument('hub_network');
  const spoke = argument('spoke_network');
  const raw = {
    namePrefix: at(argument('name_prefix')),
    runId: at(functionApp, 'run_id'),
    minAwsTrainers: at(functionApp, 'min_aws_trainers'),
    maxAzureNodes: at(argument('gpu_spot_pool'), 'max_count'),
    gpuPoolName: at(argument('gpu_spot_pool'), 'name'),
    onDemandPoolName: at(argument('gpu_on_demand_pool'), 'name'),
    functionAppName: derivable(functionApp, 'name'),
    keyVaultName: derivable(argument('key_vault'), 'name'),
    signalKeysSecretName: at(argument('key_vault'), 'signal_keys_secret_name'),
    trainerKeysSecretName: at(argument('key_vault'), 'trainer_keys_secret_name'),
    signalKeys: at(argument('signal_keys')),
    trainerKeys: at(argument('trainer_keys')),
    aggregator: { zone: at(aggregator, 'dns_zone_name'), record: at(aggregator, 'dns_record_name'), port: at(aggregator, 'port'), privateIp: derivable(aggregator, 'private_ip') },
    hubAddressSpace: at(hub, 'address_space'),
    spokeAddressSpace: at(spoke, 'address_space'),
    dnsInboundSubnet: at(hub, 'subnets', 'dns_inbound'),
    aksUserSubnet: at(spoke, 'subnets', 'aks_user'),
    dnsResolverEnabled: at(argument('dns_resolver_enabled')),
    awsVpcCidrs: at(argument('aws_vpc_cidrs')),
    vpnBgpAsn: at(argument('vpn_gateway'), 'bgp_asn'),
    storageAccountName: derivable(argument('storage'), 'account_name'),
    storageContainer: at(argument('storage'), 'container_name'),
    dataContainer: at(argument('storage'), 'data_container_name'),
  };
  const parsed = parseInput(DeploymentSchema, raw, `terraform (${dir})`);
  const prefix = parsed.namePrefix;
  // Given: as is. Left out (null): what the module derives from name_prefix. An expression (undefined): unknown.
  const name = (given: string | null | undefined, make: (prefix: string) => string) =>
    typeof given === 'string' ? given : given === null && prefix !== undefined ? make(prefix) : undefined;
  const { privateIp } = parsed.aggregator;
  return {
    dir,
    runId: parsed.runId,
    minAwsTrainers: parsed.minAwsTrainers,
    maxAzureNodes: parsed.maxAzureNodes,
    gpuPoolName: parsed.gpuPoolName,
    onDemandPoolName: parsed.onDemandPoolName,
    functionAppName: name(parsed.functionAppName, functionAppName),
    keyVaultName: name(parsed.keyVaultName, keyVaultName),
    signalKeysSecretName: parsed.signalKeysSecretName,
    trainerKeysSecretName: parsed.trainerKeysSecretName,
    signalKeys: parsed.signalKeys,
    trainerKeys: parsed.trainerKeys,
    aggregator: {
      zone: parsed.aggregator.zone,
      record: parsed.aggregator.record,
      port: parsed.aggregator.port,
      privateIp: typeof privateIp === 'string' ? privateIp : privateIp === null && parsed.aksUserSubnet !== undefined ? aggregatorPrivateIp(parsed.aksUserSubnet) : undefined,
    },
    vnetAddressSpaces: parsed.hubAddressSpace && parsed.spokeAddressSpace ? [...parsed.hubAddressSpace, ...parsed.spokeAddressSpace] : undefined,
    dnsInboundSubnet: parsed.dnsInboundSubnet,
    dnsResolverEnabled: parsed.dnsResolverEnabled,
    awsVpcCidrs: parsed.awsVpcCidrs,
    vpnBgpAsn: parsed.vpnBgpAsn,
    storageAccountName: name(parsed.storageAccountName, storageAccountName),
    storageContainer: parsed.storageContainer,
    dataContainer: parsed.dataContainer,
  };
}
