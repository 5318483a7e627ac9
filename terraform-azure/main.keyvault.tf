# Key Vault in RBAC mode with purge protection. It holds two HMAC key rings copied from AWS Secrets Manager, one secret
# per purpose (protocol/keys.ts): `signal` (the aggregator signs its signals, the function app verifies them through a
# Key Vault reference) and `trainer` (trainers sign, the aggregator verifies; the pods read it through the Key Vault CSI
# driver, main.aks.tf). Each reader may read only its own secrets (main.rbac.tf). Its private endpoint is in
# main.private_endpoints.tf.

resource "azurerm_key_vault" "this" {
  # checkov:skip=CKV2_AZURE_32: its private endpoint is azurerm_private_endpoint.this["key_vault"] (main.private_endpoints.tf), a for_each checkov does not follow
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
  # The key rings by purpose; every map has the same keys. The names alone drive for_each (a map holding the sensitive
  # values could not).
  key_ring_secret_names = {
    signal  = var.key_vault.signal_keys_secret_name
    trainer = var.key_vault.trainer_keys_secret_name
  }
  key_ring_values = {
    signal  = var.signal_keys
    trainer = var.trainer_keys
  }
  # The secrets are write-only, so Terraform never sees a value change; the version is what tells azapi to push it
  # again. Derived from the ring by default, a new ring (each rotation step) is written on the next apply without anyone
  # remembering to bump a number (the vault kept the first placeholder key when the example forgot). State then holds
  # a SHA-256 of the ring, never the ring: harmless for the random 256-bit keys the AWS stack generates. An explicit
  # *_version keeps even the digest out of state, at the price of bumping it on every rotation step.
  key_ring_versions = {
    signal  = coalesce(var.signal_keys_version, sha256(var.signal_keys))
    trainer = coalesce(var.trainer_keys_version, sha256(var.trainer_keys))
  }
}

# Written through ARM (control plane), not the vault's data plane: the vault has no public endpoint, and the value is
# a write-only attribute that never lands in Terraform state. ARM cannot delete a vault secret, so renaming one fails
# on the destroy of the old name (see key_vault in variables.keyvault.tf).
resource "azapi_resource" "key_ring" {
  for_each = local.key_ring_secret_names

  type      = "Microsoft.KeyVault/vaults/secrets@2023-07-01"
  name      = each.value
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
      value = local.key_ring_values[each.key]
    }
  }
  sensitive_body_version = {
    "properties.value" = local.key_ring_versions[each.key]
  }
}
