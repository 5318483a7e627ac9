variable "aks" {
  type = object({
    kubernetes_version      = optional(string, "1.33")
    sku_tier                = optional(string, "Free")
    private_cluster_enabled = optional(bool, true)
    authorized_ip_ranges    = optional(list(string), [])
    admin_group_object_ids  = list(string)
    automatic_upgrade       = optional(string, "patch")
    node_os_upgrade         = optional(string, "NodeImage")
    pod_cidr                = optional(string, "192.168.0.0/16")
    service_cidr            = optional(string, "172.16.0.0/16")
    dns_service_ip          = optional(string, "172.16.0.10")
    trainer_namespace       = optional(string, "fl")
  })
  description = <<-EOT
    The AKS cluster (Entra ID auth with Azure RBAC, local accounts disabled, workload identity, Azure CNI overlay with
    Cilium).
    - `kubernetes_version`: control-plane version (the seed runs 1.33).
    - `sku_tier`: Free, Standard or Premium.
    - `private_cluster_enabled`: API server only on a private IP in the spoke (the function app reaches it through its
      VNet integration; operators through the bastion VM). When false, limit it with `authorized_ip_ranges`.
    - `admin_group_object_ids` (required): Entra ID groups bound to cluster-admin. Local accounts are off and
      Owner/Contributor carry no Kubernetes data actions, so without one nobody could administer the cluster.
    - `automatic_upgrade` / `node_os_upgrade`: upgrade channels.
    - `pod_cidr` / `service_cidr` / `dns_service_ip`: overlay address ranges; must not overlap the VNets or the AWS VPC.
    - `trainer_namespace`: Kubernetes namespace of the Azure FL trainers; the failover functions may write there only.
  EOT

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+(\\.[0-9]+)?$", var.aks.kubernetes_version))
    error_message = "aks.kubernetes_version must look like 1.33 or 1.33.2."
  }
  validation {
    condition     = contains(["Free", "Standard", "Premium"], var.aks.sku_tier)
    error_message = "aks.sku_tier must be Free, Standard or Premium."
  }
  validation {
    condition     = alltrue([for cidr in var.aks.authorized_ip_ranges : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "aks.authorized_ip_ranges must be valid CIDRs and must not include 0.0.0.0/0."
  }
  validation {
    condition     = !var.aks.private_cluster_enabled || length(var.aks.authorized_ip_ranges) == 0
    error_message = "aks.authorized_ip_ranges apply to a public API server only; leave them empty for a private cluster."
  }
  validation {
    condition     = length(var.aks.admin_group_object_ids) > 0
    error_message = "aks.admin_group_object_ids must list at least one Entra ID group: with local accounts disabled, nobody could administer the cluster otherwise."
  }
  validation {
    condition     = alltrue([for id in var.aks.admin_group_object_ids : can(regex("^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", id))])
    error_message = "aks.admin_group_object_ids must be Entra ID object IDs (GUIDs)."
  }
  validation {
    condition     = contains(["patch", "rapid", "stable", "node-image", "none"], var.aks.automatic_upgrade)
    error_message = "aks.automatic_upgrade must be patch, rapid, stable, node-image or none."
  }
  validation {
    condition     = contains(["Unmanaged", "SecurityPatch", "NodeImage", "None"], var.aks.node_os_upgrade)
    error_message = "aks.node_os_upgrade must be Unmanaged, SecurityPatch, NodeImage or None."
  }
  validation {
    condition     = can(cidrhost(var.aks.pod_cidr, 0)) && can(cidrhost(var.aks.service_cidr, 0)) && can(cidrhost("${var.aks.dns_service_ip}/32", 0))
    error_message = "aks.pod_cidr and aks.service_cidr must be CIDRs and aks.dns_service_ip an IPv4 address."
  }
  validation {
    condition     = can(cidrhost(var.aks.service_cidr, 0)) && try(cidrhost(var.aks.service_cidr, 10) == var.aks.dns_service_ip, false)
    error_message = "aks.dns_service_ip must be the 10th address of aks.service_cidr (the AKS convention, e.g. 172.16.0.10)."
  }
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.aks.trainer_namespace))
    error_message = "aks.trainer_namespace must be a Kubernetes namespace name (RFC 1123 label)."
  }
}

variable "system_node_pool" {
  type = object({
    vm_size    = optional(string, "Standard_B2s")
    node_count = optional(number, 2)
    zones      = optional(list(string))
  })
  default     = {}
  description = "The `system` pool: critical add-ons only (tainted CriticalAddonsOnly). The seed runs two Standard_B2s nodes."

  validation {
    condition     = var.system_node_pool.node_count >= 1 && var.system_node_pool.node_count <= 10
    error_message = "system_node_pool.node_count must be between 1 and 10."
  }
}

