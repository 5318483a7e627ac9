/**
 * What `terraform apply` then `terraform output -json` print for a root module like terraform-azure/examples/default,
 * without Azure: every value the module computes from its variables is computed from them (with preflight's reader
 * of the .tf files and the names it derives as the module does); what Azure assigns at apply time (public IPs, the
 * resolver's dynamic address, identities' ids) is a fixed stand-in of the right shape. The deployment-steps test
 * compares the output names with the example's outputs.tf, so a renamed or new output shows up there.
 */
import * as path from 'node:path';
import { loadTerraformDeployment, tfvarsIn } from '../../../cli/preflight/inputs/terraform';
import { cidrhost } from '../../../cli/preflight/inputs/terraform-names';

const TERRAFORM_MODULE = path.resolve(__dirname, '..', '..', '..', 'terraform-azure');

/** Values Azure hands out at apply time, in documentation ranges and made-up GUIDs. */
export const AZURE_ASSIGNED = {
  vpnGatewayPublicIps: ['192.0.2.10', '192.0.2.11'],
  tenantId: '11111111-2222-3333-4444-555555555555',
  clientIds: { aggregator: '22222222-3333-4444-5555-666666666666', trainer: '33333333-4444-5555-6666-777777777777', keyVaultCsi: '44444444-5555-6666-7777-888888888888' },
  bastionPublicIp: '192.0.2.20',
} as const;

/** `terraform output -json` of the root module in `dir`: `{ name: { value, type, sensitive } }`. */
export async function terraformOutputJson(dir: string, env: Readonly<Record<string, string | undefined>>): Promise<Record<string, { value: unknown; type: unknown; sensitive: boolean }>> {
  const tfvars = tfvarsIn(dir);
  const deployment = await loadTerraformDeployment({ dir, ...(tfvars === undefined ? {} : { tfvars }), fallbackModuleDir: TERRAFORM_MODULE }, env);
  const known = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${dir}: ${what} is an expression only terraform can evaluate`);
    return value;
  };
  const { aggregator } = deployment;
  const fqdn = `${known(aggregator.record, 'aggregator.dns_record_name')}.${known(aggregator.zone, 'aggregator.dns_zone_name')}`;
  const privateIp = known(aggregator.privateIp, 'aggregator.private_ip');
  // Azure gives a dynamic inbound endpoint the first address it does not reserve (.4) in its subnet.
  const inboundIp = deployment.dnsResolverEnabled === false ? null : cidrhost(known(deployment.dnsInboundSubnet, 'hub_network.subnets.dns_inbound'), 4);
  const functionApp = known(deployment.functionAppName, 'function_app.name');
  const keyVault = known(deployment.keyVaultName, 'key_vault.name');
  const storageAccount = known(deployment.storageAccountName, 'storage.account_name');
  const values: Record<string, unknown> = {
    aws_vpn_config: { gatewayPublicIps: AZURE_ASSIGNED.vpnGatewayPublicIps, bgpAsn: known(deployment.vpnBgpAsn, 'vpn_gateway.bgp_asn'), vnetCidrs: known(deployment.vnetAddressSpaces, 'the VNets\' address spaces'), routing: 'bgp' },
    function_app_signals_url: `https://${functionApp}.azurewebsites.net/api/signals`,
    dns_resolver_inbound_ip: inboundIp,
    aws_dns_forwarding: { domains: ['privatelink.azurewebsites.net', 'privatelink.blob.core.windows.net', aggregator.zone], target_ips: inboundIp === null ? [] : [inboundIp] },
    aggregator: {
      private_ip: privateIp,
      fqdn,
      port: known(aggregator.port, 'aggregator.port'),
      url: `http://${fqdn}:${aggregator.port}`,
      service_annotations: {
        'service.beta.kubernetes.io/azure-load-balancer-internal': 'true',
        'service.beta.kubernetes.io/azure-load-balancer-internal-subnet': 'snet-aks-user',
        'service.beta.kubernetes.io/azure-load-balancer-ipv4': privateIp,
      },
    },
    key_vault_csi: {
      tenant_id: AZURE_ASSIGNED.tenantId,
      key_vault_name: keyVault,
      client_id: AZURE_ASSIGNED.clientIds.keyVaultCsi,
      signal_keys_secret_name: known(deployment.signalKeysSecretName, 'key_vault.signal_keys_secret_name'),
      trainer_keys_secret_name: known(deployment.trainerKeysSecretName, 'key_vault.trainer_keys_secret_name'),
    },
    workload_identity_client_ids: { aggregator: AZURE_ASSIGNED.clientIds.aggregator, trainer: AZURE_ASSIGNED.clientIds.trainer },
    tenant_id: AZURE_ASSIGNED.tenantId,
    function_app_settings_for_local_runs: { SPOTON_CLUSTER_NAME: 'aks', SPOTON_GPU_POOL_NAME: 'gpuspot', SPOTON_STORAGE_ACCOUNT: storageAccount, SPOTON_CONTAINER: known(deployment.storageContainer, 'storage.container_name') },
    bastion_public_ip: AZURE_ASSIGNED.bastionPublicIp,
    training_data_container: known(deployment.dataContainer, 'storage.data_container_name'),
  };
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value, type: 'dynamic', sensitive: false }]));
}
