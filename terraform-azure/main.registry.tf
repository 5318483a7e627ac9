# Container registry for the FL images (replaces Docker Hub in the seed design). Premium is the SKU that supports
# private endpoints; the admin user stays off, AKS pulls with its kubelet identity (AcrPull, main.rbac.tf).

resource "azurerm_container_registry" "this" {
  # checkov:skip=CKV_AZURE_233: set by var.container_registry.zone_redundancy_enabled (default true); checkov does not read optional() defaults
  # checkov:skip=CKV_AZURE_139: set by var.container_registry.public_network_access_enabled (default false); checkov does not read optional() defaults
  # checkov:skip=CKV_AZURE_237: pulls go through the private endpoint; dedicated data endpoints only narrow public firewall rules
  # checkov:skip=CKV_AZURE_164: ACR no longer supports content trust (azurerm 5.0 removes trust_policy_enabled); the chart pins images by digest
  # checkov:skip=CKV_AZURE_165: one region (the AKS cluster is in one region); a replica would double the Premium registry for no reader
  # checkov:skip=CKV_AZURE_166: quarantine holds every pushed image until a scanner releases it; none is wired in, so deployments would stall
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
