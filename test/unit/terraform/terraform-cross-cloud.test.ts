import { EXAMPLE_FILES, MODULE_FILES, TerraformModule, asObject, single, stringAt } from './support/terraform-module';

/**
 * What joins the two clouds: the signing key both sides share, the names AWS resolves through the DNS Private
 * Resolver (function app, Blob, the aggregator's fixed address), the EKS trainers' Entra federation, the Key Vault CSI
 * driver that hands the key to the pods, and the outputs the AWS side and the chart are wired from.
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

describe('signing key in Key Vault', () => {
  it('writes the key as a write-only value, never in the stored body', () => {
    const secret = tf.resource('azapi_resource', 'signing_secret');
    expect(secret.type).toMatch(/^Microsoft\.KeyVault\/vaults\/secrets@/);
    expect(JSON.stringify(secret.body)).not.toContain('signing_secret');
    expect(secret.sensitive_body).toStrictEqual({ properties: { value: '${var.signing_secret}' } });
  });

  it('pushes a new key on the next apply without anyone bumping a version: the version follows the key', () => {
    const version = asObject(tf.resource('azapi_resource', 'signing_secret').sensitive_body_version, 'sensitive_body_version')['properties.value'];
    expect(tf.throughLocal(version)).toBe('${coalesce(var.signing_secret_version, sha256(var.signing_secret))}');
    expect(tf.variable('signing_secret_version').default).toBeNull();
  });

  it('leaves the version to the module in the example, which only passes the key', () => {
    const module = tf.exampleModule();
    expect(module.signing_secret).toBe('${var.signing_secret}');
    expect(module.signing_secret_version).toBeUndefined();
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
  it('runs the add-on with secret rotation and lets its identity read the vault', () => {
    const provider = single(tf.resource('azurerm_kubernetes_cluster', 'this').key_vault_secrets_provider, 'key_vault_secrets_provider');
    expect(provider.secret_rotation_enabled).toBe(true);
    expect(tf.resource('azurerm_role_assignment', 'key_vault_csi')).toMatchObject({
      scope: '${azurerm_key_vault.this.id}',
      role_definition_name: 'Key Vault Secrets User',
      principal_id: '${azurerm_kubernetes_cluster.this.key_vault_secrets_provider[0].secret_identity[0].object_id}',
    });
  });

  it('outputs what a SecretProviderClass needs: tenant, vault, the add-on client id and the secret name', () => {
    expect(output('key_vault_csi').value).toStrictEqual({
      tenant_id: '${data.azurerm_client_config.current.tenant_id}',
      key_vault_name: '${azurerm_key_vault.this.name}',
      client_id: '${azurerm_kubernetes_cluster.this.key_vault_secrets_provider[0].secret_identity[0].client_id}',
      signing_secret_name: '${var.key_vault.signing_secret_name}',
    });
    expect(stringAt(output('tenant_id'), 'value')).toBe('${data.azurerm_client_config.current.tenant_id}');
  });
});
