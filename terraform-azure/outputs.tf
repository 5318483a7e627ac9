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

output "aks_api_server_url" {
  description = "API server URL the failover functions call (SPOTON_KUBERNETES_ENDPOINT); reachable from the VNets only when the cluster is private."
  value       = local.function_app_base_settings.SPOTON_KUBERNETES_ENDPOINT
}

output "gpu_pool_name" {
  description = "Name of the Spot GPU agent pool the failover functions scale (SPOTON_GPU_POOL_NAME)."
  value       = azurerm_kubernetes_cluster_node_pool.gpu_spot.name
}

output "gpu_on_demand_pool_name" {
  description = "Name of the on-demand GPU agent pool of the deadline safety net (SPOTON_ON_DEMAND_POOL_NAME)."
  value       = azurerm_kubernetes_cluster_node_pool.gpu_on_demand.name
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

output "training_data_container" {
  description = "Blob container of the staged training data: the AKS chart's data.url is blob://<this container>/<prefix> (the FL workloads may only read it)."
  value       = azurerm_storage_container.training_data.name
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

output "tenant_id" {
  description = "Entra ID tenant of the Key Vault, the cluster and the workload identities (the chart's `azure.tenantId`)."
  value       = data.azurerm_client_config.current.tenant_id
}

output "key_vault_csi" {
  description = "What the chart's SecretProviderClasses (provider azure) need to mount the key rings with the AKS Key Vault CSI add-on: `tenantId`, `keyvaultName`, `userAssignedIdentityID` = `client_id` with `useVMManagedIdentity` true (only when the add-on identity, not each pod's workload identity, fetches them), and the secret objects `signal_keys_secret_name` (aggregator) and `trainer_keys_secret_name` (aggregator and trainers)."
  value = {
    tenant_id                = data.azurerm_client_config.current.tenant_id
    key_vault_name           = azurerm_key_vault.this.name
    client_id                = azurerm_kubernetes_cluster.this.key_vault_secrets_provider[0].secret_identity[0].client_id
    signal_keys_secret_name  = var.key_vault.signal_keys_secret_name
    trainer_keys_secret_name = var.key_vault.trainer_keys_secret_name
  }
}

output "signal_keys_secret_uri" {
  description = "Versionless URI of the signal key ring's secret (the function app's SPOTON_SIGNAL_KEYS Key Vault reference)."
  value       = local.signal_keys_secret_uri
}

output "function_app_name" {
  description = "Name of the failover function app (target of `func azure functionapp publish`)."
  value       = azurerm_function_app_flex_consumption.this.name
}

output "function_app_hostname" {
  description = "Default hostname of the function app; resolves to its private endpoint through privatelink.azurewebsites.net."
  value       = azurerm_function_app_flex_consumption.this.default_hostname
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
  value       = azurerm_network_interface.vm["monitoring"].private_ip_address
}
