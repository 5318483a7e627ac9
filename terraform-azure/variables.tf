variable "name_prefix" {
  type        = string
  description = "Prefix of every resource name, in the seed's style `<project>-<env>` (for example `ai-fl-mc-dev`). Lowercase letters, digits and hyphens, 3-16 characters; hyphens are dropped where Azure forbids them (storage account, registry)."

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-16 characters of lowercase letters, digits and hyphens, start with a letter and not end with a hyphen."
  }
}

variable "location" {
  type        = string
  default     = "koreacentral"
  description = "Azure region of every resource. The team design runs in Korea Central."

  validation {
    condition     = can(regex("^[a-z0-9]+$", var.location))
    error_message = "location must be an Azure region name such as koreacentral (lowercase, no spaces)."
  }
}

variable "resource_group_name" {
  type        = string
  description = "Name of an existing resource group that receives every resource of this module (the example creates it)."

  validation {
    condition     = can(regex("^[-\\w._()]{1,90}$", var.resource_group_name))
    error_message = "resource_group_name must be 1-90 characters of letters, digits, underscores, periods, hyphens and parentheses."
  }
}

variable "tags" {
  type        = map(string)
  default     = {}
  description = "Tags added to every resource, merged over the module's own `project` and `managed-by` tags."
}

variable "storage" {
  type = object({
    account_name               = optional(string)
    replication_type           = optional(string, "ZRS")
    container_name             = optional(string, "spot-on")
    data_container_name        = optional(string, "spot-on-data")
    deployment_container       = optional(string, "function-releases")
    continuation_queue_name    = optional(string, "spot-on-continuations")
    runs_retention_days        = optional(number, 30)
    version_retention_days     = optional(number, 7)
    blob_soft_delete_days      = optional(number, 7)
    container_soft_delete_days = optional(number, 7)
  })
  default     = {}
  description = <<-EOT
    Checkpoint storage (Blob, plus the queue the failover functions use for continuations).
    - `account_name`: globally unique account name; defaults to `<prefix without hyphens>blob` (the seed's `aiflmcdevblob`).
    - `replication_type`: LRS, ZRS, GRS, RAGRS, GZRS or RAGZRS.
    - `container_name`: the blob container of the checkpoint layout (`runs/`, `state/`).
    - `data_container_name`: the blob container of the staged training data (`<prefix>/shards/<id>.spoton`,
      `<prefix>/test.spoton`), written by the staging step with its operator's own credentials; the FL workload
      identities may only read it.
    - `deployment_container`: container holding the Flex Consumption deployment package.
    - `continuation_queue_name`: queue of continuation messages (pool not ready yet, poll again).
    - `runs_retention_days`: blobs under `runs/` not modified for this many days are deleted (old rounds of old runs).
    - `version_retention_days`: previous blob versions (kept by versioning) are deleted after this many days.
    - `blob_soft_delete_days` / `container_soft_delete_days`: soft-delete windows.
  EOT

  validation {
    condition     = var.storage.account_name == null || can(regex("^[a-z0-9]{3,24}$", coalesce(var.storage.account_name, "x")))
    error_message = "storage.account_name must be 3-24 lowercase letters or digits."
  }
  validation {
    condition     = contains(["LRS", "ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"], var.storage.replication_type)
    error_message = "storage.replication_type must be one of LRS, ZRS, GRS, RAGRS, GZRS, RAGZRS."
  }
  validation {
    condition     = alltrue([for name in [var.storage.container_name, var.storage.data_container_name, var.storage.deployment_container] : can(regex("^[a-z0-9](-?[a-z0-9]){2,62}$", name))])
    error_message = "storage container names must be 3-63 lowercase letters, digits and single hyphens."
  }
  validation {
    # The workloads write checkpoints but only read data: one container for both would let them overwrite shards.
    condition     = length(distinct([var.storage.container_name, var.storage.data_container_name, var.storage.deployment_container])) == 3
    error_message = "storage.container_name, storage.data_container_name and storage.deployment_container must be three different containers."
  }
  validation {
    condition     = can(regex("^[a-z0-9](-?[a-z0-9]){2,62}$", var.storage.continuation_queue_name))
    error_message = "storage.continuation_queue_name must be 3-63 lowercase letters, digits and single hyphens."
  }
  validation {
    condition     = var.storage.runs_retention_days >= 1 && var.storage.runs_retention_days <= 3650 && floor(var.storage.runs_retention_days) == var.storage.runs_retention_days
    error_message = "storage.runs_retention_days must be a whole number of days between 1 and 3650."
  }
  validation {
    condition     = var.storage.version_retention_days >= 1 && var.storage.version_retention_days <= 3650
    error_message = "storage.version_retention_days must be between 1 and 3650."
  }
  validation {
    condition     = var.storage.blob_soft_delete_days >= 1 && var.storage.blob_soft_delete_days <= 365 && var.storage.container_soft_delete_days >= 1 && var.storage.container_soft_delete_days <= 365
    error_message = "storage soft-delete windows must be between 1 and 365 days."
  }
}

variable "container_registry" {
  type = object({
    name                          = optional(string)
    zone_redundancy_enabled       = optional(bool, true)
    public_network_access_enabled = optional(bool, false)
    allowed_ip_ranges             = optional(list(string), [])
    untagged_retention_days       = optional(number, 7)
  })
  default     = {}
  description = <<-EOT
    Azure Container Registry (Premium, because private endpoints need Premium), replacing Docker Hub for the FL images.
    - `name`: globally unique registry name; defaults to `<prefix without hyphens>acr`.
    - `public_network_access_enabled` / `allowed_ip_ranges`: keep public access off; if CI must push from outside the VNet,
      enable it and list the CI egress ranges (everything else is denied).
    - `untagged_retention_days`: untagged manifests are purged after this many days.
  EOT

  validation {
    condition     = var.container_registry.name == null || can(regex("^[a-zA-Z0-9]{5,50}$", coalesce(var.container_registry.name, "x")))
    error_message = "container_registry.name must be 5-50 letters or digits."
  }
  validation {
    condition     = alltrue([for cidr in var.container_registry.allowed_ip_ranges : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "container_registry.allowed_ip_ranges must be valid CIDRs and must not include 0.0.0.0/0."
  }
  validation {
    condition     = length(var.container_registry.allowed_ip_ranges) == 0 || var.container_registry.public_network_access_enabled
    error_message = "container_registry.allowed_ip_ranges only take effect with public_network_access_enabled = true."
  }
  validation {
    condition     = var.container_registry.untagged_retention_days >= 0 && var.container_registry.untagged_retention_days <= 365
    error_message = "container_registry.untagged_retention_days must be between 0 and 365."
  }
}

variable "monitoring" {
  type = object({
    log_retention_days        = optional(number, 30)
    daily_quota_gb            = optional(number, -1)
    admin_username            = optional(string, "azureuser")
    ssh_public_key            = string
    bastion_vm_size           = optional(string, "Standard_B1s")
    monitoring_vm_size        = optional(string, "Standard_B2s")
    bastion_public_ip_enabled = optional(bool, true)
    admin_source_cidrs        = optional(list(string), [])
    aks_log_categories        = optional(list(string), ["kube-audit-admin", "guard", "cluster-autoscaler"])
    alert_emails              = optional(list(string), [])
  })
  description = <<-EOT
    Log Analytics and the two B-series VMs of the seed design (`<prefix>-bastion-vm`, `<prefix>-mon-vm`).
    - `log_retention_days`: Log Analytics retention (30-730).
    - `daily_quota_gb`: Log Analytics daily cap in GB, -1 for none.
    - `admin_username` / `ssh_public_key`: SSH login of both VMs; passwords are disabled.
    - `bastion_vm_size` / `monitoring_vm_size`: B-series sizes (the seed uses Standard_B1s and Standard_B2s).
    - `bastion_public_ip_enabled`: give the jump host a public IP; SSH is then open only to `admin_source_cidrs`.
    - `aks_log_categories`: AKS resource-log categories sent to Log Analytics (`cluster-autoscaler` shows the GPU pool's scaling).
    - `alert_emails`: who is mailed when the brain fails or refuses signals (main.alerts.tf); the alerts exist either way.
  EOT

  validation {
    condition     = var.monitoring.log_retention_days >= 30 && var.monitoring.log_retention_days <= 730
    error_message = "monitoring.log_retention_days must be between 30 and 730."
  }
  validation {
    condition     = var.monitoring.daily_quota_gb == -1 || var.monitoring.daily_quota_gb > 0
    error_message = "monitoring.daily_quota_gb must be -1 (no cap) or greater than 0."
  }
  validation {
    condition     = can(regex("^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp(256|384|521)) ", var.monitoring.ssh_public_key))
    error_message = "monitoring.ssh_public_key must be an OpenSSH public key (ssh-rsa, ssh-ed25519 or ecdsa-sha2-*)."
  }
  validation {
    condition     = can(regex("^Standard_B", var.monitoring.bastion_vm_size)) && can(regex("^Standard_B", var.monitoring.monitoring_vm_size))
    error_message = "monitoring VM sizes must be B-series (Standard_B...), as in the team design."
  }
  validation {
    condition     = alltrue([for cidr in var.monitoring.admin_source_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "monitoring.admin_source_cidrs must be valid CIDRs and must not include 0.0.0.0/0."
  }
  validation {
    condition     = !var.monitoring.bastion_public_ip_enabled || length(var.monitoring.admin_source_cidrs) > 0
    error_message = "monitoring.admin_source_cidrs must list at least one CIDR when bastion_public_ip_enabled is true."
  }
  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.monitoring.admin_username)) && !contains(["admin", "root", "administrator"], var.monitoring.admin_username)
    error_message = "monitoring.admin_username must be a valid Linux user name other than admin, root or administrator."
  }
}
