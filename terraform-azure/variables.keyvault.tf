# The Key Vault and the HMAC key rings it holds (protocol/keys.ts): one secret per purpose, copied from AWS Secrets
# Manager. Where they are written is main.keyvault.tf, who may read which in main.rbac.tf.

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
