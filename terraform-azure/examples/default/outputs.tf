output "aws_vpn_config" {
  description = "Paste into the CDK config's `azure.vpn` (gateway IPs, ASN, VNet CIDRs)."
  value       = module.spot_on_azure.aws_vpn_config
}

output "function_app_signals_url" {
  description = "The CDK config's `azure.signalsEndpointUrl`."
  value       = module.spot_on_azure.function_app_signals_url
}

output "dns_resolver_inbound_ip" {
  description = "Target IP of the Route 53 Resolver forwarding rules for the privatelink zones."
  value       = module.spot_on_azure.dns_resolver_inbound_ip
}

output "function_app_settings_for_local_runs" {
  description = "Names the functions read at run time, for a local .settings.json."
  value = {
    SPOTON_CLUSTER_NAME    = module.spot_on_azure.aks_name
    SPOTON_GPU_POOL_NAME   = module.spot_on_azure.gpu_pool_name
    SPOTON_STORAGE_ACCOUNT = module.spot_on_azure.storage_account_name
    SPOTON_CONTAINER       = module.spot_on_azure.storage_container_name
  }
}

output "bastion_public_ip" {
  description = "SSH jump host."
  value       = module.spot_on_azure.bastion_public_ip
}
