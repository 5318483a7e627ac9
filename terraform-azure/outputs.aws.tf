# What the AWS side (CDK config, Route 53 Resolver rules, the EKS chart values) is wired from. Each value is known
# after the first apply, which needs nothing from AWS.

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
  description = "Private IP of the DNS Private Resolver inbound endpoint: the target of the AWS Route 53 Resolver forwarding rules (null when dns_resolver_enabled is false)."
  value       = var.dns_resolver_enabled ? azurerm_private_dns_resolver_inbound_endpoint.this[0].ip_configurations[0].private_ip_address : null
}

output "aws_dns_forwarding" {
  description = "Route 53 Resolver forwarding rules for the AWS VPC: forward each of `domains` through an outbound endpoint to `target_ips` (port 53) over the VPN. The Lambdas resolve the function app, trainers Blob Storage and the aggregator this way."
  value = {
    domains    = local.aws_forwarded_zones
    target_ips = var.dns_resolver_enabled ? [azurerm_private_dns_resolver_inbound_endpoint.this[0].ip_configurations[0].private_ip_address] : []
  }
}

output "private_dns_zones" {
  description = "Every private DNS zone of the module except the API server's (all linked to hub and spoke); AWS needs only `aws_dns_forwarding.domains`."
  value       = [for key, zone in local.private_dns_zones : zone if key != "aks"]
}

output "function_app_signals_url" {
  description = "URL of POST /api/signals (the CDK config's `azure.signalsEndpointUrl`); its name resolves to the private endpoint through privatelink.azurewebsites.net."
  value       = "https://${azurerm_function_app_flex_consumption.this.default_hostname}/api/signals"
}

output "aggregator" {
  description = "The aggregator's fixed internal address: `url` is the EKS chart's `fl.aggregatorUrl`; `service_annotations` go on the AKS chart's aggregator Service (`aggregator.service.annotations`) so its internal load balancer takes exactly `private_ip`."
  value = {
    private_ip = local.aggregator_private_ip
    fqdn       = local.aggregator_fqdn
    port       = var.aggregator.port
    url        = "http://${local.aggregator_fqdn}:${var.aggregator.port}"
    service_annotations = {
      "service.beta.kubernetes.io/azure-load-balancer-internal"        = "true"
      "service.beta.kubernetes.io/azure-load-balancer-internal-subnet" = azurerm_subnet.aks["user"].name
      "service.beta.kubernetes.io/azure-load-balancer-ipv4"            = local.aggregator_private_ip
    }
  }
}
