locals {
  # Storage accounts and registries allow no hyphens: "ai-fl-mc-dev" becomes "aiflmcdev" (the seed's aiflmcdevblob).
  compact_prefix = replace(var.name_prefix, "-", "")

  # Built rather than read: the example creates the group in the same apply, so a data source could not read it yet.
  resource_group_id = "/subscriptions/${data.azurerm_client_config.current.subscription_id}/resourceGroups/${var.resource_group_name}"

  tags = merge(
    {
      project      = "spot-on"
      "managed-by" = "terraform"
    },
    var.tags,
  )

  names = {
    hub_vnet           = "${var.name_prefix}-hub-vnet"
    spoke_vnet         = "${var.name_prefix}-spoke-aks-vnet"
    vpn_gateway        = "${var.name_prefix}-vpngw"
    dns_resolver       = "${var.name_prefix}-dnspr"
    aks                = "${var.name_prefix}-aks"
    aks_identity       = "${var.name_prefix}-aks-id"
    storage_account    = coalesce(var.storage.account_name, "${local.compact_prefix}blob")
    container_registry = coalesce(var.container_registry.name, "${local.compact_prefix}acr")
    key_vault          = coalesce(var.key_vault.name, "${var.name_prefix}-kv")
    function_plan      = "${var.name_prefix}-func-plan"
    function_app       = coalesce(var.function_app.name, "${var.name_prefix}-func")
    app_insights       = "${var.name_prefix}-func-appi"
    log_analytics      = "${var.name_prefix}-law"
    bastion_vm         = "${var.name_prefix}-bastion-vm"
    monitoring_vm      = "${var.name_prefix}-mon-vm"
  }

  # Gateway instance name -> ip_configuration name; APIPA BGP addresses hang off these names.
  vpn_gateway_ip_configurations = {
    primary   = "vnetGatewayConfig1"
    secondary = "vnetGatewayConfig2"
  }

  aws_vpn_tunnels = { for tunnel in var.aws_vpn_tunnels : tunnel.name => tunnel }

  # The exact blob container scope used by the data-plane roles of the FL workloads.
  checkpoint_container_scope = "${azurerm_storage_account.this.id}/blobServices/default/containers/${azurerm_storage_container.checkpoints.name}"
  # The same for the staged training data, which the FL workloads may only read.
  training_data_container_scope = "${azurerm_storage_account.this.id}/blobServices/default/containers/${azurerm_storage_container.training_data.name}"

  # Secret-level scopes of the key rings, by purpose: Key Vault RBAC accepts a role assignment on one secret, so each
  # reader gets exactly the rings it needs (main.rbac.tf). Built from the secrets themselves, so a role is assigned only
  # once its secret exists.
  key_ring_scopes = { for purpose, secret in azapi_resource.key_ring : purpose => "${azurerm_key_vault.this.id}/secrets/${secret.name}" }

  # Versionless Key Vault reference: the app picks up a rotated ring without a Terraform change (main.functions.tf).
  signal_keys_secret_uri = "${azurerm_key_vault.this.vault_uri}secrets/${azapi_resource.key_ring["signal"].name}"
}
