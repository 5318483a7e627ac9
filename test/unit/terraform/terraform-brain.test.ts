import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../azure-functions/src/config';
import { EXAMPLE_FILES, MODULE_FILES, ROOT, TerraformModule, asObject, single, stringAt, stringList } from './support/terraform-module';

/**
 * The failover brain on Azure: the Function App, the settings Terraform writes for it, checked against what the
 * functions' own config module and bindings require, and the roles its identity gets.
 */

jest.setTimeout(60_000);

const FUNCTIONS_SRC = join(ROOT, 'azure-functions', 'src');

let tf: TerraformModule;

beforeAll(async () => {
  tf = await TerraformModule.load();
});

/** The settings loadConfig cannot do without: the ones its ConfigError names for an empty environment. */
function settingsTheConfigRequires(): string[] {
  try {
    loadConfig({});
  } catch (error) {
    if (error instanceof ConfigError) return [...error.settings];
    throw error;
  }
  throw new Error('loadConfig accepted an empty environment');
}

/** Every SPOTON_* name the config module mentions: the settings it can read at all. */
function settingsTheConfigKnows(): Set<string> {
  const source = readFileSync(join(FUNCTIONS_SRC, 'config.ts'), 'utf8');
  return new Set([...source.matchAll(/\b(SPOTON_[A-Z0-9_]+)\b/g)].map((match) => match[1] ?? ''));
}

/** What the trigger bindings read from app settings: `%NAME%` expressions and `connection` names. */
function bindingSettings(): { expressions: string[]; connections: string[] } {
  const dir = join(FUNCTIONS_SRC, 'functions');
  const source = readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n');
  return {
    expressions: [...source.matchAll(/'%([A-Za-z0-9_]+)%'/g)].map((match) => match[1] ?? ''),
    connections: [...source.matchAll(/connection:\s*'([A-Za-z0-9_]+)'/g)].map((match) => match[1] ?? ''),
  };
}

function baseSettings(): Record<string, unknown> {
  return { ...asObject(tf.local('function_app_base_settings'), 'function_app_base_settings') };
}

function customRoleActions(): string[] {
  return stringList(single(tf.resource('azurerm_role_definition', 'gpu_pool_operator').permissions, 'permissions').actions, 'actions');
}

