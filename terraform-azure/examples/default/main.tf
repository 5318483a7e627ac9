terraform {
  # The module's own constraints (../../versions.tf): write-only secrets need 1.11 and azapi 2.5; the argument names
  # used need azurerm 4.78.
  required_version = ">= 1.11, < 2.0"

  required_providers {
    azapi = {
      source  = "Azure/azapi"
      version = ">= 2.5, < 3.0"
    }
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.78, < 5.0"
    }
  }
}

provider "azurerm" {
  subscription_id = var.subscription_id
  # The storage account has shared-key access disabled: any data-plane call the provider makes must use Entra ID.
  storage_use_azuread = true
  # Register only what Spot-On uses (Microsoft.App backs the Flex Consumption VNet integration).
  resource_provider_registrations = "core"
  resource_providers_to_register = [
    "Microsoft.App",
    "Microsoft.ContainerRegistry",
    "Microsoft.ContainerService",
    "Microsoft.Insights",
    "Microsoft.KeyVault",
    "Microsoft.OperationalInsights",
    "Microsoft.OperationsManagement",
    "Microsoft.Web",
  ]

  features {
    key_vault {
      # Purge protection is on; never try to purge on destroy.
      purge_soft_delete_on_destroy = false
    }
    resource_group {
      prevent_deletion_if_contains_resources = true
    }
    storage {
      # The account has no public endpoint: manage it through ARM only, never through its data plane.
      data_plane_available = false
    }
  }
}

provider "azapi" {}

resource "azurerm_resource_group" "this" {
  name     = "ai-fl-mc-dev-rg"
  location = "koreacentral"
  tags = {
    project = "spot-on"
    env     = "dev"
  }
}

module "spot_on_azure" {
  source = "../.."

  name_prefix         = "ai-fl-mc-dev"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  tags = {
    env   = "dev"
    owner = "azure-infra"
  }

  # Must not overlap the EKS VPC (10.0.0.0/16 in the CDK example config).
  hub_network = {
    address_space = ["10.100.0.0/16"]
    subnets = {
      gateway     = "10.100.0.0/27"
      bastion     = "10.100.1.0/27"
      monitoring  = "10.100.2.0/27"
      dns_inbound = "10.100.3.0/28"
    }
  }
  spoke_network = {
    address_space = ["10.101.0.0/16"]
    subnets = {
      aks_system           = "10.101.0.0/22"
      aks_user             = "10.101.4.0/22"
      aks_gpu              = "10.101.8.0/22"
      private_endpoints    = "10.101.12.0/24"
      function_integration = "10.101.13.0/27"
    }
  }
  aws_vpc_cidrs     = ["10.0.0.0/16"]
  aws_ingress_ports = [443, 8080]

  vpn_gateway = {
    sku     = "VpnGw2AZ"
    bgp_asn = 65515
  }
  # Empty on the first apply; then the four AWS tunnels (see terraform.tfvars.example).
  aws_vpn_tunnels     = var.aws_vpn_tunnels
  aws_vpn_shared_keys = var.aws_vpn_shared_keys

  aks = {
    kubernetes_version      = "1.33"
    private_cluster_enabled = true
    admin_group_object_ids  = var.aks_admin_group_object_ids
    trainer_namespace       = "fl"
  }
  system_node_pool = {
    vm_size    = "Standard_B2s"
    node_count = 2
  }
  user_node_pool = {
    vm_size    = "Standard_B2s"
    node_count = 1
  }
  gpu_spot_pool = {
    vm_size        = "Standard_NC4as_T4_v3"
    spot_max_price = -1
    max_count      = 4
  }
  # The deadline safety net: on-demand, 0 nodes (and no cost) until the brain scales it for a run behind its deadline.
  # The same size as the Spot pool, so a run resumed here trains on the same GPU.
  gpu_on_demand_pool = {
    vm_size   = "Standard_NC4as_T4_v3"
    max_count = 4
  }

  storage = {
    runs_retention_days = 30
  }
  # The two key rings Azure holds, copied from AWS Secrets Manager. No *_version: the module derives each from its ring,
  # so a new TF_VAR_signal_keys / TF_VAR_trainer_keys (every rotation step) reaches Key Vault on the next apply.
  signal_keys  = var.signal_keys
  trainer_keys = var.trainer_keys

  # The aggregator's internal load balancer: a fixed address in the userpool subnet, named aggregator.spot-on.internal.
  aggregator = {
    private_ip = "10.101.7.254"
    port       = 8080
  }
  # Set once the EKS cluster exists: EKS trainers then get Entra tokens for the Blob fallback.
  eks_federation = {
    oidc_issuer_url = var.eks_oidc_issuer_url
  }

  function_app = {
    run_id           = "fl-demo-001"
    min_aws_trainers = 3
  }
  # null until a collector runs: then the brain's spans go there (OTEL_EXPORTER_OTLP_ENDPOINT).
  otlp_endpoint = var.otlp_endpoint

  monitoring = {
    ssh_public_key     = var.ssh_public_key
    admin_source_cidrs = var.admin_source_cidrs
  }
}
