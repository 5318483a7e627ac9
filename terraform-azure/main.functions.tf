# The failover brain: POST /api/signals and GET /api/status on a Flex Consumption function app. Inbound only through
# a private endpoint (AWS Lambdas reach it over the VPN by its privatelink name), outbound through the spoke, storage
# and Key Vault by managed identity.

locals {
  function_app_base_settings = {
    # Identity-based host storage: no connection string, no account key.
    AzureWebJobsStorage__accountName     = azurerm_storage_account.this.name
    AzureWebJobsStorage__credential      = "managedidentity"
    AzureWebJobsStorage__blobServiceUri  = azurerm_storage_account.this.primary_blob_endpoint
    AzureWebJobsStorage__queueServiceUri = azurerm_storage_account.this.primary_queue_endpoint
    # Application Insights with local auth off: telemetry is sent with the app's identity.
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "Authorization=AAD"
    SPOTON_SIGNING_SECRET                     = "@Microsoft.KeyVault(SecretUri=${local.signing_secret_uri})"
    SPOTON_SUBSCRIPTION_ID                    = data.azurerm_client_config.current.subscription_id
    SPOTON_RESOURCE_GROUP                     = var.resource_group_name
    SPOTON_CLUSTER_NAME                       = azurerm_kubernetes_cluster.this.name
    SPOTON_GPU_POOL_NAME                      = azurerm_kubernetes_cluster_node_pool.gpu_spot.name
    SPOTON_TRAINER_NAMESPACE                  = var.aks.trainer_namespace
    SPOTON_STORAGE_ACCOUNT                    = azurerm_storage_account.this.name
    SPOTON_CONTAINER                          = azurerm_storage_container.checkpoints.name
    SPOTON_CONTINUATION_QUEUE                 = azurerm_storage_queue.continuations.name
    SPOTON_RUN_ID                             = var.function_app.run_id
    SPOTON_MAX_AZURE_NODES                    = tostring(var.gpu_spot_pool.max_count)
    SPOTON_MIN_AWS_TRAINERS                   = tostring(var.function_app.min_aws_trainers)
  }

  function_app_settings = merge(local.function_app_base_settings, var.function_app.extra_app_settings)
}

resource "azurerm_service_plan" "functions" {
  name                = local.names.function_plan
  location            = var.location
  resource_group_name = var.resource_group_name
  os_type             = "Linux"
  sku_name            = "FC1"
  tags                = local.tags
}

resource "azurerm_application_insights" "functions" {
  name                          = local.names.app_insights
  location                      = var.location
  resource_group_name           = var.resource_group_name
  workspace_id                  = azurerm_log_analytics_workspace.this.id
  application_type              = "Node.JS"
  local_authentication_disabled = true
  tags                          = local.tags
}

resource "azurerm_function_app_flex_consumption" "this" {
  name                                           = local.names.function_app
  location                                       = var.location
  resource_group_name                            = var.resource_group_name
  service_plan_id                                = azurerm_service_plan.functions.id
  runtime_name                                   = "node"
  runtime_version                                = var.function_app.runtime_version
  maximum_instance_count                         = var.function_app.maximum_instance_count
  instance_memory_in_mb                          = var.function_app.instance_memory_in_mb
  storage_container_type                         = "blobContainer"
  storage_container_endpoint                     = "${azurerm_storage_account.this.primary_blob_endpoint}${azurerm_storage_container.function_releases.name}"
  storage_authentication_type                    = "SystemAssignedIdentity"
  virtual_network_subnet_id                      = azurerm_subnet.function_integration.id
  public_network_access_enabled                  = false
  https_only                                     = true
  webdeploy_publish_basic_authentication_enabled = false
  app_settings                                   = local.function_app_settings
  tags                                           = local.tags

  identity {
    type = "SystemAssigned"
  }

  site_config {
    minimum_tls_version                    = "1.2"
    scm_minimum_tls_version                = "1.2"
    application_insights_connection_string = azurerm_application_insights.functions.connection_string
  }
}

# Work-around for hashicorp/terraform-provider-azurerm#29693: with identity-based deployment storage the provider
# still injects `AzureWebJobsStorage` as a connection string with an empty AccountKey, which the Functions host
# prefers over the `AzureWebJobsStorage__*` identity settings and then fails to start. This rewrites the app settings
# without it, and runs again whenever the provider touches the app.
resource "azapi_update_resource" "function_app_settings" {
  type      = "Microsoft.Web/sites/config@2024-04-01"
  name      = "appsettings"
  parent_id = azurerm_function_app_flex_consumption.this.id
  body = {
    properties = merge(local.function_app_settings, {
      APPLICATIONINSIGHTS_CONNECTION_STRING = azurerm_application_insights.functions.connection_string
    })
  }

  lifecycle {
    replace_triggered_by = [azurerm_function_app_flex_consumption.this]
  }
}

resource "azurerm_private_endpoint" "function_app" {
  name                          = "${local.names.function_app}-pe"
  location                      = var.location
  resource_group_name           = var.resource_group_name
  subnet_id                     = azurerm_subnet.private_endpoints.id
  custom_network_interface_name = "${local.names.function_app}-pe-nic"
  tags                          = local.tags

  private_service_connection {
    name                           = local.names.function_app
    private_connection_resource_id = azurerm_function_app_flex_consumption.this.id
    subresource_names              = ["sites"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.this["sites"].id]
  }
}
