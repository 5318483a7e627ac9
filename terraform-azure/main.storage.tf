# Checkpoint storage: reached only through private endpoints (main.private_endpoints.tf) and only with Entra ID (no
# account keys, no SAS).
# The provider manages the containers and the queue through ARM, so Terraform itself needs no data-plane access.

resource "azurerm_storage_account" "this" {
  # checkov:skip=CKV_AZURE_206: var.storage.replication_type, ZRS by default; geo-replication is a per-deployment choice (failover is to AWS, not a region)
  # checkov:skip=CKV_AZURE_43: local.names.storage_account is the validated name_prefix without hyphens plus "blob", or a validated storage.account_name
  # checkov:skip=CKV_AZURE_33: queue logs go to Log Analytics through the queueServices diagnostic setting (main.monitoring.tf)
  # checkov:skip=CKV2_AZURE_33: blob and queue private endpoints are azurerm_private_endpoint.this (main.private_endpoints.tf), a for_each checkov does not follow
  # checkov:skip=CKV2_AZURE_1: Microsoft-managed keys with infrastructure (double) encryption; a customer key would add a key to rotate, not access control
  name                              = local.names.storage_account
  location                          = var.location
  resource_group_name               = var.resource_group_name
  account_kind                      = "StorageV2"
  account_tier                      = "Standard"
  account_replication_type          = var.storage.replication_type
  access_tier                       = "Hot"
  shared_access_key_enabled         = false
  default_to_oauth_authentication   = true
  min_tls_version                   = "TLS1_2"
  https_traffic_only_enabled        = true
  public_network_access_enabled     = false
  allow_nested_items_to_be_public   = false
  cross_tenant_replication_enabled  = false
  infrastructure_encryption_enabled = true
  local_user_enabled                = false
  sftp_enabled                      = false
  tags                              = local.tags

  blob_properties {
    # Versioning keeps every overwritten LATEST pointer and state document; the lifecycle policy below expires them.
    versioning_enabled = true

    delete_retention_policy {
      days = var.storage.blob_soft_delete_days
    }

    container_delete_retention_policy {
      days = var.storage.container_soft_delete_days
    }
  }

  network_rules {
    default_action = "Deny"
    bypass         = ["AzureServices"]
  }
}

resource "azurerm_storage_container" "checkpoints" {
  # checkov:skip=CKV2_AZURE_21: blob logs go to Log Analytics through the blobServices diagnostic setting (main.monitoring.tf)
  name                  = var.storage.container_name
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

# Staged training data (the chart's data.url blob://<this container>/<prefix>): only shards whose residency allows
# Azure, and the test set. The staging step writes it with its operator's own credentials; the FL workloads only read.
resource "azurerm_storage_container" "training_data" {
  # checkov:skip=CKV2_AZURE_21: blob logs go to Log Analytics through the blobServices diagnostic setting (main.monitoring.tf)
  name                  = var.storage.data_container_name
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_storage_container" "function_releases" {
  # checkov:skip=CKV2_AZURE_21: blob logs go to Log Analytics through the blobServices diagnostic setting (main.monitoring.tf)
  name                  = var.storage.deployment_container
  storage_account_id    = azurerm_storage_account.this.id
  container_access_type = "private"
}

resource "azurerm_storage_queue" "continuations" {
  name               = var.storage.continuation_queue_name
  storage_account_id = azurerm_storage_account.this.id
}

resource "azurerm_storage_management_policy" "this" {
  storage_account_id = azurerm_storage_account.this.id

  # Old rounds of old runs: runs/<runId>/rounds/... written long ago. LATEST and status.json of a live run are
  # rewritten every round, so they stay; state/ (the failover state machine) is never matched.
  rule {
    name    = "expire-old-runs"
    enabled = true

    filters {
      prefix_match = ["${var.storage.container_name}/runs/"]
      blob_types   = ["blockBlob"]
    }

    actions {
      base_blob {
        delete_after_days_since_modification_greater_than = var.storage.runs_retention_days
      }

      version {
        delete_after_days_since_creation = var.storage.runs_retention_days
      }
    }
  }

  # Versions replaced by a round's pointer update, a state write or a re-staging of the training data.
  rule {
    name    = "expire-previous-versions"
    enabled = true

    filters {
      prefix_match = ["${var.storage.container_name}/", "${var.storage.data_container_name}/"]
      blob_types   = ["blockBlob"]
    }

    actions {
      version {
        delete_after_days_since_creation = var.storage.version_retention_days
      }
    }
  }
}