describe('function app', () => {
  it('is a Flex Consumption Node 22 app with a managed identity, VNet integration and no public endpoint', () => {
    const app = tf.resource('azurerm_function_app_flex_consumption', 'this');
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
    expect(tf.resource('azurerm_service_plan', 'functions').sku_name).toBe('FC1');
    expect(tf.typeOf('function_app')).toContain('runtime_version = optional(string, "22")');
  });

  it('writes every setting the functions config requires (read from azure-functions/src/config.ts itself)', () => {
    const required = settingsTheConfigRequires();
    expect(required).toContain('SPOTON_RUN_ID');
    expect(required.filter((name) => !(name in baseSettings()))).toStrictEqual([]);
  });

  it('writes what production needs beyond the required minimum: the storage account for identity auth, and the API server with its CA because the custom role cannot list cluster credentials', () => {
    const settings = baseSettings();
    const discoveryAllowed = customRoleActions().includes('Microsoft.ContainerService/managedClusters/listClusterUserCredential/action');
    const needed = ['SPOTON_STORAGE_ACCOUNT', ...(discoveryAllowed ? [] : ['SPOTON_KUBERNETES_ENDPOINT', 'SPOTON_KUBERNETES_CA'])];
    expect(needed.filter((name) => !(name in settings))).toStrictEqual([]);
    expect(settings.SPOTON_KUBERNETES_ENDPOINT).toBe('https://${local.kubernetes_api_host}:443');
    expect(tf.local('kubernetes_api_host')).toBe('${var.aks.private_cluster_enabled ? azurerm_kubernetes_cluster.this.private_fqdn : azurerm_kubernetes_cluster.this.fqdn}');
    expect(settings.SPOTON_KUBERNETES_CA).toBe('${nonsensitive(azurerm_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate)}');
    expect(settings.SPOTON_TRAINER_DEPLOYMENT).toBe('${var.function_app.trainer_deployment}');
    expect(tf.typeOf('function_app')).toContain('trainer_deployment = optional(string, "fl-trainer")');
  });

  it('names both GPU pools the brain scales: Spot, and on-demand for the deadline safety net (also as outputs)', () => {
    const settings = baseSettings();
    expect([settings.SPOTON_GPU_POOL_NAME, settings.SPOTON_ON_DEMAND_POOL_NAME]).toStrictEqual([
      '${azurerm_kubernetes_cluster_node_pool.gpu_spot.name}',
      '${azurerm_kubernetes_cluster_node_pool.gpu_on_demand.name}',
    ]);
    const outputs = tf.namedBlocks(MODULE_FILES, 'output');
    expect([outputs.get('gpu_pool_name')?.value, outputs.get('gpu_on_demand_pool_name')?.value]).toStrictEqual([settings.SPOTON_GPU_POOL_NAME, settings.SPOTON_ON_DEMAND_POOL_NAME]);
    // A local .settings.json made from the example's outputs gets the safety net too.
    const local = asObject(tf.namedBlocks(EXAMPLE_FILES, 'output').get('function_app_settings_for_local_runs')?.value, 'function_app_settings_for_local_runs');
    expect(local.SPOTON_ON_DEMAND_POOL_NAME).toBe('${module.spot_on_azure.gpu_on_demand_pool_name}');
  });

  it('writes only settings the functions know (no misspelt SPOTON_* name that the config would silently ignore)', () => {
    const known = settingsTheConfigKnows();
    expect(known.size).toBeGreaterThan(10);
    const written = Object.keys(baseSettings()).filter((name) => name.startsWith('SPOTON_'));
    expect(written.filter((name) => !known.has(name))).toStrictEqual([]);
  });

  it('writes the settings the trigger bindings read, with the identity-based AzureWebJobsStorage__accountName form', () => {
    const settings = baseSettings();
    const { expressions, connections } = bindingSettings();
    expect(expressions).toContain('SPOTON_CONTINUATION_QUEUE');
    expect(expressions.filter((name) => !(name in settings))).toStrictEqual([]);
    expect(connections).toContain('AzureWebJobsStorage');
    for (const connection of connections) {
      expect(settings).toMatchObject({ [`${connection}__accountName`]: '${azurerm_storage_account.this.name}', [`${connection}__credential`]: 'managedidentity' });
      expect(Object.keys(settings).filter((name) => name.startsWith(`${connection}__`) && name.endsWith('ServiceUri'))).toStrictEqual([]);
    }
  });

  it('reads the signal key ring, and only that ring, through a versionless Key Vault reference', () => {
    const settings = baseSettings();
    expect(stringAt(settings, 'SPOTON_SIGNAL_KEYS')).toBe('@Microsoft.KeyVault(SecretUri=${local.signal_keys_secret_uri})');
    expect(tf.local('signal_keys_secret_uri')).toBe('${azurerm_key_vault.this.vault_uri}secrets/${azapi_resource.key_ring["signal"].name}');
    expect(Object.keys(settings)).not.toContain('SPOTON_SIGNING_SECRET');
    expect(Object.keys(settings)).not.toContain('SPOTON_TRAINER_KEYS');
    expect(JSON.stringify(settings)).not.toMatch(/trainer_keys|key_ring\["trainer"\]/);
  });

  it('writes the settings again once the app holds its roles, so the Key Vault reference can resolve at once', () => {
    expect(tf.resource('azapi_update_resource', 'function_app_settings').depends_on).toStrictEqual(['${azurerm_role_assignment.function_app}']);
  });

  it('carries no storage key or connection string anywhere in its settings', () => {
    const settings = baseSettings();
    expect(Object.keys(settings)).not.toContain('AzureWebJobsStorage');
    expect(Object.keys(settings)).not.toContain('DEPLOYMENT_STORAGE_CONNECTION_STRING');
    expect(tf.source('main.functions.tf')).not.toMatch(/primary_access_key|primary_connection_string|AccountKey=/);
    const rewrite = tf.resource('azapi_update_resource', 'function_app_settings');
    expect(rewrite).toMatchObject({ type: 'Microsoft.Web/sites/config@2024-04-01', name: 'appsettings' });
    expect(single(rewrite.lifecycle, 'lifecycle').replace_triggered_by).toStrictEqual(['${azurerm_function_app_flex_consumption.this}']);
  });
});