variable "user_node_pool" {
  type = object({
    name                 = optional(string, "userpool")
    vm_size              = optional(string, "Standard_B2s")
    node_count           = optional(number, 1)
    auto_scaling_enabled = optional(bool, false)
    min_count            = optional(number, 1)
    max_count            = optional(number, 3)
    zones                = optional(list(string))
  })
  default     = {}
  description = "The always-on `userpool` that runs the FL aggregator (label `spot-on.io/role=aggregator`). Counts apply as min/max when auto_scaling_enabled is true."

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,11}$", var.user_node_pool.name))
    error_message = "user_node_pool.name must be 1-12 lowercase letters and digits, starting with a letter."
  }
  validation {
    condition     = var.user_node_pool.node_count >= 1 && var.user_node_pool.min_count >= 1 && var.user_node_pool.max_count >= var.user_node_pool.min_count && var.user_node_pool.max_count <= 100
    error_message = "user_node_pool needs node_count >= 1, min_count >= 1 and min_count <= max_count <= 100: the aggregator must always have a node."
  }
}

variable "gpu_spot_pool" {
  type = object({
    name           = optional(string, "gpuspot")
    vm_size        = optional(string, "Standard_NC4as_T4_v3")
    spot_max_price = optional(number, -1)
    max_count      = optional(number, 4)
    os_disk_type   = optional(string, "Managed")
    zones          = optional(list(string))
    extra_taints   = optional(list(string), [])
  })
  default     = {}
  description = <<-EOT
    The `gpuspot` pool: Spot priority, eviction Delete, normally 0 nodes. The failover functions raise its min_count
    (and so its node count) when AWS capacity is lost and lower it again on fail-back, so Terraform ignores those
    fields after creation.
    - `vm_size`: a GPU size, e.g. Standard_NC4as_T4_v3 (one T4).
    - `spot_max_price`: USD per hour per VM; -1 means "up to the on-demand price, never evicted for price".
    - `max_count`: the most Azure trainer nodes; also given to the functions as SPOTON_MAX_AZURE_NODES.
    - `extra_taints`: added to the mandatory `kubernetes.azure.com/scalesetpriority=spot:NoSchedule`.
  EOT

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,11}$", var.gpu_spot_pool.name))
    error_message = "gpu_spot_pool.name must be 1-12 lowercase letters and digits, starting with a letter."
  }
  validation {
    condition     = var.gpu_spot_pool.spot_max_price == -1 || var.gpu_spot_pool.spot_max_price > 0
    error_message = "gpu_spot_pool.spot_max_price must be -1 (on-demand price cap) or greater than 0."
  }
  validation {
    condition     = var.gpu_spot_pool.max_count >= 1 && var.gpu_spot_pool.max_count <= 100 && floor(var.gpu_spot_pool.max_count) == var.gpu_spot_pool.max_count
    error_message = "gpu_spot_pool.max_count must be a whole number between 1 and 100."
  }
  validation {
    condition     = can(regex("^Standard_N", var.gpu_spot_pool.vm_size))
    error_message = "gpu_spot_pool.vm_size must be a GPU (N-series) size such as Standard_NC4as_T4_v3."
  }
  validation {
    condition     = contains(["Managed", "Ephemeral"], var.gpu_spot_pool.os_disk_type)
    error_message = "gpu_spot_pool.os_disk_type must be Managed or Ephemeral."
  }
  validation {
    condition     = alltrue([for taint in var.gpu_spot_pool.extra_taints : can(regex("^[^=:]+(=[^:]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$", taint))])
    error_message = "gpu_spot_pool.extra_taints must look like key=value:NoSchedule."
  }
}

