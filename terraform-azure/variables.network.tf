variable "hub_network" {
  type = object({
    address_space = list(string)
    subnets = object({
      gateway     = string
      bastion     = string
      monitoring  = string
      dns_inbound = string
    })
  })
  default = {
    address_space = ["10.100.0.0/16"]
    subnets = {
      gateway     = "10.100.0.0/27"
      bastion     = "10.100.1.0/27"
      monitoring  = "10.100.2.0/27"
      dns_inbound = "10.100.3.0/28"
    }
  }
  description = <<-EOT
    Hub VNet of the hub-spoke topology: the VPN gateway (`GatewaySubnet`), the bastion VM, the monitoring VM and the
    DNS Private Resolver inbound endpoint. Its address space must not overlap the spoke or the AWS VPC.
  EOT

  validation {
    condition     = alltrue([for cidr in concat(var.hub_network.address_space, values(var.hub_network.subnets)) : can(cidrhost(cidr, 0))])
    error_message = "hub_network.address_space and hub_network.subnets must be valid IPv4 CIDRs."
  }
  validation {
    condition     = can(cidrhost(var.hub_network.subnets.gateway, 0)) && try(tonumber(split("/", var.hub_network.subnets.gateway)[1]) <= 27, false)
    error_message = "hub_network.subnets.gateway must be /27 or larger (an active-active VPN gateway with BGP needs it)."
  }
  validation {
    condition     = try(tonumber(split("/", var.hub_network.subnets.dns_inbound)[1]) >= 24 && tonumber(split("/", var.hub_network.subnets.dns_inbound)[1]) <= 28, false)
    error_message = "hub_network.subnets.dns_inbound must be between /28 and /24 (DNS Private Resolver limits)."
  }
}

variable "spoke_network" {
  type = object({
    address_space = list(string)
    subnets = object({
      aks_system           = string
      aks_user             = string
      aks_gpu              = string
      private_endpoints    = string
      function_integration = string
    })
  })
  default = {
    address_space = ["10.101.0.0/16"]
    subnets = {
      aks_system           = "10.101.0.0/22"
      aks_user             = "10.101.4.0/22"
      aks_gpu              = "10.101.8.0/22"
      private_endpoints    = "10.101.12.0/24"
      function_integration = "10.101.13.0/27"
    }
  }
  description = <<-EOT
    Spoke VNet for the workload: one node subnet per AKS pool role (system, userpool, and aks_gpu for both GPU pools,
    gpuspot and gpuondemand; pods use the CNI overlay and take no subnet addresses), the private endpoints, and the
    Flex Consumption VNet-integration subnet (delegated to Microsoft.App/environments).
  EOT

  validation {
    condition     = alltrue([for cidr in concat(var.spoke_network.address_space, values(var.spoke_network.subnets)) : can(cidrhost(cidr, 0))])
    error_message = "spoke_network.address_space and spoke_network.subnets must be valid IPv4 CIDRs."
  }
  validation {
    condition     = try(tonumber(split("/", var.spoke_network.subnets.function_integration)[1]) <= 27, false)
    error_message = "spoke_network.subnets.function_integration must be /27 or larger for Flex Consumption scale-out."
  }
}

variable "aws_vpc_cidrs" {
  type        = list(string)
  default     = ["10.0.0.0/16"]
  description = "Address ranges of the AWS side (the EKS VPC) reached over the VPN. Used in NSG rules: AWS Lambdas call the function app's private endpoint, AWS trainers reach Blob Storage and the aggregator, Route 53 Resolver queries the DNS inbound endpoint."

  validation {
    condition     = length(var.aws_vpc_cidrs) > 0 && alltrue([for cidr in var.aws_vpc_cidrs : can(cidrhost(cidr, 0)) && cidr != "0.0.0.0/0"])
    error_message = "aws_vpc_cidrs must list at least one valid CIDR, and not 0.0.0.0/0."
  }
}

variable "aws_ingress_ports" {
  type        = list(number)
  default     = [443, 8080]
  description = "TCP ports of the FL aggregator's internal load balancer (its fixed address, variable `aggregator`) that AWS trainers may reach over the VPN."

  validation {
    condition     = alltrue([for port in var.aws_ingress_ports : port >= 1 && port <= 65535 && floor(port) == port])
    error_message = "aws_ingress_ports must be whole numbers between 1 and 65535."
  }
}

variable "dns_resolver_enabled" {
  type        = bool
  default     = true
  description = "Create the Azure DNS Private Resolver and its inbound endpoint, which AWS Route 53 Resolver forwards the zones of output `aws_dns_forwarding` to over the VPN. Turn off only when a shared hub resolver already answers for these zones (then link them to its VNet yourself)."
}
