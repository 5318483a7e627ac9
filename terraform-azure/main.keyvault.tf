# Key Vault in RBAC mode with purge protection. It holds the HMAC key that signs signals between AWS and Azure; the
# function app reads it through a Key Vault reference, the aggregator through workload identity.

resource "azurerm_key_vault" "this" {
  name                          = local.names.key_vault
  location                      = var.location
  resource_group_name           = var.resource_group_name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = var.key_vault.sku_name
  enable_rbac_authorization     = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = var.key_vault.soft_delete_retention_days
  public_network_access_enabled = false
  tags                          = local.tags

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

# Written through ARM (control plane), not the vault's data plane: the vault has no public endpoint, and the value is
# a write-only attribute that never lands in Terraform state. Bump signing_secret_version to rotate.
resource "azapi_resource" "signing_secret" {
  type      = "Microsoft.KeyVault/vaults/secrets@2023-07-01"
  name      = var.key_vault.signing_secret_name
  parent_id = azurerm_key_vault.this.id
  body = {
    properties = {
      contentType = "text/plain"
      attributes = {
        enabled = true
      }
    }
  }
  sensitive_body = {
    properties = {
      value = var.signing_secret
    }
  }
  sensitive_body_version = {
    "properties.value" = var.signing_secret_version
  }
}

resource "azurerm_private_endpoint" "key_vault" {
  name                          = "${local.names.key_vault}-pe"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  subnet_id                     = azurerm_subnet.private_endpoints.id
  custom_network_interface_name = "${local.names.key_vault}-pe-nic"
  tags                          = local.tags

  private_service_connection {
    name                           = local.names.key_vault
    private_connection_resource_id = azurerm_key_vault.this.id
    subresource_names              = ["vault"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.this["vault"].id]
  }
}