variable "gpu_on_demand_pool" {
  type = object({
    name         = optional(string, "gpuondemand")
    vm_size      = optional(string, "Standard_NC4as_T4_v3")
    max_count    = optional(number, 4)
    os_disk_type = optional(string, "Managed")
    zones        = optional(list(string))
    extra_taints = optional(list(string), [])
  })
  default     = {}
  description = <<-EOT
    The `gpuondemand` pool: regular (on-demand) priority, 0 nodes while idle, the deadline safety net. The failover
    functions scale it only when a run with a deadline is behind its uniform progress line and the Spot pool has
    refused for capacity (azure-functions/src/domain/deadline-fallback.ts); they lower it to 0 on fail-back.
    - `vm_size`: a GPU size; the same as gpu_spot_pool's keeps a resumed run on the same hardware.
    - `max_count`: the most on-demand trainer nodes.
    - `extra_taints`: added to `spot-on.io/capacity=on-demand:NoSchedule`, which keeps every pod but the trainers off;
      the trainers and the NVIDIA device plugin must tolerate each of them.
  EOT

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,11}$", var.gpu_on_demand_pool.name))
    error_message = "gpu_on_demand_pool.name must be 1-12 lowercase letters and digits, starting with a letter."
  }
  validation {
    # Pool names are unique per cluster and the brain scales pools by name; ARM would refuse a clash only at apply.
    condition     = !contains(["system", var.user_node_pool.name, var.gpu_spot_pool.name], var.gpu_on_demand_pool.name)
    error_message = "gpu_on_demand_pool.name must differ from the other pools' names (system, user_node_pool.name, gpu_spot_pool.name)."
  }
  validation {
    condition     = var.gpu_on_demand_pool.max_count >= 1 && var.gpu_on_demand_pool.max_count <= 100 && floor(var.gpu_on_demand_pool.max_count) == var.gpu_on_demand_pool.max_count
    error_message = "gpu_on_demand_pool.max_count must be a whole number between 1 and 100."
  }
  validation {
    condition     = can(regex("^Standard_N", var.gpu_on_demand_pool.vm_size))
    error_message = "gpu_on_demand_pool.vm_size must be a GPU (N-series) size such as Standard_NC4as_T4_v3."
  }
  validation {
    condition     = contains(["Managed", "Ephemeral"], var.gpu_on_demand_pool.os_disk_type)
    error_message = "gpu_on_demand_pool.os_disk_type must be Managed or Ephemeral."
  }
  validation {
    condition     = alltrue([for taint in var.gpu_on_demand_pool.extra_taints : can(regex("^[^=:]+(=[^:]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$", taint))])
    error_message = "gpu_on_demand_pool.extra_taints must look like key=value:NoSchedule."
  }
}

variable "fl_workloads" {
  type = map(object({
    namespace           = string
    service_account     = string
    key_vault_secrets   = optional(set(string), [])
    checkpoint_readonly = optional(bool, false)
  }))
  default = {
    aggregator = {
      namespace         = "fl"
      service_account   = "fl-aggregator"
      key_vault_secrets = ["signal", "trainer"]
    }
    trainer = {
      namespace         = "fl"
      service_account   = "fl-trainer"
      key_vault_secrets = ["trainer"]
    }
  }
  description = <<-EOT
    FL workloads on AKS that get a user-assigned identity federated with their Kubernetes service account (workload
    identity). Each gets Storage Blob Data Contributor (or Reader with `checkpoint_readonly`) on the checkpoint
    container only. `key_vault_secrets` lists the key rings (`signal`, `trainer`; protocol/keys.ts) whose Key Vault
    secret the identity may read, each granted on that one secret: the aggregator signs `aws-silent` signals and
    verifies the trainers (both), a trainer signs its requests (trainer only). The same identity serves a workload on
    EKS when `eks_federation` names it.
  EOT

  validation {
    condition     = alltrue([for name, workload in var.fl_workloads : can(regex("^[a-z0-9-]{1,40}$", name)) && can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", workload.namespace)) && can(regex("^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$", workload.service_account))])
    error_message = "fl_workloads keys must be short lowercase names, with valid Kubernetes namespace and service account names."
  }
  validation {
    condition     = alltrue([for workload in var.fl_workloads : alltrue([for purpose in workload.key_vault_secrets : contains(["signal", "trainer"], purpose)])])
    error_message = "fl_workloads key_vault_secrets may list only the key rings in Key Vault: \"signal\" and \"trainer\"."
  }
}

variable "eks_federation" {
  type = object({
    oidc_issuer_url = optional(string)
    workloads       = optional(set(string), ["trainer"])
  })
  default     = {}
  description = <<-EOT
    Trust the EKS cluster's service-account tokens too, so EKS trainers get an Entra token for the Blob fallback.
    - `oidc_issuer_url`: the EKS cluster's OIDC issuer (`aws eks describe-cluster --query cluster.identity.oidc.issuer`,
      e.g. https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE); null (the default) adds no
      federation.
    - `workloads`: keys of `fl_workloads` that run on EKS; each gets a second federated credential with the same
      `system:serviceaccount:<namespace>:<service_account>` subject.
  EOT

  validation {
    # Entra compares the issuer with the token's `iss` claim character for character: no trailing slash.
    condition     = var.eks_federation.oidc_issuer_url == null || can(regex("^https://[^/\\s]+(/[^\\s]*)?[^/\\s]$", coalesce(var.eks_federation.oidc_issuer_url, "x")))
    error_message = "eks_federation.oidc_issuer_url must be an https:// URL without a trailing slash, exactly as EKS reports it."
  }
  validation {
    condition     = var.eks_federation.oidc_issuer_url == null || alltrue([for name in var.eks_federation.workloads : contains(keys(var.fl_workloads), name)])
    error_message = "eks_federation.workloads must name workloads of fl_workloads."
  }
}
