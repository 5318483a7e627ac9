import { EXAMPLE_FILES, MODULE_FILES, TerraformModule, asObject, blocks, single, stringList } from './support/terraform-module';

/**
 * The resources of the Azure Terraform, one concern at a time: network, VPN, AKS, storage, registry, Key Vault,
 * private endpoints, monitoring, outputs. What matters is what the design needs from each (no shared keys, no public
 * endpoints, Spot GPU pool from zero, Azure RBAC), asserted on the parsed HCL.
 */

jest.setTimeout(60_000);

let tf: TerraformModule;

beforeAll(async () => {
  tf = await TerraformModule.load();
});

describe('network', () => {
  it('delegates the function integration subnet to Microsoft.App/environments', () => {
    const delegation = single(tf.resource('azurerm_subnet', 'function_integration').delegation, 'delegation');
    expect(single(delegation.service_delegation, 'service_delegation').name).toBe('Microsoft.App/environments');
  });

  it('puts the VPN gateway in GatewaySubnet and the DNS inbound endpoint in a dnsResolvers subnet', () => {
    expect(tf.resource('azurerm_subnet', 'gateway').name).toBe('GatewaySubnet');
    const delegation = single(tf.resource('azurerm_subnet', 'dns_inbound').delegation, 'delegation');
    expect(single(delegation.service_delegation, 'service_delegation').name).toBe('Microsoft.Network/dnsResolvers');
    const endpoint = tf.resource('azurerm_private_dns_resolver_inbound_endpoint', 'this');
    expect(single(endpoint.ip_configurations, 'ip_configurations').subnet_id).toBe('${azurerm_subnet.dns_inbound.id}');
  });

  it('peers hub and spoke both ways with gateway transit from the hub', () => {
    const hub = tf.resource('azurerm_virtual_network_peering', 'hub_to_spoke');
    const spoke = tf.resource('azurerm_virtual_network_peering', 'spoke_to_hub');
    expect(hub).toMatchObject({ name: 'hub-to-spoke-aks', allow_gateway_transit: true, use_remote_gateways: false, allow_forwarded_traffic: true });
    expect(hub.virtual_network_name).toBe('${azurerm_virtual_network.hub.name}');
    expect(spoke).toMatchObject({ allow_gateway_transit: false, use_remote_gateways: true, allow_forwarded_traffic: true });
    expect(spoke.virtual_network_name).toBe('${azurerm_virtual_network.spoke.name}');
    expect(spoke.depends_on).toContain('${azurerm_virtual_network_gateway.this}');
  });

  it('links every privatelink zone (blob, queue, vault, registry, sites) to both VNets', () => {
    expect(asObject(tf.local('private_dns_zones'), 'private_dns_zones')).toMatchObject({
      blob: 'privatelink.blob.core.windows.net',
      queue: 'privatelink.queue.core.windows.net',
      vault: 'privatelink.vaultcore.azure.net',
      registry: 'privatelink.azurecr.io',
      sites: 'privatelink.azurewebsites.net',
    });
    expect(Object.keys(asObject(tf.local('virtual_network_ids'), 'virtual_network_ids'))).toStrictEqual(['hub', 'spoke']);
    expect(tf.resource('azurerm_private_dns_zone_virtual_network_link', 'this').for_each).toBe('${local.private_dns_zone_links}');
    expect(String(tf.local('private_dns_zone_links'))).toContain('setproduct(keys(local.private_dns_zones), keys(local.virtual_network_ids))');
  });

  it('gives every subnet except GatewaySubnet an NSG, and opens only AWS and admin paths', () => {
    const associated = Object.keys(asObject(tf.local('nsg_subnet_ids'), 'nsg_subnet_ids')).sort();
    expect(associated).toStrictEqual(['aks_gpu', 'aks_system', 'aks_user', 'bastion', 'dns_inbound', 'function_integration', 'monitoring', 'private_endpoints']);
    const rules = asObject(tf.local('nsg_rules'), 'nsg_rules');
    expect(Object.keys(rules).sort()).toStrictEqual(associated);
    const privateEndpointRule = asObject((rules.private_endpoints as unknown[])[0], 'private endpoint rule');
    expect(privateEndpointRule).toMatchObject({ source_address_prefixes: '${var.aws_vpc_cidrs}', destination_port_ranges: ['443'] });
    const securityRule = single(asObject(tf.resource('azurerm_network_security_group', 'this').dynamic, 'dynamic').security_rule, 'security_rule');
    expect(single(securityRule.content, 'content')).toMatchObject({ direction: 'Inbound', access: 'Allow' });
  });
});

