# AKS with the seed's three pools: `system` (critical add-ons only), `userpool` (the FL aggregator, always on) and
# `gpuspot` (Spot GPU trainers, normally 0 nodes, scaled by the failover functions), plus `gpuondemand` (on-demand GPU
# trainers at 0 nodes, the deadline safety net). The FL workload identities are in main.workload_identity.tf.

resource "azurerm_user_assigned_identity" "aks" {
  name                = local.names.aks_identity
  location            = var.location
  resource_group_name = var.resource_group_name
  tags                = local.tags
}

# The control plane manages load balancers and NICs in our own subnets, so it needs rights on the spoke before the
# cluster is created; a user-assigned identity makes that ordering possible.
resource "azurerm_role_assignment" "aks_network_contributor" {
  scope                = azurerm_virtual_network.spoke.id
  role_definition_name = "Network Contributor"
  principal_id         = azurerm_user_assigned_identity.aks.principal_id
  principal_type       = "ServicePrincipal"
}

# A private API server gets its record in our own zone, linked to hub and spoke, so the bastion VM in the hub and the
# function app in the spoke both resolve it (the AKS-managed zone would be linked to the spoke only).
resource "azurerm_role_assignment" "aks_private_dns_zone_contributor" {
  scope                = azurerm_private_dns_zone.this["aks"].id
  role_definition_name = "Private DNS Zone Contributor"
  principal_id         = azurerm_user_assigned_identity.aks.principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_kubernetes_cluster" "this" {
  # checkov:skip=CKV_AZURE_226: the system pool default size (Standard_B2s) has too little cache and temp disk for an ephemeral OS disk
  # checkov:skip=CKV_AZURE_168: Azure CNI Overlay (network_profile) gives each node 250 pods when max_pods is not set
  # checkov:skip=CKV_AZURE_117: nodes keep no durable data (checkpoints are in Blob); their disks use platform-managed keys
  # checkov:skip=CKV_AZURE_170: sku_tier is var.aks.sku_tier, Free by default for a mostly idle standby cluster; set Standard for the SLA
  # checkov:skip=CKV_AZURE_227: encryption at host needs the subscription feature Microsoft.Compute/EncryptionAtHost, which a module cannot register
  # checkov:skip=CKV_AZURE_116: the Azure Policy add-on runs Gatekeeper on the small system pool; enable it where AKS policies are assigned
  name                              = local.names.aks
  location                          = var.location
  resource_group_name               = var.resource_group_name
  dns_prefix                        = local.names.aks
  kubernetes_version                = var.aks.kubernetes_version
  sku_tier                          = var.aks.sku_tier
  automatic_upgrade_channel         = var.aks.automatic_upgrade == "none" ? null : var.aks.automatic_upgrade
  node_os_upgrade_channel           = var.aks.node_os_upgrade
  private_cluster_enabled           = var.aks.private_cluster_enabled
  private_dns_zone_id               = var.aks.private_cluster_enabled ? azurerm_private_dns_zone.this["aks"].id : null
  local_account_disabled            = true
  role_based_access_control_enabled = true
  oidc_issuer_enabled               = true
  workload_identity_enabled         = true
  tags                              = local.tags

  default_node_pool {
    name                         = "system"
    vm_size                      = var.system_node_pool.vm_size
    node_count                   = var.system_node_pool.node_count
    vnet_subnet_id               = azurerm_subnet.aks["system"].id
    only_critical_addons_enabled = true
    temporary_name_for_rotation  = "systemtmp"
    zones                        = var.system_node_pool.zones
    node_labels = {
      "spot-on.io/role" = "system"
    }

    upgrade_settings {
      max_surge = "10%"
    }
  }

  identity {
    type         = "UserAssigned"
    identity_ids = [azurerm_user_assigned_identity.aks.id]
  }

  # Local accounts are off and Owner/Contributor carry no Kubernetes data actions, so without an admin group nobody
  # could administer the cluster. These groups are bound to cluster-admin; they also get the Cluster User role to fetch
  # a kubeconfig (main.rbac.tf), and reach the private API server from the bastion VM.
  azure_active_directory_role_based_access_control {
    tenant_id              = data.azurerm_client_config.current.tenant_id
    admin_group_object_ids = var.aks.admin_group_object_ids
    azure_rbac_enabled     = true
  }

  network_profile {
    network_plugin      = "azure"
    network_plugin_mode = "overlay"
    network_policy      = "cilium"
    network_data_plane  = "cilium"
    pod_cidr            = var.aks.pod_cidr
    service_cidr        = var.aks.service_cidr
    dns_service_ip      = var.aks.dns_service_ip
    load_balancer_sku   = "standard"
    outbound_type       = "loadBalancer"
  }

  dynamic "api_server_access_profile" {
    for_each = length(var.aks.authorized_ip_ranges) > 0 ? [var.aks.authorized_ip_ranges] : []

    content {
      authorized_ip_ranges = api_server_access_profile.value
    }
  }

  oms_agent {
    log_analytics_workspace_id      = azurerm_log_analytics_workspace.this.id
    msi_auth_for_monitoring_enabled = true
  }

  # The Key Vault CSI driver: the chart mounts each workload's key rings with a SecretProviderClass (and syncs them into
  # a Secret the pods read). Rotation polls the vault every 2 minutes, so each step of a ring rotation reaches the pods
  # without a redeploy. Who may read which ring is in main.rbac.tf; output `key_vault_csi`.
  key_vault_secrets_provider {
    secret_rotation_enabled  = true
    secret_rotation_interval = "2m"
  }

  lifecycle {
    ignore_changes = [default_node_pool[0].node_count]
  }

  depends_on = [
    azurerm_role_assignment.aks_network_contributor,
    azurerm_role_assignment.aks_private_dns_zone_contributor,
  ]
}

