# One NSG per subnet (GatewaySubnet cannot have one). The default rules already allow the peered VNets and AWS over
# the VPN (both belong to the VirtualNetwork tag) and deny the internet; the explicit rules pin the cross-cloud and
# admin paths so they survive a later deny-by-default rule.

locals {
  aws_to_aggregator_rules = [
    {
      name                       = "allow-aggregator-from-aws"
      priority                   = 100
      protocol                   = "Tcp"
      source_address_prefixes    = var.aws_vpc_cidrs
      destination_address_prefix = local.aggregator_private_ip
      destination_port_ranges    = [for port in var.aws_ingress_ports : tostring(port)]
    },
  ]

  nsg_rules = {
    bastion = length(var.monitoring.admin_source_cidrs) == 0 ? [] : [
      {
        name                       = "allow-ssh-from-admins"
        priority                   = 100
        protocol                   = "Tcp"
        source_address_prefixes    = var.monitoring.admin_source_cidrs
        destination_address_prefix = var.hub_network.subnets.bastion
        destination_port_ranges    = ["22"]
      },
    ]
    monitoring = [
      {
        name                       = "allow-ssh-and-dashboards-from-bastion"
        priority                   = 100
        protocol                   = "Tcp"
        source_address_prefixes    = [var.hub_network.subnets.bastion]
        destination_address_prefix = var.hub_network.subnets.monitoring
        destination_port_ranges    = ["22", "3000", "9090"]
      },
    ]
    dns_inbound = [
      {
        name                       = "allow-dns-from-aws"
        priority                   = 100
        protocol                   = "*"
        source_address_prefixes    = var.aws_vpc_cidrs
        destination_address_prefix = var.hub_network.subnets.dns_inbound
        destination_port_ranges    = ["53"]
      },
    ]
    # The aggregator's internal load balancer has a fixed frontend in the userpool subnet (main.dns.tf). AKS load
    # balancer rules use floating IP, so the NSG sees that frontend address as the destination.
    aks_system = []
    aks_user   = local.aws_to_aggregator_rules
    aks_gpu    = []
    private_endpoints = [
      {
        # Lambdas -> function app, AWS trainers -> Blob Storage and ACR; all HTTPS to private endpoints.
        name                       = "allow-https-from-aws"
        priority                   = 100
        protocol                   = "Tcp"
        source_address_prefixes    = var.aws_vpc_cidrs
        destination_address_prefix = var.spoke_network.subnets.private_endpoints
        destination_port_ranges    = ["443"]
      },
    ]
    function_integration = []
  }

  nsg_subnet_ids = {
    bastion              = azurerm_subnet.bastion.id
    monitoring           = azurerm_subnet.monitoring.id
    dns_inbound          = azurerm_subnet.dns_inbound.id
    aks_system           = azurerm_subnet.aks["system"].id
    aks_user             = azurerm_subnet.aks["user"].id
    aks_gpu              = azurerm_subnet.aks["gpu"].id
    private_endpoints    = azurerm_subnet.private_endpoints.id
    function_integration = azurerm_subnet.function_integration.id
  }
}

resource "azurerm_network_security_group" "this" {
  for_each = local.nsg_rules

  name                = "${var.name_prefix}-${replace(each.key, "_", "-")}-nsg"
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = local.tags

  dynamic "security_rule" {
    for_each = each.value

    content {
      name                       = security_rule.value.name
      priority                   = security_rule.value.priority
      direction                  = "Inbound"
      access                     = "Allow"
      protocol                   = security_rule.value.protocol
      source_port_range          = "*"
      source_address_prefixes    = security_rule.value.source_address_prefixes
      destination_address_prefix = security_rule.value.destination_address_prefix
      destination_port_ranges    = security_rule.value.destination_port_ranges
    }
  }
}

resource "azurerm_subnet_network_security_group_association" "this" {
  for_each = local.nsg_subnet_ids

  subnet_id                 = each.value
  network_security_group_id = azurerm_network_security_group.this[each.key].id
}