describe('VPN to AWS', () => {
  it('builds a route-based, active-active gateway with BGP and two public IPs', () => {
    const gateway = tf.resource('azurerm_virtual_network_gateway', 'this');
    expect(gateway).toMatchObject({ type: 'Vpn', vpn_type: 'RouteBased', active_active: true, bgp_enabled: true });
    expect(blocks(gateway.ip_configuration, 'ip_configuration').map((config) => config.public_ip_address_id)).toStrictEqual([
      '${azurerm_public_ip.vpn_gateway["primary"].id}',
      '${azurerm_public_ip.vpn_gateway["secondary"].id}',
    ]);
    const bgp = single(gateway.bgp_settings, 'bgp_settings');
    expect(bgp.asn).toBe('${var.vpn_gateway.bgp_asn}');
    expect(blocks(bgp.peering_addresses, 'peering_addresses')).toHaveLength(2);
    expect(tf.resource('azurerm_public_ip', 'vpn_gateway')).toMatchObject({ sku: 'Standard', allocation_method: 'Static' });
  });

  it('connects every AWS tunnel with IKEv2, BGP, its own pre-shared key and a PFS IPsec policy', () => {
    const connection = tf.resource('azurerm_virtual_network_gateway_connection', 'aws');
    expect(connection).toMatchObject({ type: 'IPsec', connection_protocol: 'IKEv2', bgp_enabled: true, for_each: '${local.aws_vpn_tunnels}' });
    expect(connection.shared_key).toBe('${var.aws_vpn_shared_keys[each.key]}');
    expect(single(connection.custom_bgp_addresses, 'custom_bgp_addresses').primary).toBe('${each.value.azure_custom_bgp_addresses.primary}');
    const policy = single(connection.ipsec_policy, 'ipsec_policy');
    expect(Object.keys(policy).sort()).toStrictEqual(['dh_group', 'ike_encryption', 'ike_integrity', 'ipsec_encryption', 'ipsec_integrity', 'pfs_group', 'sa_datasize', 'sa_lifetime']);
    expect(tf.typeOf('vpn_ipsec_policy')).toContain('pfs_group = optional(string, "PFS2048")');
    const localGateway = tf.resource('azurerm_local_network_gateway', 'aws');
    expect(single(localGateway.bgp_settings, 'bgp_settings')).toStrictEqual({ asn: '${each.value.aws_bgp_asn}', bgp_peering_address: '${each.value.aws_inside_ip}' });
  });
});

