import { EXAMPLE_FILES, MODULE_FILES, TerraformModule, asObject, single, stringAt } from './support/terraform-module';

/**
 * What joins the two clouds: the key rings both sides share (signal and trainer, one Key Vault secret each, each
 * readable only by who needs it), the names AWS resolves through the DNS Private Resolver (function app, Blob, the
 * aggregator's fixed address), the EKS trainers' Entra federation, the Key Vault CSI driver that hands the rings to
 * the pods, and the outputs the AWS side and the chart are wired from.
 */

jest.setTimeout(60_000);

let tf: TerraformModule;

beforeAll(async () => {
  tf = await TerraformModule.load();
});

function output(name: string) {
  const found = tf.namedBlocks(MODULE_FILES, 'output').get(name);
  if (found === undefined) throw new Error(`no output ${name}`);
  return found;
}

describe('key rings in Key Vault (one secret per purpose, protocol/keys.ts)', () => {
  it('keeps one secret per key ring Azure holds, signal and trainer, under their own names', () => {
    const ring = tf.resource('azapi_resource', 'key_ring');
    expect(ring).toMatchObject({ type: expect.stringMatching(/^Microsoft\.KeyVault\/vaults\/secrets@/), for_each: '${local.key_ring_secret_names}', name: '${each.value}', parent_id: '${azurerm_key_vault.this.id}' });
    expect(tf.local('key_ring_secret_names')).toStrictEqual({ signal: '${var.key_vault.signal_keys_secret_name}', trainer: '${var.key_vault.trainer_keys_secret_name}' });
    expect(tf.typeOf('key_vault')).toContain('signal_keys_secret_name = optional(string, "spoton-signal-keys")');
    expect(tf.typeOf('key_vault')).toContain('trainer_keys_secret_name = optional(string, "spoton-trainer-keys")');
    expect(tf.typeOf('key_vault')).not.toContain('signing_secret_name');
    expect(tf.resources().has('azapi_resource.signing_secret')).toBe(false);
  });

  it('writes each ring as a write-only value, never in the stored body, and drives for_each by names only', () => {
    const ring = tf.resource('azapi_resource', 'key_ring');
    expect(JSON.stringify(ring.body)).not.toMatch(/_keys|each\.key/);
    expect(ring.sensitive_body).toStrictEqual({ properties: { value: '${local.key_ring_values[each.key]}' } });
    expect(tf.local('key_ring_values')).toStrictEqual({ signal: '${var.signal_keys}', trainer: '${var.trainer_keys}' });
    // A for_each map holding the sensitive rings would be refused by terraform; the names map holds none.
    expect(JSON.stringify(tf.local('key_ring_secret_names'))).not.toMatch(/var\.(signal|trainer)_keys\b/);
  });

  it('pushes a new ring on the next apply without anyone bumping a version: each version follows its own ring', () => {
    const version = asObject(tf.resource('azapi_resource', 'key_ring').sensitive_body_version, 'sensitive_body_version')['properties.value'];
    expect(version).toBe('${local.key_ring_versions[each.key]}');
    expect(tf.local('key_ring_versions')).toStrictEqual({
      signal: '${coalesce(var.signal_keys_version, sha256(var.signal_keys))}',
      trainer: '${coalesce(var.trainer_keys_version, sha256(var.trainer_keys))}',
    });
    expect(tf.variable('signal_keys_version').default).toBeNull();
    expect(tf.variable('trainer_keys_version').default).toBeNull();
  });

  it('forgets the old single signing secret instead of destroying it (ARM refuses to delete a vault secret)', () => {
    expect(tf.section(['moved.tf'], 'removed')).toStrictEqual([{ from: '${azapi_resource.signing_secret}', lifecycle: [{ destroy: false }] }]);
    expect(tf.section(['moved.tf'], 'moved').map((body) => body.from)).not.toContain('${azapi_resource.signing_secret}');
  });

  it('leaves the versions to the module in the example, which passes both rings from its own sensitive variables', () => {
    const module = tf.exampleModule();
    expect(module).toMatchObject({ signal_keys: '${var.signal_keys}', trainer_keys: '${var.trainer_keys}' });
    expect(module.signal_keys_version).toBeUndefined();
    expect(module.trainer_keys_version).toBeUndefined();
    expect(module.signing_secret).toBeUndefined();
  });
});

