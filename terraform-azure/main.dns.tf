# Private DNS. Every name the workloads and AWS resolve privately lives in a zone linked to both VNets; the DNS
# Private Resolver's inbound endpoint in the hub answers from those zones for AWS, whose Route 53 Resolver outbound
# endpoint forwards the zones in `local.aws_forwarded_zones` to it over the VPN (DESIGN: cross-cloud DNS).

locals {
  private_dns_zones = {
    blob     = "privatelink.blob.core.windows.net"
    queue    = "privatelink.queue.core.windows.net"
    vault    = "privatelink.vaultcore.azure.net"
    registry = "privatelink.azurecr.io"
    sites    = "privatelink.azurewebsites.net"
    aks      = "privatelink.${var.location}.azmk8s.io"
    # Our own zone: the aggregator's fixed internal load balancer address gets a name AWS trainers can resolve.
    aggregator = var.aggregator.dns_zone_name
  }

  virtual_network_ids = {
    hub   = azurerm_virtual_network.hub.id
    spoke = azurerm_virtual_network.spoke.id
  }

  # AKS links its API server zone to the cluster VNet (the spoke) itself; a second link to the same VNet would fail.
  private_dns_zone_links = {
    for pair in setproduct(keys(local.private_dns_zones), keys(local.virtual_network_ids)) :
    "${pair[0]}-${pair[1]}" => {
      zone = pair[0]
      vnet = pair[1]
    } if !(pair[0] == "aks" && pair[1] == "spoke")
  }

  # What AWS needs to resolve: the Lambdas call the function app (its public name CNAMEs into privatelink.azurewebsites.net),
  # EKS trainers write fallback updates to Blob and send weight updates to the aggregator.
  aws_forwarded_zones = [for key in ["sites", "blob", "aggregator"] : local.private_dns_zones[key]]

  # A fixed frontend address in the userpool subnet; by default the last usable address, far from the low addresses
  # Azure hands out to nodes first.
  aggregator_private_ip = coalesce(var.aggregator.private_ip, cidrhost(var.spoke_network.subnets.aks_user, -2))
  aggregator_fqdn       = "${var.aggregator.dns_record_name}.${var.aggregator.dns_zone_name}"
}

resource "azurerm_private_dns_zone" "this" {
  for_each = local.private_dns_zones

  name                = each.value
  resource_group_name = var.resource_group_name
  tags                = local.tags
}

resource "azurerm_private_dns_zone_virtual_network_link" "this" {
  for_each = local.private_dns_zone_links

  name                  = "${each.value.zone}-to-${each.value.vnet}"
  resource_group_name   = var.resource_group_name
  private_dns_zone_name = azurerm_private_dns_zone.this[each.value.zone].name
  virtual_network_id    = local.virtual_network_ids[each.value.vnet]
  registration_enabled  = false
  tags                  = local.tags
}

# The chart's aggregator Service asks for exactly this address (output `aggregator`), so the record is right from the
# first apply, before the load balancer exists.
resource "azurerm_private_dns_a_record" "aggregator" {
  name                = var.aggregator.dns_record_name
  zone_name           = azurerm_private_dns_zone.this["aggregator"].name
  resource_group_name = var.resource_group_name
  ttl                 = 300
  records             = [local.aggregator_private_ip]
  tags                = local.tags
}

# Cross-cloud DNS: AWS Route 53 Resolver outbound endpoints forward `local.aws_forwarded_zones` over the VPN to this
# inbound endpoint, which answers from the private DNS zones linked to the hub.
resource "azurerm_private_dns_resolver" "this" {
  count = var.dns_resolver_enabled ? 1 : 0

  name                = local.names.dns_resolver
  resource_group_name = var.resource_group_name
  location            = var.location
  virtual_network_id  = azurerm_virtual_network.hub.id
  tags                = local.tags
}

resource "azurerm_private_dns_resolver_inbound_endpoint" "this" {
  count = var.dns_resolver_enabled ? 1 : 0

  name                    = "${local.names.dns_resolver}-inbound"
  private_dns_resolver_id = azurerm_private_dns_resolver.this[0].id
  location                = var.location
  tags                    = local.tags

  ip_configurations {
    private_ip_allocation_method = "Dynamic"
    subnet_id                    = azurerm_subnet.dns_inbound.id
  }
}