describe('traces: OTEL_EXPORTER_OTLP_ENDPOINT, off by default', () => {
  it('declares otlp_endpoint as an optional string, null by default, validated as an http(s) base URL', () => {
    const variable = tf.variable('otlp_endpoint');
    expect(tf.typeOf('otlp_endpoint')).toBe('${string}');
    expect(variable.default).toBeNull();
    expect(variable.nullable).toBeUndefined();
    expect(String(variable.description)).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    const conditions = tf.validationConditions(variable).join('\n');
    expect(conditions).toContain('var.otlp_endpoint == null || can(regex("^https?://');
    expect(conditions).toContain('/v1/traces/?$');
  });

  it('writes the setting only through the tracing local, which is empty when otlp_endpoint is null', () => {
    expect(Object.keys(baseSettings()).filter((name) => name.startsWith('OTEL_'))).toStrictEqual([]);
    expect(tf.local('function_app_tracing_settings')).toBe('${var.otlp_endpoint == null ? {} : {\n    OTEL_EXPORTER_OTLP_ENDPOINT = var.otlp_endpoint\n  }}');
    // extra_app_settings stay last (an operator's explicit setting wins), and the validation refuses both at once.
    expect(tf.local('function_app_settings')).toBe('${merge(local.function_app_base_settings, local.function_app_tracing_settings, var.function_app.extra_app_settings)}');
    expect(tf.validationConditions(tf.variable('otlp_endpoint')).join('\n')).toContain('!contains(keys(var.function_app.extra_app_settings), "OTEL_EXPORTER_OTLP_ENDPOINT")');
  });

  it('reaches both writers of the app settings: the function app and the settings rewrite', () => {
    expect(tf.resource('azurerm_function_app_flex_consumption', 'this').app_settings).toBe('${local.function_app_settings}');
    const body = asObject(tf.resource('azapi_update_resource', 'function_app_settings').body, 'body');
    expect(String(body.properties)).toMatch(/^\$\{merge\(local\.function_app_settings, \{/);
  });

  it('lets the example pass otlp_endpoint through, null unless the operator sets it', () => {
    expect(tf.exampleModule().otlp_endpoint).toBe('${var.otlp_endpoint}');
    const variable = tf.namedBlocks(['examples/default/variables.tf'], 'variable').get('otlp_endpoint');
    expect(variable?.default).toBeNull();
    expect(variable?.type).toBe('${string}');
  });
});

describe('role assignments', () => {
  it('grants the function app storage, queue, the signal key ring, telemetry and a namespace-scoped Kubernetes data-plane role', () => {
    expect(asObject(tf.local('function_data_roles'), 'function_data_roles')).toStrictEqual({
      blob: { scope: '${azurerm_storage_account.this.id}', role: 'Storage Blob Data Contributor' },
      queue: { scope: '${azurerm_storage_account.this.id}', role: 'Storage Queue Data Contributor' },
      // The signal key ring's secret only: never the vault, never the trainer ring.
      signal_keys: { scope: '${local.key_ring_scopes["signal"]}', role: 'Key Vault Secrets User' },
      telemetry: { scope: '${azurerm_application_insights.functions.id}', role: 'Monitoring Metrics Publisher' },
      // Scaling the trainer Deployment is a Kubernetes call; with Azure RBAC for Kubernetes it needs this role.
      trainer_namespace: {
        scope: '${azurerm_kubernetes_cluster.this.id}/namespaces/${var.aks.trainer_namespace}',
        role: 'Azure Kubernetes Service RBAC Writer',
      },
    });
    const assignment = tf.resource('azurerm_role_assignment', 'function_app');
    expect(assignment).toMatchObject({ for_each: '${local.function_data_roles}', principal_id: '${local.function_principal_id}', principal_type: 'ServicePrincipal' });
    expect(tf.local('function_principal_id')).toBe('${azurerm_function_app_flex_consumption.this.identity[0].principal_id}');
    // The namespace the role covers is the one the brain is told to scale in.
    expect(baseSettings().SPOTON_TRAINER_NAMESPACE).toBe('${var.aks.trainer_namespace}');
  });

  it('lets the function app scale agent pools on the cluster only, with the built-in AKS role as the explicit alternative', () => {
    const actions = customRoleActions();
    expect(actions).toContain('Microsoft.ContainerService/managedClusters/agentPools/write');
    expect(actions).not.toContain('Microsoft.ContainerService/managedClusters/write');
    expect(actions.every((action) => action.startsWith('Microsoft.ContainerService/'))).toBe(true);
    const assignment = tf.resource('azurerm_role_assignment', 'function_app_gpu_pool');
    expect(assignment.scope).toBe('${azurerm_kubernetes_cluster.this.id}');
    // Cluster scope covers every agent pool of it: both GPU pools the brain scales are in this cluster.
    for (const pool of ['gpu_spot', 'gpu_on_demand']) {
      expect([pool, tf.resource('azurerm_kubernetes_cluster_node_pool', pool).kubernetes_cluster_id]).toStrictEqual([pool, assignment.scope]);
    }
    expect(assignment.role_definition_name).toBe('${var.function_app.aks_role == "custom" ? null : "Azure Kubernetes Service Contributor Role"}');
    expect(tf.typeOf('function_app')).toContain('aks_role = optional(string, "custom")');
  });

  it('gives the kubelet identity AcrPull on the registry', () => {
    expect(tf.resource('azurerm_role_assignment', 'aks_acr_pull')).toMatchObject({
      scope: '${azurerm_container_registry.this.id}',
      role_definition_name: 'AcrPull',
      principal_id: '${azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id}',
    });
  });

  it('states the principal type of every assignment: ServicePrincipal for managed identities, Group for the admin groups', () => {
    for (const [name, assignment] of tf.resourcesOfType('azurerm_role_assignment')) {
      const expected = name === 'aks_admin_cluster_user' ? 'Group' : 'ServicePrincipal';
      expect({ name, principal_type: assignment.principal_type }).toStrictEqual({ name, principal_type: expected });
    }
    expect(tf.resource('azurerm_role_assignment', 'monitoring_vm').principal_id).toBe('${azurerm_linux_virtual_machine.this["monitoring"].identity[0].principal_id}');
  });
});