describe('aggregator address and cross-cloud DNS', () => {
  it('names the aggregator in a private zone linked to both VNets, pointing at its fixed address', () => {
    expect(asObject(tf.local('private_dns_zones'), 'private_dns_zones').aggregator).toBe('${var.aggregator.dns_zone_name}');
    expect(String(tf.local('private_dns_zone_links'))).toContain('!(pair[0] == "aks" && pair[1] == "spoke")');
    expect(tf.resource('azurerm_private_dns_a_record', 'aggregator')).toMatchObject({
      name: '${var.aggregator.dns_record_name}',
      zone_name: '${azurerm_private_dns_zone.this["aggregator"].name}',
      records: ['${local.aggregator_private_ip}'],
    });
    expect(tf.local('aggregator_fqdn')).toBe('${var.aggregator.dns_record_name}.${var.aggregator.dns_zone_name}');
    expect(tf.typeOf('aggregator')).toContain('dns_zone_name = optional(string, "spot-on.internal")');
  });

  it('fixes the address in the userpool subnet, validated against that subnet, and pins the AWS NSG rule to it', () => {
    expect(tf.local('aggregator_private_ip')).toBe('${coalesce(var.aggregator.private_ip, cidrhost(var.spoke_network.subnets.aks_user, -2))}');
    const conditions = tf.validationConditions(tf.variable('aggregator')).join('\n');
    expect(conditions).toContain('var.spoke_network.subnets.aks_user');
    expect(conditions).toContain('contains(var.aws_ingress_ports, var.aggregator.port)');
    const rules = asObject(tf.local('nsg_rules'), 'nsg_rules');
    expect(rules.aks_user).toBe('${local.aws_to_aggregator_rules}');
    expect(rules.aks_system).toStrictEqual([]);
    const rule = asObject((tf.local('aws_to_aggregator_rules') as unknown[])[0], 'aggregator rule');
    expect(rule.destination_address_prefix).toBe('${local.aggregator_private_ip}');
  });

  it('hands the chart the Service annotations that put the internal load balancer on exactly that address', () => {
    const value = asObject(output('aggregator').value, 'aggregator output');
    expect(value).toMatchObject({ private_ip: '${local.aggregator_private_ip}', fqdn: '${local.aggregator_fqdn}', url: 'http://${local.aggregator_fqdn}:${var.aggregator.port}' });
    expect(value.service_annotations).toStrictEqual({
      'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
      'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': '${azurerm_subnet.aks["user"].name}',
      'service.beta.kubernetes.io/azure-load-balancer-ipv4': '${local.aggregator_private_ip}',
    });
  });

  it('tells AWS which zones to forward (function app, Blob, aggregator) and to which resolver address', () => {
    expect(tf.local('aws_forwarded_zones')).toBe('${[for key in ["sites", "blob", "aggregator"] : local.private_dns_zones[key]]}');
    const forwarding = asObject(output('aws_dns_forwarding').value, 'aws_dns_forwarding');
    expect(forwarding.domains).toBe('${local.aws_forwarded_zones}');
    expect(String(forwarding.target_ips)).toContain('azurerm_private_dns_resolver_inbound_endpoint.this[0].ip_configurations[0].private_ip_address');
    expect(output('dns_resolver_inbound_ip').value).toBe('${var.dns_resolver_enabled ? azurerm_private_dns_resolver_inbound_endpoint.this[0].ip_configurations[0].private_ip_address : null}');
    expect(tf.resource('azurerm_private_dns_resolver', 'this').virtual_network_id).toBe('${azurerm_virtual_network.hub.id}');
  });

  it('outputs the signals URL the AWS signal Lambda posts to', () => {
    expect(output('function_app_signals_url').value).toBe('https://${azurerm_function_app_flex_consumption.this.default_hostname}/api/signals');
  });

  it('re-exports from the example everything the AWS side is wired from (`terraform output -json` of examples/default)', () => {
    const exported = tf.namedBlocks(EXAMPLE_FILES, 'output');
    for (const name of ['aws_vpn_config', 'function_app_signals_url', 'aws_dns_forwarding', 'dns_resolver_inbound_ip', 'aggregator']) {
      expect({ name, value: exported.get(name)?.value }).toStrictEqual({ name, value: `\${module.spot_on_azure.${name}}` });
    }
  });
});

describe('training data', () => {
  it('outputs the container the AKS chart\'s data.url names, from the module and the example', () => {
    expect(output('training_data_container').value).toBe('${azurerm_storage_container.training_data.name}');
    expect(tf.namedBlocks(EXAMPLE_FILES, 'output').get('training_data_container')?.value).toBe('${module.spot_on_azure.training_data_container}');
  });
});