resource "azurerm_kubernetes_cluster_node_pool" "user" {
  # checkov:skip=CKV_AZURE_168: Azure CNI Overlay (network_profile) gives each node 250 pods when max_pods is not set
  # checkov:skip=CKV_AZURE_227: encryption at host needs the subscription feature Microsoft.Compute/EncryptionAtHost, which a module cannot register
  name                        = var.user_node_pool.name
  kubernetes_cluster_id       = azurerm_kubernetes_cluster.this.id
  mode                        = "User"
  vm_size                     = var.user_node_pool.vm_size
  vnet_subnet_id              = azurerm_subnet.aks["user"].id
  node_count                  = var.user_node_pool.node_count
  auto_scaling_enabled        = var.user_node_pool.auto_scaling_enabled
  min_count                   = var.user_node_pool.auto_scaling_enabled ? var.user_node_pool.min_count : null
  max_count                   = var.user_node_pool.auto_scaling_enabled ? var.user_node_pool.max_count : null
  temporary_name_for_rotation = "usertmp"
  zones                       = var.user_node_pool.zones
  tags                        = local.tags
  node_labels = {
    "spot-on.io/role" = "aggregator"
  }

  upgrade_settings {
    max_surge = "10%"
  }

  lifecycle {
    ignore_changes = [node_count]
  }
}

resource "azurerm_kubernetes_cluster_node_pool" "gpu_spot" {
  # checkov:skip=CKV_AZURE_168: Azure CNI Overlay (network_profile) gives each node 250 pods when max_pods is not set
  # checkov:skip=CKV_AZURE_227: encryption at host needs the subscription feature Microsoft.Compute/EncryptionAtHost, which a module cannot register
  name                  = var.gpu_spot_pool.name
  kubernetes_cluster_id = azurerm_kubernetes_cluster.this.id
  mode                  = "User"
  vm_size               = var.gpu_spot_pool.vm_size
  vnet_subnet_id        = azurerm_subnet.aks["gpu"].id
  os_disk_type          = var.gpu_spot_pool.os_disk_type
  zones                 = var.gpu_spot_pool.zones
  priority              = "Spot"
  eviction_policy       = "Delete"
  spot_max_price        = var.gpu_spot_pool.spot_max_price
  # Standby: no GPU node runs (or costs) until a failover raises min_count; the autoscaler then adds nodes.
  auto_scaling_enabled = true
  node_count           = 0
  min_count            = 0
  max_count            = var.gpu_spot_pool.max_count
  scale_down_mode      = "Delete"
  tags                 = local.tags
  node_labels = {
    "spot-on.io/role"                       = "trainer"
    "accelerator"                           = "nvidia"
    "kubernetes.azure.com/scalesetpriority" = "spot"
  }
  # AKS puts this taint on every Spot node anyway; declaring it keeps plans clean and documents that the trainer pods
  # (and the NVIDIA device plugin) must tolerate it.
  node_taints = concat(["kubernetes.azure.com/scalesetpriority=spot:NoSchedule"], var.gpu_spot_pool.extra_taints)

  lifecycle {
    # The failover functions (Azure Functions, ARM agent-pool PUT) change these at run time; see README.
    ignore_changes = [node_count, min_count]
  }
}

# The deadline safety net: on-demand GPU capacity at 0 nodes while idle (an empty pool costs nothing). The failover
# functions raise its min_count only for a run behind its deadline whose Spot failover was refused; its taint keeps
# everything but the trainers (which tolerate it) off.
resource "azurerm_kubernetes_cluster_node_pool" "gpu_on_demand" {
  # checkov:skip=CKV_AZURE_168: Azure CNI Overlay (network_profile) gives each node 250 pods when max_pods is not set
  # checkov:skip=CKV_AZURE_227: encryption at host needs the subscription feature Microsoft.Compute/EncryptionAtHost, which a module cannot register
  name                  = var.gpu_on_demand_pool.name
  kubernetes_cluster_id = azurerm_kubernetes_cluster.this.id
  mode                  = "User"
  vm_size               = var.gpu_on_demand_pool.vm_size
  vnet_subnet_id        = azurerm_subnet.aks["gpu"].id
  os_disk_type          = var.gpu_on_demand_pool.os_disk_type
  zones                 = var.gpu_on_demand_pool.zones
  priority              = "Regular"
  auto_scaling_enabled  = true
  node_count            = 0
  min_count             = 0
  max_count             = var.gpu_on_demand_pool.max_count
  scale_down_mode       = "Delete"
  tags                  = local.tags
  node_labels = {
    "spot-on.io/role"     = "trainer"
    "accelerator"         = "nvidia"
    "spot-on.io/capacity" = "on-demand"
  }
  node_taints = concat(["spot-on.io/capacity=on-demand:NoSchedule"], var.gpu_on_demand_pool.extra_taints)

  lifecycle {
    # The failover functions change these at run time, as for gpu_spot.
    ignore_changes = [node_count, min_count]
  }
}
