variable "subscription_id" {
  type        = string
  description = "Azure subscription to deploy into (azurerm 4.x requires it; ARM_SUBSCRIPTION_ID works too)."
}

variable "signal_keys" {
  type        = string
  sensitive   = true
  description = "Signal key ring (1-3 comma-separated keys): the value of the AWS Secrets Manager secret of the CDK output SignalKeysSecretArn. Pass it with TF_VAR_signal_keys."
}

variable "trainer_keys" {
  type        = string
  sensitive   = true
  description = "Trainer key ring (1-3 comma-separated keys): the value of the AWS Secrets Manager secret of the CDK output TrainerKeysSecretArn. Pass it with TF_VAR_trainer_keys."
}

variable "aws_vpn_tunnels" {
  type = list(object({
    name           = string
    aws_outside_ip = string
    aws_inside_ip  = string
    aws_bgp_asn    = optional(number, 64512)
    address_space  = optional(list(string), [])
    azure_custom_bgp_addresses = object({
      primary   = string
      secondary = string
    })
  }))
  default     = []
  description = "AWS VPN tunnels; leave empty until the AWS side exists (see terraform.tfvars.example)."
}

variable "aws_vpn_shared_keys" {
  type        = map(string)
  default     = {}
  sensitive   = true
  description = "Pre-shared key per tunnel name, from AWS Secrets Manager. Pass them with TF_VAR_aws_vpn_shared_keys."
}

variable "ssh_public_key" {
  type        = string
  description = "OpenSSH public key for the bastion and monitoring VMs."
}

variable "admin_source_cidrs" {
  type        = list(string)
  description = "Public CIDRs allowed to SSH to the bastion VM (your office or home egress, e.g. 198.51.100.7/32)."
}

variable "aks_admin_group_object_ids" {
  type        = list(string)
  description = "Entra ID groups that administer the AKS cluster (at least one: local accounts are disabled). `az ad group show --group <name> --query id -o tsv`."

  validation {
    condition     = length(var.aks_admin_group_object_ids) > 0
    error_message = "aks_admin_group_object_ids must list at least one Entra ID group object ID."
  }
}

variable "eks_oidc_issuer_url" {
  type        = string
  default     = null
  description = "OIDC issuer of the EKS cluster (`aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer --output text`); null until the AWS stack exists."
}

variable "otlp_endpoint" {
  type        = string
  default     = null
  description = "OTLP/HTTP base URL of an OpenTelemetry Collector the function app reaches over the spoke (e.g. http://10.101.7.253:4318, an internal load balancer in front of a collector with the azuremonitor exporter); null: the brain sends no spans."
}
