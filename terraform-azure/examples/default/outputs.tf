output "aws_vpn_config" {
  description = "Paste into the CDK config's `azure.vpn` (gateway IPs, ASN, VNet CIDRs)."
  value       = module.spot_on_azure.aws_vpn_config
}

output "function_app_signals_url" {
  description = "The CDK config's `azure.signalsEndpointUrl`."
  value       = module.spot_on_azure.function_app_signals_url
}

output "dns_resolver_inbound_ip" {
  description = "Target IP of the Route 53 Resolver forwarding rules (also in aws_dns_forwarding.target_ips)."
  value       = module.spot_on_azure.dns_resolver_inbound_ip
}

output "aws_dns_forwarding" {
  description = "Route 53 Resolver forwarding rules on the AWS side: each domain to the inbound endpoint IPs."
  value       = module.spot_on_azure.aws_dns_forwarding
}

output "aggregator" {
  description = "The aggregator's fixed address and name; `url` is the EKS chart's `fl.aggregatorUrl`, `service_annotations` the AKS chart's aggregator Service annotations."
  value       = module.spot_on_azure.aggregator
}

output "key_vault_csi" {
  description = "SecretProviderClass parameters for the key rings on AKS (tenant, vault, add-on client id, signal and trainer secret names)."
  value       = module.spot_on_azure.key_vault_csi
}

output "workload_identity_client_ids" {
  description = "The chart's `azure.aggregatorClientId` and `azure.trainerClientId`."
  value       = module.spot_on_azure.workload_identity_client_ids
}

output "training_data_container" {
  description = "The AKS chart's `data.url` is blob://<this container>/<prefix>; stage the shards allowed on Azure there."
  value       = module.spot_on_azure.training_data_container
}

output "tenant_id" {
  description = "The chart's `azure.tenantId`."
  value       = module.spot_on_azure.tenant_id
}

output "function_app_settings_for_local_runs" {
  description = "Names the functions read at run time, for a local .settings.json."
  value = {
    SPOTON_CLUSTER_NAME        = module.spot_on_azure.aks_name
    SPOTON_GPU_POOL_NAME       = module.spot_on_azure.gpu_pool_name
    SPOTON_ON_DEMAND_POOL_NAME = module.spot_on_azure.gpu_on_demand_pool_name
    SPOTON_STORAGE_ACCOUNT     = module.spot_on_azure.storage_account_name
    SPOTON_CONTAINER           = module.spot_on_azure.storage_container_name
  }
}

output "bastion_public_ip" {
  description = "SSH jump host."
  value       = module.spot_on_azure.bastion_public_ip
}