describe('AKS', () => {
  it('restricts the system pool to critical add-ons', () => {
    const cluster = tf.resource('azurerm_kubernetes_cluster', 'this');
    expect(single(cluster.default_node_pool, 'default_node_pool')).toMatchObject({ name: 'system', only_critical_addons_enabled: true });
  });

  it('uses Entra ID with Azure RBAC, no local accounts, OIDC and workload identity', () => {
    const cluster = tf.resource('azurerm_kubernetes_cluster', 'this');
    expect(cluster).toMatchObject({
      local_account_disabled: true,
      role_based_access_control_enabled: true,
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      private_cluster_enabled: '${var.aks.private_cluster_enabled}',
    });
    expect(single(cluster.network_profile, 'network_profile')).toMatchObject({ network_plugin: 'azure', network_plugin_mode: 'overlay' });
    expect(single(cluster.oms_agent, 'oms_agent').log_analytics_workspace_id).toBe('${azurerm_log_analytics_workspace.this.id}');
    expect(tf.typeOf('aks')).toContain('private_cluster_enabled = optional(bool, true)');
  });

  it('can be administered with local accounts off: a required, non-empty admin group list bound to cluster-admin', () => {
    const aad = single(tf.resource('azurerm_kubernetes_cluster', 'this').azure_active_directory_role_based_access_control, 'aad rbac');
    expect(aad).toMatchObject({ azure_rbac_enabled: true, admin_group_object_ids: '${var.aks.admin_group_object_ids}' });
    expect(tf.typeOf('aks')).toMatch(/ admin_group_object_ids = list\(string\) /);
    expect(tf.variable('aks').default).toBeUndefined();
    expect(tf.validationConditions(tf.variable('aks'))).toContain('${length(var.aks.admin_group_object_ids) > 0}');
    expect(tf.resource('azurerm_role_assignment', 'aks_admin_cluster_user')).toMatchObject({
      for_each: '${toset(var.aks.admin_group_object_ids)}',
      scope: '${azurerm_kubernetes_cluster.this.id}',
      role_definition_name: 'Azure Kubernetes Service Cluster User Role',
      principal_type: 'Group',
    });
    expect(tf.exampleModule().aks).toMatchObject({ admin_group_object_ids: '${var.aks_admin_group_object_ids}' });
  });

  it('makes gpuspot a Spot pool that evicts by deletion, scales from zero and carries the trainer labels and spot taint', () => {
    const pool = tf.resource('azurerm_kubernetes_cluster_node_pool', 'gpu_spot');
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
    expect(tf.typeOf('gpu_spot_pool')).toContain('optional(string, "gpuspot")');
    expect(tf.typeOf('gpu_spot_pool')).toContain('optional(string, "Standard_NC4as_T4_v3")');
  });

  it('makes gpuondemand a regular-priority pool at zero nodes with the trainer label and its own taint (the deadline safety net)', () => {
    const pool = tf.resource('azurerm_kubernetes_cluster_node_pool', 'gpu_on_demand');
    expect(pool).toMatchObject({ name: '${var.gpu_on_demand_pool.name}', mode: 'User', priority: 'Regular', auto_scaling_enabled: true, min_count: 0, node_count: 0, max_count: '${var.gpu_on_demand_pool.max_count}' });
    expect(pool).not.toHaveProperty('spot_max_price');
    expect(pool.node_labels).toStrictEqual({ 'spot-on.io/role': 'trainer', accelerator: 'nvidia', 'spot-on.io/capacity': 'on-demand' });
    expect(String(pool.node_taints)).toContain('"spot-on.io/capacity=on-demand:NoSchedule"');
    expect(tf.typeOf('gpu_on_demand_pool')).toContain('optional(string, "gpuondemand")');
    expect(tf.typeOf('gpu_on_demand_pool')).toContain('vm_size = optional(string, "Standard_NC4as_T4_v3")');
    expect(tf.typeOf('gpu_on_demand_pool')).toContain('max_count = optional(number, 4)');
    // Next to gpuspot: the same cluster and GPU subnet (whose NSG rules the trainers already need), deleted on scale-in.
    const spot = tf.resource('azurerm_kubernetes_cluster_node_pool', 'gpu_spot');
    expect(pool).toMatchObject({ kubernetes_cluster_id: spot.kubernetes_cluster_id, vnet_subnet_id: spot.vnet_subnet_id, scale_down_mode: 'Delete' });
    expect(pool.vnet_subnet_id).toBe('${azurerm_subnet.aks["gpu"].id}');
    // The same acknowledged checkov findings as gpuspot, for the same reasons.
    const source = tf.source('main.aks.tf');
    const skips = (name: string) => {
      const start = source.indexOf(`resource "azurerm_kubernetes_cluster_node_pool" "${name}"`);
      return [...source.slice(start, source.indexOf('\n}', start)).matchAll(/# checkov:skip=.*/g)].map((match) => match[0]);
    };
    expect(skips('gpu_on_demand')).toStrictEqual(skips('gpu_spot'));
    expect(skips('gpu_spot').length).toBeGreaterThan(0);
  });

  it('lets the failover functions own both GPU pools\' counts (ignore_changes on node_count and min_count)', () => {
    for (const name of ['gpu_spot', 'gpu_on_demand']) {
      const lifecycle = single(tf.resource('azurerm_kubernetes_cluster_node_pool', name).lifecycle, 'lifecycle');
      expect(stringList(lifecycle.ignore_changes, 'ignore_changes')).toStrictEqual(['${node_count}', '${min_count}']);
    }
  });

  it('runs the aggregator on userpool and federates workload identities with the cluster issuer', () => {
    expect(tf.resource('azurerm_kubernetes_cluster_node_pool', 'user').node_labels).toStrictEqual({ 'spot-on.io/role': 'aggregator' });
    expect(tf.typeOf('user_node_pool')).toContain('optional(string, "userpool")');
    const credential = tf.resource('azurerm_federated_identity_credential', 'workload');
    expect(credential.issuer).toBe('${azurerm_kubernetes_cluster.this.oidc_issuer_url}');
    expect(credential.subject).toBe('system:serviceaccount:${each.value.namespace}:${each.value.service_account}');
  });
});

describe('storage, registry and key vault', () => {
  it('allows no shared keys, no public network and nothing below TLS 1.2', () => {
    const account = tf.resource('azurerm_storage_account', 'this');
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
    expect(tf.resource('azurerm_storage_container', 'checkpoints')).toMatchObject({ name: '${var.storage.container_name}', container_access_type: 'private' });
    expect(tf.typeOf('storage')).toContain('optional(string, "spot-on")');
    const rules = blocks(tf.resource('azurerm_storage_management_policy', 'this').rule, 'rule');
    const runs = rules.find((rule) => rule.name === 'expire-old-runs');
    expect(single(runs?.filters, 'filters').prefix_match).toStrictEqual(['${var.storage.container_name}/runs/']);
    const baseBlob = single(single(runs?.actions, 'actions').base_blob, 'base_blob');
    expect(baseBlob.delete_after_days_since_modification_greater_than).toBe('${var.storage.runs_retention_days}');
  });

  it('creates the spot-on-data container privately, readable (never writable) by every FL workload, and expires its old versions', () => {
    expect(tf.resource('azurerm_storage_container', 'training_data')).toStrictEqual({
      name: '${var.storage.data_container_name}',
      storage_account_id: '${azurerm_storage_account.this.id}',
      container_access_type: 'private',
    });
    expect(tf.typeOf('storage')).toContain('data_container_name = optional(string, "spot-on-data")');
    expect(tf.local('training_data_container_scope')).toBe('${azurerm_storage_account.this.id}/blobServices/default/containers/${azurerm_storage_container.training_data.name}');
    const roles = String(tf.local('workload_roles'));
    expect(roles).toContain('for name, workload in var.fl_workloads : "${name}-training-data"');
    expect(roles).toMatch(/scope\s*=\s*local\.training_data_container_scope\s*\n\s*role\s*=\s*"Storage Blob Data Reader"/);
    const rules = blocks(tf.resource('azurerm_storage_management_policy', 'this').rule, 'rule');
    const versions = rules.find((rule) => rule.name === 'expire-previous-versions');
    expect(single(versions?.filters, 'filters').prefix_match).toStrictEqual(['${var.storage.container_name}/', '${var.storage.data_container_name}/']);
  });

  it('uses ACR Premium with the admin user and anonymous pull off', () => {
    expect(tf.resource('azurerm_container_registry', 'this')).toMatchObject({ sku: 'Premium', admin_enabled: false, anonymous_pull_enabled: false });
  });

  it('runs Key Vault in RBAC mode with purge protection and no public access', () => {
    expect(tf.resource('azurerm_key_vault', 'this')).toMatchObject({ rbac_authorization_enabled: true, purge_protection_enabled: true, public_network_access_enabled: false });
  });

  it('puts blob, queue, vault, registry and the function app behind one for_each of private endpoints in their privatelink zones', () => {
    expect(tf.resourcesOfType('azurerm_private_endpoint').size).toBe(1);
    const endpoint = tf.resource('azurerm_private_endpoint', 'this');
    expect(endpoint.for_each).toBe('${local.private_endpoints}');
    expect(single(endpoint.private_service_connection, 'connection').subresource_names).toStrictEqual(['${each.value.subresource}']);
    expect(single(endpoint.private_dns_zone_group, 'zone group').private_dns_zone_ids).toStrictEqual(['${azurerm_private_dns_zone.this[each.value.zone].id}']);
    const endpoints = asObject(tf.local('private_endpoints'), 'private_endpoints');
    const wiring = Object.fromEntries(Object.entries(endpoints).map(([key, value]) => [key, { subresource: asObject(value, key).subresource, zone: asObject(value, key).zone, resource_id: asObject(value, key).resource_id }]));
    expect(wiring).toStrictEqual({
      storage_blob: { subresource: 'blob', zone: 'blob', resource_id: '${azurerm_storage_account.this.id}' },
      storage_queue: { subresource: 'queue', zone: 'queue', resource_id: '${azurerm_storage_account.this.id}' },
      key_vault: { subresource: 'vault', zone: 'vault', resource_id: '${azurerm_key_vault.this.id}' },
      container_registry: { subresource: 'registry', zone: 'registry', resource_id: '${azurerm_container_registry.this.id}' },
      function_app: { subresource: 'sites', zone: 'sites', resource_id: '${azurerm_function_app_flex_consumption.this.id}' },
    });
  });
});

describe('monitoring', () => {
  it('runs the seed B-series VMs from one for_each block, with SSH keys only, and sends resource logs to Log Analytics', () => {
    expect(tf.resourcesOfType('azurerm_linux_virtual_machine').size).toBe(1);
    expect(tf.resourcesOfType('azurerm_network_interface').size).toBe(1);
    const vm = tf.resource('azurerm_linux_virtual_machine', 'this');
    expect(vm).toMatchObject({ for_each: '${local.vms}', disable_password_authentication: true });
    expect(vm.admin_password).toBeUndefined();
    expect(Object.keys(asObject(tf.local('vms'), 'vms')).sort()).toStrictEqual(['bastion', 'monitoring']);
    const monitoringType = tf.typeOf('monitoring');
    expect(monitoringType).toContain('optional(string, "Standard_B1s")');
    expect(monitoringType).toContain('optional(string, "Standard_B2s")');
    const targets = Object.keys(asObject(tf.local('diagnostic_targets'), 'diagnostic_targets')).sort();
    expect(targets).toStrictEqual(['container_registry', 'function_app', 'key_vault', 'storage_blob', 'storage_queue', 'vpn_gateway']);
    expect(tf.resource('azurerm_monitor_diagnostic_setting', 'aks').target_resource_id).toBe('${azurerm_kubernetes_cluster.this.id}');
  });
});

describe('outputs', () => {
  it('describes every output of the module and the example', () => {
    for (const files of [MODULE_FILES, EXAMPLE_FILES]) {
      const outputs = tf.namedBlocks(files, 'output');
      expect(outputs.size).toBeGreaterThan(3);
      const undocumented = [...outputs.entries()].filter(([, body]) => typeof body.description !== 'string').map(([name]) => name);
      expect(undocumented).toStrictEqual([]);
    }
  });
});
