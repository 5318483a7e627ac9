# Key Vault in RBAC mode with purge protection. It holds the HMAC key that signs signals between AWS and Azure; the
# function app reads it through a Key Vault reference, the pods through the Key Vault CSI driver (main.aks.tf).
# Its private endpoint is in main.private_endpoints.tf.

resource "azurerm_key_vault" "this" {
  name                          = local.names.key_vault
  location                      = var.location
  resource_group_name           = var.resource_group_name
  tenant_id                     = data.azurerm_client_config.current.tenant_id
  sku_name                      = var.key_vault.sku_name
  rbac_authorization_enabled    = true
  purge_protection_enabled      = true
  soft_delete_retention_days    = var.key_vault.soft_delete_retention_days
  public_network_access_enabled = false
  tags                          = local.tags

  network_acls {
    default_action = "Deny"
    bypass         = "AzureServices"
  }
}

locals {
  # The secret is write-only, so Terraform never sees its value change; the version is what tells azapi to push it
  # again. Derived from the key by default, a new key is written on the next apply without anyone remembering to bump
  # a number (the vault kept the first placeholder key when the example forgot). State then holds a SHA-256 of the key,
  # never the key: harmless for the random 256-bit keys the AWS stack generates. An explicit signing_secret_version
  # keeps even the digest out of state, at the price of bumping it on every rotation.
  signing_secret_version = coalesce(var.signing_secret_version, sha256(var.signing_secret))
}

# Written through ARM (control plane), not the vault's data plane: the vault has no public endpoint, and the value is
# a write-only attribute that never lands in Terraform state.
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
    "properties.value" = local.signing_secret_version
  }
}
