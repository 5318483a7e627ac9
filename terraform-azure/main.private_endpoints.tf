# Every private endpoint, in the spoke's endpoint subnet and registered in its privatelink zone (main.dns.tf). They
# differ only in the resource, the sub-resource and the zone; names keep the `<resource>-pe` form of the seed.

locals {
  private_endpoints = {
    storage_blob = {
      name        = "${local.names.storage_account}-blob"
      resource_id = azurerm_storage_account.this.id
      subresource = "blob"
      zone        = "blob"
    }
    storage_queue = {
      name        = "${local.names.storage_account}-queue"
      resource_id = azurerm_storage_account.this.id
      subresource = "queue"
      zone        = "queue"
    }
    key_vault = {
      name        = local.names.key_vault
      resource_id = azurerm_key_vault.this.id
      subresource = "vault"
      zone        = "vault"
    }
    # Premium is what allows this endpoint (main.registry.tf).
    container_registry = {
      name        = local.names.container_registry
      resource_id = azurerm_container_registry.this.id
      subresource = "registry"
      zone        = "registry"
    }
    # The only way in to the failover brain: the AWS Lambdas call it here over the VPN.
    function_app = {
      name        = local.names.function_app
      resource_id = azurerm_function_app_flex_consumption.this.id
      subresource = "sites"
      zone        = "sites"
    }
  }
}

resource "azurerm_private_endpoint" "this" {
  for_each = local.private_endpoints

  name                          = "${each.value.name}-pe"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  subnet_id                     = azurerm_subnet.private_endpoints.id
  custom_network_interface_name = "${each.value.name}-pe-nic"
  tags                          = local.tags

  private_service_connection {
    name                           = each.value.name
    private_connection_resource_id = each.value.resource_id
    subresource_names              = [each.value.subresource]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.this[each.value.zone].id]
  }
}
