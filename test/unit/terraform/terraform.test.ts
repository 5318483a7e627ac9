import { execFileSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { formatProblems } from './hcl-format';

/**
 * Static checks of the Azure Terraform (terraform-azure/): every file parses, the security- and failover-critical
 * settings are what the design needs, and the layout is what `terraform fmt` writes. hcl2json turns every block into
 * an array of bodies and every expression into a "${...}" string; literals stay literals.
 */

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '../../..');
const MODULE_DIR = join(ROOT, 'terraform-azure');

type HclObject = { readonly [key: string]: unknown };

interface ParsedFile {
  readonly path: string;
  readonly source: string;
  readonly json?: HclObject;
  readonly error?: unknown;
}

function listTfFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return name === '.terraform' ? [] : listTfFiles(path);
      return name.endsWith('.tf') ? [path] : [];
    })
    .sort();
}

const TF_FILES = listTfFiles(MODULE_DIR).map((path) => relative(MODULE_DIR, path));
const MODULE_FILES = TF_FILES.filter((path) => !path.includes('/'));

function isObject(value: unknown): value is HclObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown, what: string): HclObject {
  if (!isObject(value)) throw new Error(`${what}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

/** All bodies of a block (a block written n times is an array of n bodies). */
function blocks(value: unknown, what: string): HclObject[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected a block, got ${JSON.stringify(value)}`);
  return value.map((body, index) => asObject(body, `${what}[${index}]`));
}

/** The body of a block that is written exactly once. */
function single(value: unknown, what: string): HclObject {
  const bodies = blocks(value, what);
  if (bodies.length !== 1) throw new Error(`${what}: expected one block, found ${bodies.length}`);
  return bodies[0] as HclObject;
}

