terraform {
  # 1.11: write-only attributes (azapi `sensitive_body`, so the key rings never land in state); 1.9 already lets a
  # variable's validation refer to other variables (tunnel keys, APIPA addresses, the aggregator address).
  required_version = ">= 1.11, < 2.0"

  required_providers {
    azapi = {
      source = "Azure/azapi"
      # 2.5: `sensitive_body_version`, which pushes a changed write-only secret.
      version = ">= 2.5, < 3.0"
    }
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.78 is the oldest release that knows every argument name used here (`local_authentication_enabled` 4.78,
      # `user_assigned_identity_id` 4.65, `bgp_enabled` 4.62, `rbac_authorization_enabled` 4.42). 5.0 removes the
      # deprecated names and changes other schemas; move to it deliberately.
      version = ">= 4.78, < 5.0"
    }
  }
}
