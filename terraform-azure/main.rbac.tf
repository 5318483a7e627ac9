# Who may do what. Every grant is scoped to the one resource (or container, or namespace) it is for.

locals {
  function_principal_id = azurerm_function_app_flex_consumption.this.identity[0].principal_id

  function_data_roles = {
    # Checkpoints, failover state (ETag compare-and-swap) and the Functions host's own blobs and leases.
    blob = {
      scope = azurerm_storage_account.this.id
      role  = "Storage Blob Data Contributor"
    }
    # Continuation messages while the GPU pool is still provisioning.
    queue = {
      scope = azurerm_storage_account.this.id
      role  = "Storage Queue Data Contributor"
    }
    # Resolves the SPOTON_SIGNAL_KEYS Key Vault reference: the signal key ring's secret only. The brain verifies
    # signals; it never sees the trainer ring, so a compromised function app cannot speak to the aggregator.
    signal_keys = {
      scope = local.key_ring_scopes["signal"]
      role  = "Key Vault Secrets User"
    }
    # Telemetry with Entra ID auth (the Application Insights resource has local auth disabled).
    telemetry = {
      scope = azurerm_application_insights.functions.id
      role  = "Monitoring Metrics Publisher"
    }
    # Scale the Azure trainer Deployment through the Kubernetes API (PATCH .../deployments/<name>/scale). The cluster uses
    # Azure RBAC for Kubernetes, so this data-plane grant is an Azure role assignment, not a RoleBinding. The built-in
    # RBAC Writer at namespace scope covers deployments/* (scale included) in the trainer namespace and nothing
    # cluster-wide, and cannot change roles or bindings; a custom data-action role would have to guess how Azure maps
    # the scale subresource. Writer can also read Secrets in that namespace, which holds only FL workloads.
    trainer_namespace = {
      scope = "${azurerm_kubernetes_cluster.this.id}/namespaces/${var.aks.trainer_namespace}"
      role  = "Azure Kubernetes Service RBAC Writer"
    }
  }
}

resource "azurerm_role_assignment" "function_app" {
  for_each = local.function_data_roles

  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = local.function_principal_id
  principal_type       = "ServicePrincipal"
  description          = "Spot-On failover functions: ${each.key}"
}

# Scaling a GPU pool is an ARM call (PUT agentPools/<gpuspot>, or agentPools/<gpuondemand> for the deadline safety
# net). "Azure Kubernetes Service Contributor Role" would allow it, but also managedClusters/write: rewriting the whole
# cluster (network, auth, every pool) from a function that takes requests from another cloud. This role allows reading
# the cluster and reading/writing its agent pools only, and is assigned on this one cluster, so it covers both GPU
# pools (a pool-scoped assignment would lose managedClusters/read). It has no listClusterUserCredential: the API server
# address and CA come from app settings (main.functions.tf) instead of a kubeconfig fetched at run time.
resource "azurerm_role_definition" "gpu_pool_operator" {
  count = var.function_app.aks_role == "custom" ? 1 : 0

  name        = "${var.name_prefix} Spot-On agent pool operator"
  scope       = local.resource_group_id
  description = "Read an AKS cluster and read/write its agent pools (scale the GPU pools on failover)."

  permissions {
    actions = [
      "Microsoft.ContainerService/managedClusters/read",
      "Microsoft.ContainerService/managedClusters/agentPools/read",
      "Microsoft.ContainerService/managedClusters/agentPools/write",
      "Microsoft.ContainerService/locations/operations/read",
      "Microsoft.ContainerService/locations/operationresults/read",
    ]
    not_actions = []
  }

  assignable_scopes = [local.resource_group_id]
}

resource "azurerm_role_assignment" "function_app_gpu_pool" {
  scope                = azurerm_kubernetes_cluster.this.id
  role_definition_id   = var.function_app.aks_role == "custom" ? azurerm_role_definition.gpu_pool_operator[0].role_definition_resource_id : null
  role_definition_name = var.function_app.aks_role == "custom" ? null : "Azure Kubernetes Service Contributor Role"
  principal_id         = local.function_principal_id
  principal_type       = "ServicePrincipal"
  description          = "Spot-On failover functions: scale the GPU agent pools (Spot, and on-demand for the deadline safety net)"
}