function stringAt(body: HclObject, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new Error(`${key}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === 'string')) {
    throw new Error(`${what}: expected a list of strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

const TERRAFORM = findOnPath('terraform');
/** `it` when terraform is installed, else a visibly skipped test. */
const withTerraform: jest.It = TERRAFORM === undefined ? it.skip : it;
const NO_TERRAFORM = TERRAFORM === undefined ? ' (skipped: terraform is not on PATH)' : '';
/** No update check, no prompts: these runs must stay offline. */
const TERRAFORM_ENV = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };

let parsed: Map<string, ParsedFile>;

beforeAll(async () => {
  parsed = new Map();
  // One at a time: the parser is a WebAssembly module and the build machine has two cores.
  for (const path of TF_FILES) {
    const source = readFileSync(join(MODULE_DIR, path), 'utf8');
    try {
      parsed.set(path, { path, source, json: asObject(await parse(path, source), path) });
    } catch (error) {
      parsed.set(path, { path, source, error });
    }
  }
});

function jsonOf(path: string): HclObject {
  const file = parsed.get(path);
  if (file?.json === undefined) throw new Error(`${path} did not parse: ${String(file?.error)}`);
  return file.json;
}

/** Every top-level body of `kind` (resource, variable, output, ...) in the module root or the example. */
function section(files: readonly string[], kind: string): HclObject[] {
  return files.flatMap((path) => {
    const value = jsonOf(path)[kind];
    if (value === undefined) return [];
    return Array.isArray(value) ? blocks(value, `${path} ${kind}`) : [asObject(value, `${path} ${kind}`)];
  });
}

function resource(type: string, name: string): HclObject {
  const matches = section(MODULE_FILES, 'resource').flatMap((byType) => {
    const byName = byType[type];
    return isObject(byName) && byName[name] !== undefined ? [single(byName[name], `${type}.${name}`)] : [];
  });
  if (matches.length !== 1) throw new Error(`expected one resource ${type}.${name}, found ${matches.length}`);
  return matches[0] as HclObject;
}

function resourcesOfType(type: string): Map<string, HclObject> {
  const found = new Map<string, HclObject>();
  for (const byType of section(MODULE_FILES, 'resource')) {
    const byName = byType[type];
    if (!isObject(byName)) continue;
    for (const [name, value] of Object.entries(byName)) found.set(name, single(value, `${type}.${name}`));
  }
  return found;
}

function namedBlocks(files: readonly string[], kind: string): Map<string, HclObject> {
  const found = new Map<string, HclObject>();
  for (const byName of section(files, kind)) {
    for (const [name, value] of Object.entries(byName)) found.set(name, single(value, `${kind}.${name}`));
  }
  return found;
}

function variable(name: string): HclObject {
  const found = namedBlocks(MODULE_FILES, 'variable').get(name);
  if (found === undefined) throw new Error(`no variable ${name}`);
  return found;
}

function local(name: string): unknown {
  const values = section(MODULE_FILES, 'locals').filter((body) => body[name] !== undefined);
  if (values.length !== 1) throw new Error(`expected one local ${name}, found ${values.length}`);
  return (values[0] as HclObject)[name];
}

/** The type constraint of a variable with whitespace collapsed, e.g. `object({ name = optional(string, "x") })`. */
function typeOf(name: string): string {
  return stringAt(variable(name), 'type').replace(/\s+/g, ' ');
}

function validationConditions(body: HclObject): string[] {
  return body.validation === undefined ? [] : blocks(body.validation, 'validation').map((rule) => stringAt(rule, 'condition'));
}

describe('files', () => {
  it('finds the module files split by concern and the runnable example', () => {
    for (const file of [
      'versions.tf',
      'variables.tf',
      'locals.tf',
      'outputs.tf',
      'main.network.tf',
      'variables.network.tf',
      'main.vpn.tf',
      'variables.vpn.tf',
      'main.aks.tf',
      'variables.aks.tf',
      'main.storage.tf',
      'main.registry.tf',
      'main.keyvault.tf',
      'main.functions.tf',
      'variables.functions.tf',
      'main.monitoring.tf',
      'main.nsg.tf',
      'main.rbac.tf',
      'examples/default/main.tf',
      'examples/default/variables.tf',
    ]) {
      expect(TF_FILES).toContain(file);
    }
  });

  it.each(TF_FILES)('%s parses as HCL', (path) => {
    const file = parsed.get(path);
    expect(file?.error).toBeUndefined();
    expect(file?.json).toBeDefined();
  });

  it.each(TF_FILES)('%s has the layout terraform fmt writes (indentation, "=" alignment)', (path) => {
    expect(formatProblems(parsed.get(path)?.source ?? '')).toStrictEqual([]);
  });

  withTerraform(`terraform fmt -check -recursive terraform-azure${NO_TERRAFORM}`, () => {
    expect(() => execFileSync(TERRAFORM ?? 'terraform', ['fmt', '-check', '-recursive', 'terraform-azure'], { cwd: ROOT, stdio: 'pipe', env: TERRAFORM_ENV })).not.toThrow();
  });
});

describe('versions and providers', () => {
  it('requires terraform >= 1.9 and azurerm 4.x, and configures no provider inside the module', () => {
    const settings = single(jsonOf('versions.tf').terraform, 'terraform');
    expect(stringAt(settings, 'required_version')).toMatch(/>= 1\.9/);
    const providers = single(settings.required_providers, 'required_providers');
    expect(providers.azurerm).toStrictEqual({ source: 'hashicorp/azurerm', version: '>= 4.40, < 5.0' });
    expect(asObject(providers.azapi, 'azapi').source).toBe('Azure/azapi');
    expect(section(MODULE_FILES, 'provider')).toStrictEqual([]);
  });

  it('configures the providers in the example, with Entra ID storage auth, and calls the module with its secrets', () => {
    const providers = section(['examples/default/main.tf'], 'provider');
    const azurerm = single(asObject(providers[0], 'provider').azurerm, 'provider azurerm');
    expect(azurerm.storage_use_azuread).toBe(true);
    const storageFeatures = single(single(azurerm.features, 'features').storage, 'features.storage');
    expect(storageFeatures.data_plane_available).toBe(false);
    const module = single(asObject(section(['examples/default/main.tf'], 'module')[0], 'module').spot_on_azure, 'module');
    expect(module.source).toBe('../..');
    expect(module.location).toBe('${azurerm_resource_group.this.location}');
    expect(module.signing_secret).toBe('${var.signing_secret}');
    expect(module.aws_vpn_shared_keys).toBe('${var.aws_vpn_shared_keys}');
    const exampleVariables = namedBlocks(['examples/default/variables.tf'], 'variable');
    expect(exampleVariables.get('signing_secret')?.sensitive).toBe(true);
    expect(exampleVariables.get('aws_vpn_shared_keys')?.sensitive).toBe(true);
  });
});

describe('variables', () => {
  it('gives every variable (module and example) a description and a type', () => {
    const files = TF_FILES.filter((path) => jsonOf(path).variable !== undefined);
    const all = files.flatMap((path) => [...namedBlocks([path], 'variable').entries()].map(([name, body]) => ({ name: `${path}:${name}`, body })));
    expect(all.length).toBeGreaterThan(20);
    const missing = all.filter(({ body }) => typeof body.description !== 'string' || (body.description as string).trim() === '' || typeof body.type !== 'string');
    expect(missing.map(({ name }) => name)).toStrictEqual([]);
  });

  it('marks the signing secret and the VPN pre-shared keys sensitive', () => {
    expect(variable('signing_secret').sensitive).toBe(true);
    expect(variable('aws_vpn_shared_keys').sensitive).toBe(true);
    expect(variable('signing_secret').default).toBeUndefined();
  });

  it('defaults to Korea Central', () => {
    expect(variable('location').default).toBe('koreacentral');
  });

  it('validates every network range as a CIDR', () => {
    for (const name of ['hub_network', 'spoke_network', 'aws_vpc_cidrs']) {
      expect(validationConditions(variable(name)).some((condition) => condition.includes('can(cidrhost('))).toBe(true);
    }
    expect(validationConditions(variable('aws_vpn_tunnels')).join('\n')).toContain('cidrhost');
  });

  it('accepts only -1 or a positive spot_max_price, and bounds the GPU pool size', () => {
    const conditions = validationConditions(variable('gpu_spot_pool'));
    expect(conditions).toContain('${var.gpu_spot_pool.spot_max_price == -1 || var.gpu_spot_pool.spot_max_price > 0}');
    expect(conditions.some((condition) => condition.includes('var.gpu_spot_pool.max_count >= 1'))).toBe(true);
  });

  it('checks that every tunnel has a shared key and uses the gateway APIPA addresses', () => {
    expect(validationConditions(variable('aws_vpn_shared_keys')).join('\n')).toContain('contains(keys(var.aws_vpn_shared_keys), tunnel.name)');
    expect(validationConditions(variable('aws_vpn_tunnels')).join('\n')).toContain('var.vpn_gateway.apipa_addresses.primary');
  });

  it('rejects storage keys in extra app settings', () => {
    expect(validationConditions(variable('function_app')).join('\n')).toContain('AccountKey=');
  });
});

describe('network', () => {
  it('delegates the function integration subnet to Microsoft.App/environments', () => {
    const subnet = resource('azurerm_subnet', 'function_integration');
    const delegation = single(subnet.delegation, 'delegation');
    expect(single(delegation.service_delegation, 'service_delegation').name).toBe('Microsoft.App/environments');
  });

  it('puts the VPN gateway in GatewaySubnet and the DNS inbound endpoint in a dnsResolvers subnet', () => {
    expect(resource('azurerm_subnet', 'gateway').name).toBe('GatewaySubnet');
    const delegation = single(resource('azurerm_subnet', 'dns_inbound').delegation, 'delegation');
    expect(single(delegation.service_delegation, 'service_delegation').name).toBe('Microsoft.Network/dnsResolvers');
    const endpoint = resource('azurerm_private_dns_resolver_inbound_endpoint', 'this');
    expect(single(endpoint.ip_configurations, 'ip_configurations').subnet_id).toBe('${azurerm_subnet.dns_inbound.id}');
  });

  it('peers hub and spoke both ways with gateway transit from the hub', () => {
    const hub = resource('azurerm_virtual_network_peering', 'hub_to_spoke');
    const spoke = resource('azurerm_virtual_network_peering', 'spoke_to_hub');
    expect(hub).toMatchObject({ name: 'hub-to-spoke-aks', allow_gateway_transit: true, use_remote_gateways: false, allow_forwarded_traffic: true });
    expect(hub.virtual_network_name).toBe('${azurerm_virtual_network.hub.name}');
    expect(spoke).toMatchObject({ allow_gateway_transit: false, use_remote_gateways: true, allow_forwarded_traffic: true });
    expect(spoke.virtual_network_name).toBe('${azurerm_virtual_network.spoke.name}');
    expect(spoke.depends_on).toContain('${azurerm_virtual_network_gateway.this}');
  });

  it('links every privatelink zone (blob, queue, vault, registry, sites) to both VNets', () => {
    const zones = asObject(local('private_dns_zones'), 'private_dns_zones');
    expect(zones).toMatchObject({
      blob: 'privatelink.blob.core.windows.net',
      queue: 'privatelink.queue.core.windows.net',
      vault: 'privatelink.vaultcore.azure.net',
      registry: 'privatelink.azurecr.io',
      sites: 'privatelink.azurewebsites.net',
    });
    expect(Object.keys(asObject(local('virtual_network_ids'), 'virtual_network_ids'))).toStrictEqual(['hub', 'spoke']);
    expect(resource('azurerm_private_dns_zone_virtual_network_link', 'this').for_each).toBe('${local.private_dns_zone_links}');
    expect(String(local('private_dns_zone_links'))).toContain('setproduct(keys(local.private_dns_zones), keys(local.virtual_network_ids))');
  });

  it('gives every subnet except GatewaySubnet an NSG, and opens only AWS and admin paths', () => {
    const associated = Object.keys(asObject(local('nsg_subnet_ids'), 'nsg_subnet_ids')).sort();
    expect(associated).toStrictEqual(['aks_gpu', 'aks_system', 'aks_user', 'bastion', 'dns_inbound', 'function_integration', 'monitoring', 'private_endpoints']);
    const rules = asObject(local('nsg_rules'), 'nsg_rules');
    expect(Object.keys(rules).sort()).toStrictEqual(associated);
    const privateEndpointRule = asObject((rules.private_endpoints as unknown[])[0], 'private endpoint rule');
    expect(privateEndpointRule).toMatchObject({ source_address_prefixes: '${var.aws_vpc_cidrs}', destination_port_ranges: ['443'] });
    const securityRule = single(asObject(resource('azurerm_network_security_group', 'this').dynamic, 'dynamic').security_rule, 'security_rule');
    expect(single(securityRule.content, 'content')).toMatchObject({ direction: 'Inbound', access: 'Allow' });
  });
});

describe('VPN to AWS', () => {
  it('builds a route-based, active-active gateway with BGP and two public IPs', () => {
    const gateway = resource('azurerm_virtual_network_gateway', 'this');
    expect(gateway).toMatchObject({ type: 'Vpn', vpn_type: 'RouteBased', active_active: true, enable_bgp: true });
    const ipConfigurations = blocks(gateway.ip_configuration, 'ip_configuration');
    expect(ipConfigurations.map((config) => config.public_ip_address_id)).toStrictEqual([
      '${azurerm_public_ip.vpn_gateway["primary"].id}',
      '${azurerm_public_ip.vpn_gateway["secondary"].id}',
    ]);
    const bgp = single(gateway.bgp_settings, 'bgp_settings');
    expect(bgp.asn).toBe('${var.vpn_gateway.bgp_asn}');
    expect(blocks(bgp.peering_addresses, 'peering_addresses')).toHaveLength(2);
    expect(resource('azurerm_public_ip', 'vpn_gateway')).toMatchObject({ sku: 'Standard', allocation_method: 'Static' });
  });

  it('connects every AWS tunnel with IKEv2, BGP, its own pre-shared key and a PFS IPsec policy', () => {
    const connection = resource('azurerm_virtual_network_gateway_connection', 'aws');
    expect(connection).toMatchObject({ type: 'IPsec', connection_protocol: 'IKEv2', enable_bgp: true, for_each: '${local.aws_vpn_tunnels}' });
    expect(connection.shared_key).toBe('${var.aws_vpn_shared_keys[each.key]}');
    expect(single(connection.custom_bgp_addresses, 'custom_bgp_addresses').primary).toBe('${each.value.azure_custom_bgp_addresses.primary}');
    const policy = single(connection.ipsec_policy, 'ipsec_policy');
    expect(Object.keys(policy).sort()).toStrictEqual(['dh_group', 'ike_encryption', 'ike_integrity', 'ipsec_encryption', 'ipsec_integrity', 'pfs_group', 'sa_datasize', 'sa_lifetime']);
    expect(typeOf('vpn_ipsec_policy')).toContain('pfs_group = optional(string, "PFS2048")');
    const localGateway = resource('azurerm_local_network_gateway', 'aws');
    expect(single(localGateway.bgp_settings, 'bgp_settings')).toStrictEqual({ asn: '${each.value.aws_bgp_asn}', bgp_peering_address: '${each.value.aws_inside_ip}' });
  });
});

describe('AKS', () => {
  it('restricts the system pool to critical add-ons', () => {
    const cluster = resource('azurerm_kubernetes_cluster', 'this');
    expect(single(cluster.default_node_pool, 'default_node_pool')).toMatchObject({ name: 'system', only_critical_addons_enabled: true });
  });

  it('uses Entra ID with Azure RBAC, no local accounts, OIDC and workload identity', () => {
    const cluster = resource('azurerm_kubernetes_cluster', 'this');
    expect(cluster).toMatchObject({
      local_account_disabled: true,
      role_based_access_control_enabled: true,
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      private_cluster_enabled: '${var.aks.private_cluster_enabled}',
    });
    expect(single(cluster.azure_active_directory_role_based_access_control, 'aad rbac').azure_rbac_enabled).toBe(true);
    expect(single(cluster.network_profile, 'network_profile')).toMatchObject({ network_plugin: 'azure', network_plugin_mode: 'overlay' });
    expect(single(cluster.oms_agent, 'oms_agent').log_analytics_workspace_id).toBe('${azurerm_log_analytics_workspace.this.id}');
    expect(variable('aks').default).toStrictEqual({});
    expect(typeOf('aks')).toContain('private_cluster_enabled = optional(bool, true)');
  });

  it('makes gpuspot a Spot pool that evicts by deletion, scales from zero and carries the trainer labels and spot taint', () => {
    const pool = resource('azurerm_kubernetes_cluster_node_pool', 'gpu_spot');
    expect(pool).toMatchObject({
      name: '${var.gpu_spot_pool.name}',
      mode: 'User',
      priority: 'Spot',
      eviction_policy: 'Delete',
      spot_max_price: '${var.gpu_spot_pool.spot_max_price}',
      auto_scaling_enabled: true,
      min_count: 0,
      node_count: 0,
      max_count: '${var.gpu_spot_pool.max_count}',
    });
    expect(pool.node_labels).toMatchObject({ 'spot-on.io/role': 'trainer', accelerator: 'nvidia' });
    expect(String(pool.node_taints)).toContain('"kubernetes.azure.com/scalesetpriority=spot:NoSchedule"');
    expect(typeOf('gpu_spot_pool')).toContain('optional(string, "gpuspot")');
    expect(typeOf('gpu_spot_pool')).toContain('optional(string, "Standard_NC4as_T4_v3")');
  });

  it('lets the failover functions own the GPU pool counts (ignore_changes on node_count and min_count)', () => {
    const lifecycle = single(resource('azurerm_kubernetes_cluster_node_pool', 'gpu_spot').lifecycle, 'lifecycle');
    expect(stringList(lifecycle.ignore_changes, 'ignore_changes')).toStrictEqual(['${node_count}', '${min_count}']);
  });

  it('runs the aggregator on userpool and federates workload identities with the cluster issuer', () => {
    expect(resource('azurerm_kubernetes_cluster_node_pool', 'user').node_labels).toStrictEqual({ 'spot-on.io/role': 'aggregator' });
    expect(typeOf('user_node_pool')).toContain('optional(string, "userpool")');
    const credential = resource('azurerm_federated_identity_credential', 'workload');
    expect(credential.issuer).toBe('${azurerm_kubernetes_cluster.this.oidc_issuer_url}');
    expect(credential.subject).toBe('system:serviceaccount:${each.value.namespace}:${each.value.service_account}');
  });
});

describe('storage', () => {
  it('allows no shared keys, no public network and nothing below TLS 1.2', () => {
    const account = resource('azurerm_storage_account', 'this');
    expect(account).toMatchObject({
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      min_tls_version: 'TLS1_2',
      https_traffic_only_enabled: true,
      public_network_access_enabled: false,
      allow_nested_items_to_be_public: false,
    });
    expect(single(account.network_rules, 'network_rules').default_action).toBe('Deny');
    const blob = single(account.blob_properties, 'blob_properties');
    expect(blob.versioning_enabled).toBe(true);
    expect(single(blob.delete_retention_policy, 'delete_retention_policy').days).toBe('${var.storage.blob_soft_delete_days}');
  });

  it('creates the spot-on container privately and expires old runs/ rounds after runs_retention_days', () => {
    expect(resource('azurerm_storage_container', 'checkpoints')).toMatchObject({ name: '${var.storage.container_name}', container_access_type: 'private' });
    expect(typeOf('storage')).toContain('optional(string, "spot-on")');
    const rules = blocks(resource('azurerm_storage_management_policy', 'this').rule, 'rule');
    const runs = rules.find((rule) => rule.name === 'expire-old-runs');
    expect(runs).toBeDefined();
    expect(single(runs?.filters, 'filters').prefix_match).toStrictEqual(['${var.storage.container_name}/runs/']);
    const baseBlob = single(single(runs?.actions, 'actions').base_blob, 'base_blob');
    expect(baseBlob.delete_after_days_since_modification_greater_than).toBe('${var.storage.runs_retention_days}');
  });

  it('reaches blob and queue through private endpoints registered in their privatelink zones', () => {
    const endpoint = resource('azurerm_private_endpoint', 'storage');
    expect(endpoint.for_each).toBe('${toset(["blob", "queue"])}');
    expect(single(endpoint.private_service_connection, 'connection').subresource_names).toStrictEqual(['${each.key}']);
    expect(single(endpoint.private_dns_zone_group, 'zone group').private_dns_zone_ids).toStrictEqual(['${azurerm_private_dns_zone.this[each.key].id}']);
  });
});

describe('registry and key vault', () => {
  it('uses ACR Premium with the admin user and anonymous pull off, behind a private endpoint', () => {
    expect(resource('azurerm_container_registry', 'this')).toMatchObject({ sku: 'Premium', admin_enabled: false, anonymous_pull_enabled: false });
    const endpoint = resource('azurerm_private_endpoint', 'container_registry');
    expect(single(endpoint.private_service_connection, 'connection').subresource_names).toStrictEqual(['registry']);
  });

  it('runs Key Vault in RBAC mode with purge protection and no public access', () => {
    expect(resource('azurerm_key_vault', 'this')).toMatchObject({
      enable_rbac_authorization: true,
      purge_protection_enabled: true,
      public_network_access_enabled: false,
    });
    const endpoint = resource('azurerm_private_endpoint', 'key_vault');
    expect(single(endpoint.private_service_connection, 'connection').subresource_names).toStrictEqual(['vault']);
  });

  it('writes the signing secret as a write-only value, never in the stored body', () => {
    const secret = resource('azapi_resource', 'signing_secret');
    expect(secret.type).toMatch(/^Microsoft\.KeyVault\/vaults\/secrets@/);
    expect(JSON.stringify(secret.body)).not.toContain('signing_secret');
    expect(secret.sensitive_body).toStrictEqual({ properties: { value: '${var.signing_secret}' } });
    expect(secret.sensitive_body_version).toStrictEqual({ 'properties.value': '${var.signing_secret_version}' });
  });
});

describe('function app', () => {
  const REQUIRED_SETTINGS = [
    'SPOTON_SUBSCRIPTION_ID',
    'SPOTON_RESOURCE_GROUP',
    'SPOTON_CLUSTER_NAME',
    'SPOTON_GPU_POOL_NAME',
    'SPOTON_STORAGE_ACCOUNT',
    'SPOTON_CONTAINER',
    'SPOTON_RUN_ID',
    'SPOTON_MAX_AZURE_NODES',
    'SPOTON_MIN_AWS_TRAINERS',
  ];

  it('is a Flex Consumption Node 22 app with a managed identity, VNet integration and no public endpoint', () => {
    const app = resource('azurerm_function_app_flex_consumption', 'this');
    expect(app).toMatchObject({
      runtime_name: 'node',
      runtime_version: '${var.function_app.runtime_version}',
      storage_authentication_type: 'SystemAssignedIdentity',
      virtual_network_subnet_id: '${azurerm_subnet.function_integration.id}',
      public_network_access_enabled: false,
      https_only: true,
      app_settings: '${local.function_app_settings}',
    });
    expect(app.storage_access_key).toBeUndefined();
    expect(single(app.identity, 'identity').type).toBe('SystemAssigned');
    expect(resource('azurerm_service_plan', 'functions').sku_name).toBe('FC1');
    expect(typeOf('function_app')).toContain('runtime_version = optional(string, "22")');
  });

  it('passes every setting the functions need, with identity-based storage and a Key Vault reference', () => {
    const settings = asObject(local('function_app_base_settings'), 'function_app_base_settings');
    for (const name of REQUIRED_SETTINGS) expect(Object.keys(settings)).toContain(name);
    expect(settings).toMatchObject({
      AzureWebJobsStorage__accountName: '${azurerm_storage_account.this.name}',
      AzureWebJobsStorage__credential: 'managedidentity',
      SPOTON_GPU_POOL_NAME: '${azurerm_kubernetes_cluster_node_pool.gpu_spot.name}',
      SPOTON_MAX_AZURE_NODES: '${tostring(var.gpu_spot_pool.max_count)}',
    });
    expect(stringAt(settings, 'SPOTON_SIGNING_SECRET')).toBe('@Microsoft.KeyVault(SecretUri=${local.signing_secret_uri})');
  });

  it('carries no storage key or connection string anywhere in its settings', () => {
    const settings = asObject(local('function_app_base_settings'), 'function_app_base_settings');
    expect(Object.keys(settings)).not.toContain('AzureWebJobsStorage');
    expect(Object.keys(settings)).not.toContain('DEPLOYMENT_STORAGE_CONNECTION_STRING');
    const functionsSource = parsed.get('main.functions.tf')?.source ?? '';
    expect(functionsSource).not.toMatch(/primary_access_key|primary_connection_string|AccountKey=/);
    const rewrite = resource('azapi_update_resource', 'function_app_settings');
    expect(rewrite).toMatchObject({ type: 'Microsoft.Web/sites/config@2024-04-01', name: 'appsettings' });
    expect(single(rewrite.lifecycle, 'lifecycle').replace_triggered_by).toStrictEqual(['${azurerm_function_app_flex_consumption.this}']);
  });

  it('is reachable only through a private endpoint in privatelink.azurewebsites.net', () => {
    const endpoint = resource('azurerm_private_endpoint', 'function_app');
    expect(single(endpoint.private_service_connection, 'connection').subresource_names).toStrictEqual(['sites']);
    expect(single(endpoint.private_dns_zone_group, 'zone group').private_dns_zone_ids).toStrictEqual(['${azurerm_private_dns_zone.this["sites"].id}']);
  });
});

describe('role assignments', () => {
  it('grants the function app storage, queue, secrets and namespace-scoped Kubernetes roles', () => {
    const roles = asObject(local('function_data_roles'), 'function_data_roles');
    expect(roles).toMatchObject({
      blob: { scope: '${azurerm_storage_account.this.id}', role: 'Storage Blob Data Contributor' },
      queue: { scope: '${azurerm_storage_account.this.id}', role: 'Storage Queue Data Contributor' },
      secrets: { scope: '${azurerm_key_vault.this.id}', role: 'Key Vault Secrets User' },
      trainer_namespace: {
        scope: '${azurerm_kubernetes_cluster.this.id}/namespaces/${var.aks.trainer_namespace}',
        role: 'Azure Kubernetes Service RBAC Writer',
      },
    });
    const assignment = resource('azurerm_role_assignment', 'function_app');
    expect(assignment).toMatchObject({ for_each: '${local.function_data_roles}', principal_id: '${local.function_principal_id}', principal_type: 'ServicePrincipal' });
    expect(local('function_principal_id')).toBe('${azurerm_function_app_flex_consumption.this.identity[0].principal_id}');
  });

  it('lets the function app scale agent pools on the cluster only, with the built-in AKS role as the explicit alternative', () => {
    const role = resource('azurerm_role_definition', 'gpu_pool_operator');
    const actions = stringList(single(role.permissions, 'permissions').actions, 'actions');
    expect(actions).toContain('Microsoft.ContainerService/managedClusters/agentPools/write');
    expect(actions).not.toContain('Microsoft.ContainerService/managedClusters/write');
    expect(actions.every((action) => action.startsWith('Microsoft.ContainerService/'))).toBe(true);
    const assignment = resource('azurerm_role_assignment', 'function_app_gpu_pool');
    expect(assignment.scope).toBe('${azurerm_kubernetes_cluster.this.id}');
    expect(assignment.role_definition_name).toBe('${var.function_app.aks_role == "custom" ? null : "Azure Kubernetes Service Contributor Role"}');
    expect(typeOf('function_app')).toContain('aks_role = optional(string, "custom")');
  });

  it('gives the kubelet identity AcrPull on the registry', () => {
    expect(resource('azurerm_role_assignment', 'aks_acr_pull')).toMatchObject({
      scope: '${azurerm_container_registry.this.id}',
      role_definition_name: 'AcrPull',
      principal_id: '${azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id}',
    });
  });

  it('uses principal_type ServicePrincipal on every assignment to managed identities', () => {
    for (const [name, assignment] of resourcesOfType('azurerm_role_assignment')) {
      expect({ name, principal_type: assignment.principal_type }).toStrictEqual({ name, principal_type: 'ServicePrincipal' });
    }
  });
});

describe('monitoring', () => {
  it('runs the seed B-series VMs with SSH keys only and sends resource logs to Log Analytics', () => {
    for (const name of ['bastion', 'monitoring']) {
      const vm = resource('azurerm_linux_virtual_machine', name);
      expect(vm.disable_password_authentication).toBe(true);
      expect(vm.admin_password).toBeUndefined();
    }
    const monitoringType = typeOf('monitoring');
    expect(monitoringType).toContain('optional(string, "Standard_B1s")');
    expect(monitoringType).toContain('optional(string, "Standard_B2s")');
    const targets = Object.keys(asObject(local('diagnostic_targets'), 'diagnostic_targets')).sort();
    expect(targets).toStrictEqual(['container_registry', 'function_app', 'key_vault', 'storage_blob', 'storage_queue', 'vpn_gateway']);
    expect(resource('azurerm_monitor_diagnostic_setting', 'aks').target_resource_id).toBe('${azurerm_kubernetes_cluster.this.id}');
  });
});

describe('outputs', () => {
  it('exposes what the AWS side and the functions need, each with a description', () => {
    const outputs = namedBlocks(MODULE_FILES, 'output');
    for (const name of [
      'function_app_hostname',
      'function_app_signals_url',
      'vpn_gateway_public_ips',
      'vpn_gateway_bgp_peering_addresses',
      'vpn_gateway_bgp_asn',
      'aws_vpn_config',
      'storage_account_name',
      'aks_name',
      'gpu_pool_name',
      'key_vault_uri',
      'dns_resolver_inbound_ip',
    ]) {
      expect(outputs.has(name)).toBe(true);
    }
    const undocumented = [...outputs.entries()].filter(([, body]) => typeof body.description !== 'string').map(([name]) => name);
    expect(undocumented).toStrictEqual([]);
    expect(outputs.get('function_app_signals_url')?.value).toBe('https://${azurerm_function_app_flex_consumption.this.default_hostname}/api/signals');
  });
});

/**
 * The validation blocks evaluated by terraform itself: the variable files alone need no provider, so `terraform init`
 * and `terraform plan` run offline in a scratch directory.
 */
describe(`variable validation evaluated by terraform plan${NO_TERRAFORM}`, () => {
  const BASE_VALUES = [
    'name_prefix         = "ai-fl-mc-dev"',
    'resource_group_name = "ai-fl-mc-dev-rg"',
    'signing_secret      = "0123456789abcdef0123456789abcdef"',
    'function_app        = { run_id = "fl-demo-001" }',
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

  let workDir = '';

  beforeAll(() => {
    if (TERRAFORM === undefined) return;
    workDir = mkdtempSync(join(tmpdir(), 'spot-on-tf-variables-'));
    for (const file of MODULE_FILES.filter((path) => path.startsWith('variables'))) copyFileSync(join(MODULE_DIR, file), join(workDir, file));
    writeFileSync(join(workDir, 'base.auto.tfvars'), BASE_VALUES);
    execFileSync(TERRAFORM, ['init', '-backend=false', '-input=false', '-no-color'], { cwd: workDir, stdio: 'pipe', env: TERRAFORM_ENV });
  });

  afterAll(() => {
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });

  /** Runs `terraform plan` with `-var name=value` for each entry (and an optional extra tfvars text); returns whether it passed and what it printed. */
  function plan(values: Record<string, string>, tfvars?: string): { ok: boolean; output: string } {
    const args = ['plan', '-input=false', '-no-color', '-lock=false', ...Object.entries(values).flatMap(([name, value]) => ['-var', `${name}=${value}`])];
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

  withTerraform('accepts the defaults and the four AWS tunnels of the example', () => {
    expect(plan({}).ok).toBe(true);
    const withTunnels = plan({ aws_vpn_tunnels: FOUR_TUNNELS, aws_vpn_shared_keys: FOUR_KEYS, 'gpu_spot_pool': '{ spot_max_price = 0.35 }' });
    expect(withTunnels).toMatchObject({ ok: true });
  });

  withTerraform('accepts the tunnels of examples/default/terraform.tfvars.example with the default APIPA addresses', () => {
    const example = readFileSync(join(MODULE_DIR, 'examples', 'default', 'terraform.tfvars.example'), 'utf8');
    const tunnels = /^aws_vpn_tunnels = \[[\s\S]*?^\]$/m.exec(example)?.[0];
    expect(tunnels).toBeDefined();
    expect(plan({ aws_vpn_shared_keys: FOUR_KEYS }, `${tunnels ?? ''}\n`)).toMatchObject({ ok: true });
  });

  const REJECTED: readonly [string, Record<string, string>, string][] = [
    ['a spot_max_price of 0', { gpu_spot_pool: '{ spot_max_price = 0 }' }, 'spot_max_price must be -1'],
    ['a GatewaySubnet smaller than /27', { hub_network: '{ address_space = ["10.100.0.0/16"], subnets = { gateway = "10.100.0.0/28", bastion = "10.100.1.0/27", monitoring = "10.100.2.0/27", dns_inbound = "10.100.3.0/28" } }' }, 'must be /27 or larger'],
    ['a spoke subnet that is not a CIDR', { spoke_network: '{ address_space = ["10.101.0.0/16"], subnets = { aks_system = "10.101.0.0/33", aks_user = "10.101.4.0/22", aks_gpu = "10.101.8.0/22", private_endpoints = "10.101.12.0/24", function_integration = "10.101.13.0/27" } }' }, 'must be valid IPv4 CIDRs'],
    ['a tunnel without a shared key', { aws_vpn_tunnels: `[{ ${TUNNEL}, azure_custom_bgp_addresses = { primary = "169.254.21.2", secondary = "169.254.21.6" } }]` }, 'must have a key for every'],
    ['a custom BGP address the gateway does not have', { aws_vpn_tunnels: `[{ ${TUNNEL}, azure_custom_bgp_addresses = { primary = "169.254.21.9", secondary = "169.254.21.6" } }]`, aws_vpn_shared_keys: '{ "aws-cn0-t1" = "Key_cn0_t1_x" }' }, 'must be taken from vpn_gateway.apipa_addresses'],
    ['an AWS ASN equal to the Azure ASN', { aws_vpn_tunnels: `[{ ${TUNNEL}, aws_bgp_asn = 65515, azure_custom_bgp_addresses = { primary = "169.254.21.2", secondary = "169.254.21.6" } }]`, aws_vpn_shared_keys: '{ "aws-cn0-t1" = "Key_cn0_t1_x" }' }, 'different from vpn_gateway.bgp_asn'],
    ['an IPsec SA lifetime above the AWS maximum', { vpn_ipsec_policy: '{ sa_lifetime_seconds = 27000 }' }, 'between 900 and 3600'],
    ['a storage key in the app settings', { function_app: '{ run_id = "fl-demo-001", extra_app_settings = { AzureWebJobsStorage = "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=y" } }' }, 'must not carry storage keys'],
    ['a 64-character run id (a blob path segment holds 63)', { function_app: `{ run_id = "${'r'.repeat(64)}" }` }, 'must be 1-63'],
    ['a non-GPU size for the Spot pool', { gpu_spot_pool: '{ vm_size = "Standard_D4s_v5" }' }, 'GPU (N-series)'],
    ['a bastion open to nobody in particular', { monitoring: '{ ssh_public_key = "ssh-ed25519 AAAAC3Nza azure-infra", admin_source_cidrs = ["0.0.0.0/0"] }' }, 'must not include 0.0.0.0/0'],
    ['a signing secret shorter than 32 characters', { signing_secret: 'short' }, 'at least 32 characters'],
  ];

  withTerraform.each(REJECTED)('rejects %s', (_name, values, message) => {
    const result = plan(values);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(message);
  });
});
