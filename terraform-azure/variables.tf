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
    condition     = can(regex("^[a-z0-9](-?[a-z0-9]){2,62}$", var.storage.container_name)) && can(regex("^[a-z0-9](-?[a-z0-9]){2,62}$", var.storage.deployment_container))
    error_message = "storage container names must be 3-63 lowercase letters, digits and single hyphens."
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

variable "key_vault" {
  type = object({
    name                       = optional(string)
    sku_name                   = optional(string, "standard")
    soft_delete_retention_days = optional(number, 90)
    signal_keys_secret_name    = optional(string, "spoton-signal-keys")
    trainer_keys_secret_name   = optional(string, "spoton-trainer-keys")
  })
  default     = {}
  description = <<-EOT
    Key Vault holding the HMAC key rings copied from AWS Secrets Manager, one secret per purpose (protocol/keys.ts).
    - `name`: globally unique vault name; defaults to `<prefix>-kv`.
    - `sku_name`: standard or premium.
    - `soft_delete_retention_days`: 7-90; purge protection is always on.
    - `signal_keys_secret_name`: the signal key ring; the function app reads it through a Key Vault reference
      (`SPOTON_SIGNAL_KEYS`), the aggregator through the CSI driver.
    - `trainer_keys_secret_name`: the trainer key ring; the aggregator and the AKS trainers read it through the CSI
      driver, the function app cannot read it.
    Changing a name after the first apply leaves the old secret in the vault (ARM cannot delete vault secrets) and
    fails on its destroy unless it is first removed from state (`terraform state rm`).
  EOT

  validation {
    condition     = var.key_vault.name == null || can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", coalesce(var.key_vault.name, "x")))
    error_message = "key_vault.name must be 3-24 letters, digits and hyphens, starting with a letter."
  }
  validation {
    condition     = contains(["standard", "premium"], var.key_vault.sku_name)
    error_message = "key_vault.sku_name must be standard or premium."
  }
  validation {
    condition     = var.key_vault.soft_delete_retention_days >= 7 && var.key_vault.soft_delete_retention_days <= 90
    error_message = "key_vault.soft_delete_retention_days must be between 7 and 90."
  }
  validation {
    condition     = can(regex("^[0-9a-zA-Z-]{1,127}$", var.key_vault.signal_keys_secret_name)) && can(regex("^[0-9a-zA-Z-]{1,127}$", var.key_vault.trainer_keys_secret_name))
    error_message = "key_vault.signal_keys_secret_name and key_vault.trainer_keys_secret_name must be 1-127 letters, digits and hyphens."
  }
  validation {
    condition     = lower(var.key_vault.signal_keys_secret_name) != lower(var.key_vault.trainer_keys_secret_name)
    error_message = "key_vault.signal_keys_secret_name and key_vault.trainer_keys_secret_name must differ: one secret per key ring."
  }
}

variable "signal_keys" {
  type        = string
  sensitive   = true
  nullable    = false
  description = <<-EOT
    The signal key ring: the aggregator signs its signals (`POST /api/signals`) with it and the function app (the
    failover brain) verifies them; the AWS signal Lambda signs with the same ring.
    A key ring (protocol/keys.ts): 1-3 keys separated by commas, each 32-512 characters of letters, digits and
    `_-+/=.`; signers use the first key, verifiers accept any (see "Key rotation" in the README). The same value as the
    AWS Secrets Manager secret of the CDK output `SignalKeysSecretArn`. Written to Key Vault through ARM as a write-only value:
    it is never stored in Terraform state.
  EOT

  validation {
    condition     = length(split(",", var.signal_keys)) <= 3
    error_message = "signal_keys must be a key ring of 1-3 keys separated by commas."
  }
  validation {
    condition     = !contains(split(",", var.signal_keys), "")
    error_message = "signal_keys must not be empty or hold an empty key (no leading, trailing or doubled comma)."
  }
  validation {
    # Empty keys are reported by the rule above; RE2 needs the hyphen last to read it literally.
    condition     = alltrue([for key in split(",", var.signal_keys) : key == "" || can(regex("^[A-Za-z0-9_+/=.-]{32,512}$", key))])
    error_message = "Each key of signal_keys must be 32-512 characters of letters, digits and _-+/=. only (at least 32 characters, no spaces)."
  }
  validation {
    condition     = length(distinct(split(",", var.signal_keys))) == length(split(",", var.signal_keys))
    error_message = "signal_keys must not hold the same key twice."
  }
}