# Nodes pull FL images from the private registry with the kubelet identity; no registry credentials anywhere.
resource "azurerm_role_assignment" "aks_acr_pull" {
  scope                            = azurerm_container_registry.this.id
  role_definition_name             = "AcrPull"
  principal_id                     = azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
}

# The Key Vault CSI add-on's identity (on every node) is the alternative to the workload identities for the chart's
# SecretProviderClasses (output `key_vault_csi`): it may read both key rings, each on its own secret and nothing else in
# the vault, because one node identity serves the aggregator (signal + trainer) and the trainers (trainer). Being
# shared by every pod on the nodes, it is the broader path; the chart's default is each pod's own workload identity
# (`workload_roles` below). AKS creates the identity, so Entra may not have replicated it yet when this runs.
resource "azurerm_role_assignment" "key_vault_csi" {
  for_each = local.key_ring_scopes

  scope                            = each.value
  role_definition_name             = "Key Vault Secrets User"
  principal_id                     = azurerm_kubernetes_cluster.this.key_vault_secrets_provider[0].secret_identity[0].object_id
  principal_type                   = "ServicePrincipal"
  skip_service_principal_aad_check = true
  description                      = "Key Vault CSI driver of ${azurerm_kubernetes_cluster.this.name}: ${each.key} key ring for the FL pods"
}

# Cluster admins (cluster-admin through aks.admin_group_object_ids) also need to fetch a kubeconfig; Owners have that
# already, admins who are not need this. The API server itself is private: run kubectl from the bastion VM.
resource "azurerm_role_assignment" "aks_admin_cluster_user" {
  for_each = toset(var.aks.admin_group_object_ids)

  scope                = azurerm_kubernetes_cluster.this.id
  role_definition_name = "Azure Kubernetes Service Cluster User Role"
  principal_id         = each.value
  principal_type       = "Group"
  description          = "Spot-On AKS admins: fetch the cluster's kubeconfig"
}

locals {
  workload_roles = merge(
    {
      for name, workload in var.fl_workloads : "${name}-checkpoints" => {
        workload = name
        scope    = local.checkpoint_container_scope
        role     = workload.checkpoint_readonly ? "Storage Blob Data Reader" : "Storage Blob Data Contributor"
      }
    },
    # Every FL workload reads its part of the staged data (trainers their shards, the aggregator the test set), and
    # none may change it: Reader, on the data container only.
    {
      for name, workload in var.fl_workloads : "${name}-training-data" => {
        workload = name
        scope    = local.training_data_container_scope
        role     = "Storage Blob Data Reader"
      }
    },
    # Key Vault Secrets User on each key ring a workload lists in key_vault_secrets, on that ring's secret only: by
    # default the aggregator gets signal (it signs aws-silent signals) and trainer (it verifies the trainers), the
    # trainer gets trainer alone (it signs its requests; it must never sign signals to the brain).
    merge([
      for name, workload in var.fl_workloads : {
        for purpose in workload.key_vault_secrets : "${name}-${purpose}-keys" => {
          workload = name
          scope    = local.key_ring_scopes[purpose]
          role     = "Key Vault Secrets User"
        }
      }
    ]...),
  )
}

resource "azurerm_role_assignment" "workload" {
  for_each = local.workload_roles

  scope                = each.value.scope
  role_definition_name = each.value.role
  principal_id         = azurerm_user_assigned_identity.workload[each.value.workload].principal_id
  principal_type       = "ServicePrincipal"
  description          = "Spot-On FL workload ${each.value.workload}"
}

# Grafana/Prometheus on the monitoring VM read Azure Monitor with the VM's identity, for this resource group only.
resource "azurerm_role_assignment" "monitoring_vm" {
  for_each = toset(["Monitoring Reader", "Log Analytics Reader"])

  scope                = local.resource_group_id
  role_definition_name = each.value
  principal_id         = azurerm_linux_virtual_machine.this["monitoring"].identity[0].principal_id
  principal_type       = "ServicePrincipal"
}
