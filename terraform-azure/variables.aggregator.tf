variable "aggregator" {
  type = object({
    private_ip      = optional(string)
    dns_zone_name   = optional(string, "spot-on.internal")
    dns_record_name = optional(string, "aggregator")
    port            = optional(number, 8080)
  })
  default     = {}
  description = <<-EOT
    The FL aggregator's internal load balancer, which AWS trainers reach over the VPN. A dynamic frontend address would
    change whenever the Service is recreated and AWS could not resolve it; so the address is fixed and named here, and
    the chart's Service asks for it (output `aggregator.service_annotations`).
    - `private_ip`: frontend address in `spoke_network.subnets.aks_user` (the userpool subnet, where the Service puts
      its frontend); default the subnet's last usable address (10.101.7.254 with the default ranges).
    - `dns_zone_name` / `dns_record_name`: the private zone and record, `aggregator.spot-on.internal` by default; the zone
      is linked to both VNets and AWS forwards it to the DNS Private Resolver (output `aws_dns_forwarding`).
    - `port`: the Service port (the chart's `aggregator.service.port`); must be one of `aws_ingress_ports`.
  EOT

  validation {
    # try(): `||` does not short-circuit, and a null address cannot be put into the CIDR strings below.
    condition = var.aggregator.private_ip == null || try(
      cidrhost("${var.aggregator.private_ip}/32", 0) == var.aggregator.private_ip &&
      cidrhost("${var.aggregator.private_ip}/${split("/", var.spoke_network.subnets.aks_user)[1]}", 0) == cidrhost(var.spoke_network.subnets.aks_user, 0) &&
      !contains([for host in [0, 1, 2, 3, -1] : cidrhost(var.spoke_network.subnets.aks_user, host)], var.aggregator.private_ip),
      false,
    )
    error_message = "aggregator.private_ip must be an IPv4 address inside spoke_network.subnets.aks_user, other than the five addresses Azure reserves in every subnet (network, first three, broadcast)."
  }
  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$", var.aggregator.dns_zone_name)) && !can(regex("(^|\\.)(windows\\.net|azure\\.net|azurecr\\.io|azmk8s\\.io|azurewebsites\\.net)$", var.aggregator.dns_zone_name))
    error_message = "aggregator.dns_zone_name must be a lowercase DNS name with at least two labels (e.g. spot-on.internal), not an Azure service domain."
  }
  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", var.aggregator.dns_record_name))
    error_message = "aggregator.dns_record_name must be one lowercase DNS label, e.g. aggregator."
  }
  validation {
    condition     = contains(var.aws_ingress_ports, var.aggregator.port)
    error_message = "aggregator.port must be one of aws_ingress_ports, or the NSGs would not let AWS trainers reach it."
  }
}