variable "signal_keys_version" {
  type        = string
  default     = null
  description = <<-EOT
    Leave null (the default): the module derives the Key Vault secret's version from `signal_keys` itself (a SHA-256 of
    it), so a new ring reaches Key Vault on the next apply. Set it only to keep even that digest out of Terraform state;
    then change it (any new string) on every rotation step, because the secret is write-only and Terraform cannot see a
    new value by itself.
  EOT

  validation {
    condition     = var.signal_keys_version == null || can(regex("^[A-Za-z0-9._-]{1,64}$", coalesce(var.signal_keys_version, "x")))
    error_message = "signal_keys_version must be null (derived from signal_keys) or 1-64 letters, digits, periods, underscores or hyphens."
  }
}

variable "trainer_keys" {
  type        = string
  sensitive   = true
  nullable    = false
  description = <<-EOT
    The trainer key ring: trainers on both clouds sign every request to the aggregator with it and the aggregator
    verifies them. Read on AKS through the Key Vault CSI driver; never given to the function app.
    A key ring (protocol/keys.ts): 1-3 keys separated by commas, each 32-512 characters of letters, digits and
    `_-+/=.`; signers use the first key, verifiers accept any (see "Key rotation" in the README). The same value as the
    AWS Secrets Manager secret of the CDK output `TrainerKeysSecretArn`. Written to Key Vault through ARM as a write-only value:
    it is never stored in Terraform state.
  EOT

  validation {
    condition     = length(split(",", var.trainer_keys)) <= 3
    error_message = "trainer_keys must be a key ring of 1-3 keys separated by commas."
  }
  validation {
    condition     = !contains(split(",", var.trainer_keys), "")
    error_message = "trainer_keys must not be empty or hold an empty key (no leading, trailing or doubled comma)."
  }
  validation {
    # Empty keys are reported by the rule above; RE2 needs the hyphen last to read it literally.
    condition     = alltrue([for key in split(",", var.trainer_keys) : key == "" || can(regex("^[A-Za-z0-9_+/=.-]{32,512}$", key))])
    error_message = "Each key of trainer_keys must be 32-512 characters of letters, digits and _-+/=. only (at least 32 characters, no spaces)."
  }
  validation {
    condition     = length(distinct(split(",", var.trainer_keys))) == length(split(",", var.trainer_keys))
    error_message = "trainer_keys must not hold the same key twice."
  }
}

variable "trainer_keys_version" {
  type        = string
  default     = null
  description = <<-EOT
    Leave null (the default): the module derives the Key Vault secret's version from `trainer_keys` itself (a SHA-256 of
    it), so a new ring reaches Key Vault on the next apply. Set it only to keep even that digest out of Terraform state;
    then change it (any new string) on every rotation step, because the secret is write-only and Terraform cannot see a
    new value by itself.
  EOT

  validation {
    condition     = var.trainer_keys_version == null || can(regex("^[A-Za-z0-9._-]{1,64}$", coalesce(var.trainer_keys_version, "x")))
    error_message = "trainer_keys_version must be null (derived from trainer_keys) or 1-64 letters, digits, periods, underscores or hyphens."
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
  })
  description = <<-EOT
    Log Analytics and the two B-series VMs of the seed design (`<prefix>-bastion-vm`, `<prefix>-mon-vm`).
    - `log_retention_days`: Log Analytics retention (30-730).
    - `daily_quota_gb`: Log Analytics daily cap in GB, -1 for none.
    - `admin_username` / `ssh_public_key`: SSH login of both VMs; passwords are disabled.
    - `bastion_vm_size` / `monitoring_vm_size`: B-series sizes (the seed uses Standard_B1s and Standard_B2s).
    - `bastion_public_ip_enabled`: give the jump host a public IP; SSH is then open only to `admin_source_cidrs`.
    - `aks_log_categories`: AKS resource-log categories sent to Log Analytics (`cluster-autoscaler` shows the GPU pool's scaling).
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
