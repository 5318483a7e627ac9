# Container registry for the FL images (replaces Docker Hub in the seed design). Premium is the SKU that supports
# private endpoints; the admin user stays off, AKS pulls with its kubelet identity (AcrPull, main.rbac.tf).

resource "azurerm_container_registry" "this" {
  name                          = local.names.container_registry
  location                      = var.location
  resource_group_name           = var.resource_group_name
  sku                           = "Premium"
  admin_enabled                 = false
  anonymous_pull_enabled        = false
  public_network_access_enabled = var.container_registry.public_network_access_enabled
  network_rule_bypass_option    = "AzureServices"
  zone_redundancy_enabled       = var.container_registry.zone_redundancy_enabled
  retention_policy_in_days      = var.container_registry.untagged_retention_days
  tags                          = local.tags

  dynamic "network_rule_set" {
    for_each = length(var.container_registry.allowed_ip_ranges) > 0 ? [var.container_registry.allowed_ip_ranges] : []

    content {
      default_action = "Deny"

      dynamic "ip_rule" {
        for_each = network_rule_set.value

        content {
          action   = "Allow"
          ip_range = ip_rule.value
        }
      }
    }
  }
}