describe('EKS trainers and Entra ID', () => {
  it('adds a second federated credential, for the EKS issuer and the same service account, only when the issuer is set', () => {
    const eks = tf.resource('azurerm_federated_identity_credential', 'workload_eks');
    const aks = tf.resource('azurerm_federated_identity_credential', 'workload');
    expect(eks).toMatchObject({ for_each: '${local.eks_federated_workloads}', issuer: '${var.eks_federation.oidc_issuer_url}', audience: ['api://AzureADTokenExchange'] });
    expect(eks.subject).toBe(aks.subject);
    expect(eks.name).not.toBe(aks.name);
    expect(String(tf.local('eks_federated_workloads'))).toMatch(/^\$\{var\.eks_federation\.oidc_issuer_url == null \? \{\} :/);
    expect(tf.typeOf('eks_federation')).toContain('oidc_issuer_url = optional(string)');
    expect(tf.typeOf('eks_federation')).toContain('workloads = optional(set(string), ["trainer"])');
    expect(tf.exampleModule().eks_federation).toStrictEqual({ oidc_issuer_url: '${var.eks_oidc_issuer_url}' });
  });
});

describe('Key Vault CSI driver on AKS', () => {
  it('runs the add-on with secret rotation and lets its identity read the two key ring secrets, not the whole vault', () => {
    const provider = single(tf.resource('azurerm_kubernetes_cluster', 'this').key_vault_secrets_provider, 'key_vault_secrets_provider');
    expect(provider.secret_rotation_enabled).toBe(true);
    expect(provider.secret_rotation_interval).toBe('2m');
    expect(tf.resource('azurerm_role_assignment', 'key_vault_csi')).toMatchObject({
      for_each: '${local.key_ring_scopes}',
      scope: '${each.value}',
      role_definition_name: 'Key Vault Secrets User',
      principal_id: '${azurerm_kubernetes_cluster.this.key_vault_secrets_provider[0].secret_identity[0].object_id}',
    });
  });

  it('outputs what a SecretProviderClass needs: tenant, vault, the add-on client id and both key ring secret names', () => {
    expect(output('key_vault_csi').value).toStrictEqual({
      tenant_id: '${data.azurerm_client_config.current.tenant_id}',
      key_vault_name: '${azurerm_key_vault.this.name}',
      client_id: '${azurerm_kubernetes_cluster.this.key_vault_secrets_provider[0].secret_identity[0].client_id}',
      signal_keys_secret_name: '${var.key_vault.signal_keys_secret_name}',
      trainer_keys_secret_name: '${var.key_vault.trainer_keys_secret_name}',
    });
    expect(stringAt(output('tenant_id'), 'value')).toBe('${data.azurerm_client_config.current.tenant_id}');
    expect(tf.namedBlocks(EXAMPLE_FILES, 'output').get('key_vault_csi')?.value).toBe('${module.spot_on_azure.key_vault_csi}');
  });

  it('outputs the signal ring\'s versionless URI under its new name only', () => {
    expect(output('signal_keys_secret_uri').value).toBe('${local.signal_keys_secret_uri}');
    expect(tf.namedBlocks(MODULE_FILES, 'output').has('signing_secret_uri')).toBe(false);
  });
});

describe('who may read which key ring (least privilege, each grant on one secret)', () => {
  it('builds secret-level scopes from the secrets themselves, so a role is assigned only once its secret exists', () => {
    expect(tf.local('key_ring_scopes')).toBe('${{ for purpose, secret in azapi_resource.key_ring : purpose => "${azurerm_key_vault.this.id}/secrets/${secret.name}" }}');
  });

  it('assigns Key Vault Secrets User on no vault-wide scope anywhere', () => {
    const rbac = tf.source('main.rbac.tf');
    expect(rbac).not.toMatch(/scope\s*=\s*azurerm_key_vault\.this\.id\b/);
    const scopes = [...tf.resourcesOfType('azurerm_role_assignment').values()].map((assignment) => assignment.scope);
    expect(scopes).not.toContain('${azurerm_key_vault.this.id}');
  });

  it('gives the aggregator identity both rings and the trainer identity the trainer ring only, by default', () => {
    const workloads = asObject(tf.variable('fl_workloads').default, 'fl_workloads default');
    expect(asObject(workloads.aggregator, 'aggregator').key_vault_secrets).toStrictEqual(['signal', 'trainer']);
    expect(asObject(workloads.trainer, 'trainer').key_vault_secrets).toStrictEqual(['trainer']);
    expect(tf.typeOf('fl_workloads')).toContain('key_vault_secrets = optional(set(string), [])');
    const roles = String(tf.local('workload_roles'));
    expect(roles).toContain('for purpose in workload.key_vault_secrets : "${name}-${purpose}-keys"');
    expect(roles).toContain('scope    = local.key_ring_scopes[purpose]');
    expect(roles).not.toContain('azurerm_key_vault.this.id');
    expect(tf.validationConditions(tf.variable('fl_workloads')).join('\n')).toContain('contains(["signal", "trainer"], purpose)');
  });
});
