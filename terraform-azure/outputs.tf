output "resource_group_name" {
  description = "Resource group holding every Azure resource of Spot-On."
  value       = var.resource_group_name
}

output "hub_vnet_id" {
  description = "ID of the hub VNet (VPN gateway, bastion, monitoring, DNS resolver)."
  value       = azurerm_virtual_network.hub.id
}

output "spoke_vnet_id" {
  description = "ID of the spoke VNet (AKS, private endpoints, function integration)."
  value       = azurerm_virtual_network.spoke.id
}

output "vnet_address_spaces" {
  description = "Azure address spaces reachable over the VPN (the CDK config's `azure.vpn.vnetCidrs`)."
  value       = concat(var.hub_network.address_space, var.spoke_network.address_space)
}

output "vpn_gateway_id" {
  description = "ID of the active-active VPN gateway."
  value       = azurerm_virtual_network_gateway.this.id
}

output "vpn_gateway_public_ips" {
  description = "Public IPs of the two gateway instances, primary first: the AWS customer gateways' addresses (CDK `azure.vpn.gatewayPublicIps`)."
  value       = [azurerm_public_ip.vpn_gateway["primary"].ip_address, azurerm_public_ip.vpn_gateway["secondary"].ip_address]
}

output "vpn_gateway_bgp_asn" {
  description = "BGP ASN of the Azure VPN gateway (CDK `azure.vpn.bgpAsn`)."
  value       = var.vpn_gateway.bgp_asn
}

output "vpn_gateway_bgp_peering_addresses" {
  description = "BGP addresses of each gateway instance: `apipa` are the custom addresses AWS peers with, `default` the instance's address in GatewaySubnet."
  value = {
    for peering in azurerm_virtual_network_gateway.this.bgp_settings[0].peering_addresses :
    peering.ip_configuration_name => {
      apipa   = peering.apipa_addresses
      default = peering.default_addresses
    }
  }
}

output "aws_vpn_config" {
  description = "The values the AWS CDK app needs in `azure.vpn` of its config (tunnel inside CIDRs are chosen on the AWS side and must match `vpn_gateway.apipa_addresses`)."
  value = {
    gatewayPublicIps = [azurerm_public_ip.vpn_gateway["primary"].ip_address, azurerm_public_ip.vpn_gateway["secondary"].ip_address]
    bgpAsn           = var.vpn_gateway.bgp_asn
    vnetCidrs        = concat(var.hub_network.address_space, var.spoke_network.address_space)
    routing          = "bgp"
  }
}

output "vpn_connection_ids" {
  description = "IDs of the IPsec connections to AWS, keyed by tunnel name."
  value       = { for name, connection in azurerm_virtual_network_gateway_connection.aws : name => connection.id }
}

output "dns_resolver_inbound_ip" {
  description = "Private IP of the DNS Private Resolver inbound endpoint: the target of the AWS Route 53 Resolver forwarding rules for the privatelink zones (null when disabled)."
  value       = var.dns_resolver_enabled ? azurerm_private_dns_resolver_inbound_endpoint.this[0].ip_configurations[0].private_ip_address : null
}

output "private_dns_zones" {
  description = "Private DNS zones that AWS must forward to the inbound endpoint."
  value       = [for key, zone in local.private_dns_zones : zone if key != "aks"]
}

output "aks_name" {
  description = "Name of the AKS cluster (SPOTON_CLUSTER_NAME)."
  value       = azurerm_kubernetes_cluster.this.name
}

output "aks_id" {
  description = "Resource ID of the AKS cluster."
  value       = azurerm_kubernetes_cluster.this.id
}

output "aks_oidc_issuer_url" {
  description = "OIDC issuer of the cluster, for more workload identity federations."
  value       = azurerm_kubernetes_cluster.this.oidc_issuer_url
}

output "aks_private_fqdn" {
  description = "Private FQDN of the API server (null for a public cluster)."
  value       = azurerm_kubernetes_cluster.this.private_fqdn
}

output "gpu_pool_name" {
  description = "Name of the Spot GPU agent pool the failover functions scale (SPOTON_GPU_POOL_NAME)."
  value       = azurerm_kubernetes_cluster_node_pool.gpu_spot.name
}

output "user_pool_name" {
  description = "Name of the agent pool that runs the FL aggregator."
  value       = azurerm_kubernetes_cluster_node_pool.user.name
}

output "workload_identity_client_ids" {
  description = "Client IDs of the FL workload identities, for the `azure.workload.identity/client-id` service account annotation."
  value       = { for name, identity in azurerm_user_assigned_identity.workload : name => identity.client_id }
}

output "storage_account_name" {
  description = "Name of the checkpoint storage account (SPOTON_STORAGE_ACCOUNT)."
  value       = azurerm_storage_account.this.name
}

output "storage_blob_endpoint" {
  description = "Blob endpoint of the checkpoint account; resolves to the private endpoint inside the VNets and over the VPN."
  value       = azurerm_storage_account.this.primary_blob_endpoint
}

output "storage_container_name" {
  description = "Blob container of the checkpoint layout (SPOTON_CONTAINER)."
  value       = azurerm_storage_container.checkpoints.name
}

output "continuation_queue_name" {
  description = "Storage queue of the failover continuations."
  value       = azurerm_storage_queue.continuations.name
}

output "container_registry_login_server" {
  description = "Login server of the container registry for the FL images."
  value       = azurerm_container_registry.this.login_server
}

output "key_vault_uri" {
  description = "URI of the Key Vault."
  value       = azurerm_key_vault.this.vault_uri
}

output "key_vault_name" {
  description = "Name of the Key Vault."
  value       = azurerm_key_vault.this.name
}

output "signing_secret_uri" {
  description = "Versionless URI of the signal signing secret."
  value       = local.signing_secret_uri
}

output "function_app_name" {
  description = "Name of the failover function app (target of `func azure functionapp publish`)."
  value       = azurerm_function_app_flex_consumption.this.name
}

output "function_app_hostname" {
  description = "Default hostname of the function app; resolves to its private endpoint through privatelink.azurewebsites.net."
  value       = azurerm_function_app_flex_consumption.this.default_hostname
}

output "function_app_signals_url" {
  description = "URL of POST /api/signals (the CDK config's `azure.signalsEndpointUrl`)."
  value       = "https://${azurerm_function_app_flex_consumption.this.default_hostname}/api/signals"
}

output "function_app_principal_id" {
  description = "Object ID of the function app's system-assigned identity."
  value       = local.function_principal_id
}

output "log_analytics_workspace_id" {
  description = "ID of the Log Analytics workspace."
  value       = azurerm_log_analytics_workspace.this.id
}

output "bastion_public_ip" {
  description = "Public IP of the bastion VM (null when it has none)."
  value       = var.monitoring.bastion_public_ip_enabled ? azurerm_public_ip.bastion[0].ip_address : null
}

output "monitoring_vm_private_ip" {
  description = "Private IP of the monitoring VM (reach it through the bastion VM)."
  value       = azurerm_network_interface.monitoring.private_ip_address
}
