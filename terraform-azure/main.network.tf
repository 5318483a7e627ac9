# Hub-spoke topology (Azure landing zone style): the hub carries the VPN gateway, the jump and monitoring VMs and
# the DNS resolver; the spoke carries AKS, the private endpoints and the function app's outbound integration. Private
# DNS (zones, records, the resolver AWS forwards to) is in main.dns.tf.

resource "azurerm_virtual_network" "hub" {
  name                = local.names.hub_vnet
  location            = var.location
  resource_group_name = var.resource_group_name
  address_space       = var.hub_network.address_space
  tags                = local.tags
}

resource "azurerm_virtual_network" "spoke" {
  name                = local.names.spoke_vnet
  location            = var.location
  resource_group_name = var.resource_group_name
  address_space       = var.spoke_network.address_space
  tags                = local.tags
}

resource "azurerm_subnet" "gateway" {
  # Azure requires exactly this name for a VPN gateway; NSGs are not supported on it.
  name                 = "GatewaySubnet"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = [var.hub_network.subnets.gateway]
}

resource "azurerm_subnet" "bastion" {
  name                 = "snet-bastion"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = [var.hub_network.subnets.bastion]
}

resource "azurerm_subnet" "monitoring" {
  name                 = "snet-monitoring"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = [var.hub_network.subnets.monitoring]
}

resource "azurerm_subnet" "dns_inbound" {
  name                 = "snet-dns-inbound"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = [var.hub_network.subnets.dns_inbound]

  delegation {
    name = "Microsoft.Network.dnsResolvers"

    service_delegation {
      name    = "Microsoft.Network/dnsResolvers"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

resource "azurerm_subnet" "aks" {
  for_each = {
    system = var.spoke_network.subnets.aks_system
    user   = var.spoke_network.subnets.aks_user
    gpu    = var.spoke_network.subnets.aks_gpu
  }

  name                 = "snet-aks-${each.key}"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.spoke.name
  address_prefixes     = [each.value]
}

resource "azurerm_subnet" "private_endpoints" {
  name                 = "snet-private-endpoints"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.spoke.name
  address_prefixes     = [var.spoke_network.subnets.private_endpoints]
  # "Enabled" makes the subnet's NSG apply to private endpoint traffic too.
  private_endpoint_network_policies = "Enabled"
}

resource "azurerm_subnet" "function_integration" {
  name                 = "snet-func-integration"
  resource_group_name  = var.resource_group_name
  virtual_network_name = azurerm_virtual_network.spoke.name
  address_prefixes     = [var.spoke_network.subnets.function_integration]

  # Flex Consumption VNet integration runs on Container Apps infrastructure, hence this delegation.
  delegation {
    name = "Microsoft.App.environments"

    service_delegation {
      name    = "Microsoft.App/environments"
      actions = ["Microsoft.Network/virtualNetworks/subnets/join/action"]
    }
  }
}

# Peering both ways with gateway transit: the spoke (AKS, private endpoints, function app) uses the hub's VPN gateway
# to reach AWS, and BGP advertises the spoke's address space to AWS. "hub-to-spoke-aks" is the seed's peering name.
resource "azurerm_virtual_network_peering" "hub_to_spoke" {
  name                         = "hub-to-spoke-aks"
  resource_group_name          = var.resource_group_name
  virtual_network_name         = azurerm_virtual_network.hub.name
  remote_virtual_network_id    = azurerm_virtual_network.spoke.id
  allow_virtual_network_access = true
  allow_forwarded_traffic      = true
  allow_gateway_transit        = true
  use_remote_gateways          = false

  depends_on = [azurerm_virtual_network_gateway.this]
}

resource "azurerm_virtual_network_peering" "spoke_to_hub" {
  name                         = "spoke-aks-to-hub"
  resource_group_name          = var.resource_group_name
  virtual_network_name         = azurerm_virtual_network.spoke.name
  remote_virtual_network_id    = azurerm_virtual_network.hub.id
  allow_virtual_network_access = true
  allow_forwarded_traffic      = true
  allow_gateway_transit        = false
  # Fails unless the hub's gateway exists, hence the explicit ordering.
  use_remote_gateways = true

  depends_on = [
    azurerm_virtual_network_gateway.this,
    azurerm_virtual_network_peering.hub_to_spoke,
  ]
}
