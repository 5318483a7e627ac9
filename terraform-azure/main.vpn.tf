# Site-to-site VPN to AWS: one route-based, active-active gateway (two instances, two public IPs) with BGP, and one
# local network gateway plus one IPsec connection per AWS tunnel. BGP runs over APIPA addresses because AWS tunnel
# inside addresses are link-local /30s.

resource "azurerm_public_ip" "vpn_gateway" {
  for_each = local.vpn_gateway_ip_configurations

  name                = "${local.names.vpn_gateway}-pip-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = var.vpn_gateway.zones
  tags                = local.tags
}

resource "azurerm_virtual_network_gateway" "this" {
  name                = local.names.vpn_gateway
  location            = var.location
  resource_group_name = var.resource_group_name
  type                = "Vpn"
  vpn_type            = "RouteBased"
  sku                 = var.vpn_gateway.sku
  generation          = var.vpn_gateway.generation
  active_active       = true
  bgp_enabled         = true
  tags                = local.tags

  ip_configuration {
    name                          = local.vpn_gateway_ip_configurations.primary
    public_ip_address_id          = azurerm_public_ip.vpn_gateway["primary"].id
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }

  ip_configuration {
    name                          = local.vpn_gateway_ip_configurations.secondary
    public_ip_address_id          = azurerm_public_ip.vpn_gateway["secondary"].id
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }

  bgp_settings {
    asn = var.vpn_gateway.bgp_asn

    peering_addresses {
      ip_configuration_name = local.vpn_gateway_ip_configurations.primary
      apipa_addresses       = var.vpn_gateway.apipa_addresses.primary
    }

    peering_addresses {
      ip_configuration_name = local.vpn_gateway_ip_configurations.secondary
      apipa_addresses       = var.vpn_gateway.apipa_addresses.secondary
    }
  }
}

resource "azurerm_local_network_gateway" "aws" {
  for_each = local.aws_vpn_tunnels

  name                = "${var.name_prefix}-lgw-${each.key}"
  location            = var.location
  resource_group_name = var.resource_group_name
  gateway_address     = each.value.aws_outside_ip
  address_space       = each.value.address_space
  tags                = local.tags

  bgp_settings {
    asn                 = each.value.aws_bgp_asn
    bgp_peering_address = each.value.aws_inside_ip
  }
}

resource "azurerm_virtual_network_gateway_connection" "aws" {
  for_each = local.aws_vpn_tunnels

  name                       = "${var.name_prefix}-cn-${each.key}"
  location                   = var.location
  resource_group_name        = var.resource_group_name
  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.this.id
  local_network_gateway_id   = azurerm_local_network_gateway.aws[each.key].id
  shared_key                 = var.aws_vpn_shared_keys[each.key]
  connection_protocol        = "IKEv2"
  bgp_enabled                = true
  dpd_timeout_seconds        = var.vpn_ipsec_policy.dpd_timeout_seconds
  tags                       = local.tags

  custom_bgp_addresses {
    primary   = each.value.azure_custom_bgp_addresses.primary
    secondary = each.value.azure_custom_bgp_addresses.secondary
  }

  ipsec_policy {
    ike_encryption   = var.vpn_ipsec_policy.ike_encryption
    ike_integrity    = var.vpn_ipsec_policy.ike_integrity
    dh_group         = var.vpn_ipsec_policy.dh_group
    ipsec_encryption = var.vpn_ipsec_policy.ipsec_encryption
    ipsec_integrity  = var.vpn_ipsec_policy.ipsec_integrity
    pfs_group        = var.vpn_ipsec_policy.pfs_group
    sa_lifetime      = var.vpn_ipsec_policy.sa_lifetime_seconds
    sa_datasize      = var.vpn_ipsec_policy.sa_datasize_kb
  }
}
