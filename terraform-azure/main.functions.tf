# The failover brain: POST /api/signals and GET /api/status on a Flex Consumption function app. Inbound only through
# its private endpoint (main.private_endpoints.tf; AWS Lambdas reach it over the VPN by its privatelink name), outbound
# through the spoke, storage and Key Vault by managed identity.

locals {
  # The private API server's name (a public cluster's FQDN otherwise). The function app resolves it through its VNet
  # integration: the privatelink.<region>.azmk8s.io zone is linked to the spoke by AKS (main.dns.tf).
  kubernetes_api_host = var.aks.private_cluster_enabled ? azurerm_kubernetes_cluster.this.private_fqdn : azurerm_kubernetes_cluster.this.fqdn

  # Every setting azure-functions/src/config.ts requires, plus the API server and its CA: the custom agent-pool role
  # deliberately lacks listClusterUserCredential, so the brain cannot discover them through ARM (main.rbac.tf).
  # test/unit/terraform checks this list against the config module.
  function_app_base_settings = {
    # Identity-based host storage: no connection string, no account key. The account-name form is the one the Flex
    # Consumption host resolves reliably: with a managed identity, the per-service __blobServiceUri/__queueServiceUri
    # form left hosts unhealthy with HTTP 401s in 2026 (Azure/azure-functions-host#11782, root cause and workaround in
    # #11787: use __accountName).
    AzureWebJobsStorage__accountName = azurerm_storage_account.this.name
    AzureWebJobsStorage__credential  = "managedidentity"
    # Application Insights with local auth off: telemetry is sent with the app's identity.
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING = "Authorization=AAD"
    # The signal key ring only (protocol/keys.ts): the brain verifies signals and signs nothing.
    SPOTON_SIGNAL_KEYS         = "@Microsoft.KeyVault(SecretUri=${local.signal_keys_secret_uri})"
    SPOTON_SUBSCRIPTION_ID     = data.azurerm_client_config.current.subscription_id
    SPOTON_RESOURCE_GROUP      = var.resource_group_name
    SPOTON_CLUSTER_NAME        = azurerm_kubernetes_cluster.this.name
    SPOTON_GPU_POOL_NAME       = azurerm_kubernetes_cluster_node_pool.gpu_spot.name
    SPOTON_ON_DEMAND_POOL_NAME = azurerm_kubernetes_cluster_node_pool.gpu_on_demand.name
    SPOTON_TRAINER_NAMESPACE   = var.aks.trainer_namespace
    SPOTON_TRAINER_DEPLOYMENT  = var.function_app.trainer_deployment
    SPOTON_KUBERNETES_ENDPOINT = "https://${local.kubernetes_api_host}:443"
    # The cluster CA (base64 PEM, as in a kubeconfig); a public certificate, so it need not hide the settings in plans.
    # After `az aks rotate-certs`, apply again and restart the app.
    SPOTON_KUBERNETES_CA      = nonsensitive(azurerm_kubernetes_cluster.this.kube_config[0].cluster_ca_certificate)
    SPOTON_STORAGE_ACCOUNT    = azurerm_storage_account.this.name
    SPOTON_CONTAINER          = azurerm_storage_container.checkpoints.name
    SPOTON_CONTINUATION_QUEUE = azurerm_storage_queue.continuations.name
    SPOTON_RUN_ID             = var.function_app.run_id
    SPOTON_MAX_AZURE_NODES    = tostring(var.gpu_spot_pool.max_count)
    SPOTON_MIN_AWS_TRAINERS   = tostring(var.function_app.min_aws_trainers)
  }

  # OpenTelemetry span export (protocol/tracer.ts), only when var.otlp_endpoint is set: unset, the brain sends nothing.
  function_app_tracing_settings = var.otlp_endpoint == null ? {} : {
    OTEL_EXPORTER_OTLP_ENDPOINT = var.otlp_endpoint
  }

  function_app_settings = merge(local.function_app_base_settings, local.function_app_tracing_settings, var.function_app.extra_app_settings)
}

resource "azurerm_service_plan" "functions" {
  # checkov:skip=CKV_AZURE_225: a zone-redundant Flex Consumption plan keeps two always-ready instances billed around the clock; the brain scales from zero
  # checkov:skip=CKV_AZURE_212: Flex Consumption (FC1) has no worker count: instances start per request
  name                = local.names.function_plan
  location            = var.location
  resource_group_name = var.resource_group_name
  os_type             = "Linux"
  sku_name            = "FC1"
  tags                = local.tags
}

resource "azurerm_application_insights" "functions" {
  name                         = local.names.app_insights
  location                     = var.location
  resource_group_name          = var.resource_group_name
  workspace_id                 = azurerm_log_analytics_workspace.this.id
  application_type             = "Node.JS"
  local_authentication_enabled = false
  tags                         = local.tags
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

  # App Service resolves a Key Vault reference when the settings are written, then only every 24 h: written once the
  # app has its role on the signal key ring's secret, SPOTON_SIGNAL_KEYS can resolve at once instead of a day later
  # (role propagation can still lag; any app-setting change re-reads it).
  depends_on = [azurerm_role_assignment.function_app]
}
