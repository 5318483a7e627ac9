variable "vpn_gateway" {
  type = object({
    sku        = optional(string, "VpnGw2AZ")
    generation = optional(string, "Generation2")
    bgp_asn    = optional(number, 65515)
    zones      = optional(list(string), ["1", "2", "3"])
    apipa_addresses = optional(object({
      primary   = list(string)
      secondary = list(string)
      }), {
      primary   = ["169.254.21.2", "169.254.22.2"]
      secondary = ["169.254.21.6", "169.254.22.6"]
    })
  })
  default     = {}
  description = <<-EOT
    Route-based, active-active VPN gateway with BGP in the hub.
    - `sku` / `generation`: an AZ SKU (VpnGw1AZ-VpnGw5AZ) keeps the gateway zone-redundant in Korea Central.
    - `bgp_asn`: the Azure side's ASN; it must equal the AWS customer gateways' BGP ASN (CDK `azure.vpn.bgpAsn`).
    - `apipa_addresses`: the custom BGP addresses of each gateway instance in 169.254.21.0-169.254.22.255. AWS tunnel
      inside CIDRs are /30s; AWS takes the first host, Azure the second. The defaults match the CDK example's
      tunnelInsideCidrs [[169.254.21.0/30, 169.254.22.0/30], [169.254.21.4/30, 169.254.22.4/30]].
  EOT

  validation {
    condition     = can(regex("^VpnGw[1-5]AZ?$", var.vpn_gateway.sku))
    error_message = "vpn_gateway.sku must be a route-based SKU that supports active-active and BGP: VpnGw1-VpnGw5 or VpnGw1AZ-VpnGw5AZ."
  }
  validation {
    condition     = contains(["Generation1", "Generation2"], var.vpn_gateway.generation)
    error_message = "vpn_gateway.generation must be Generation1 or Generation2."
  }
  validation {
    condition     = var.vpn_gateway.bgp_asn >= 1 && var.vpn_gateway.bgp_asn <= 4294967294 && !contains([65517, 65518, 65519, 65520, 8074, 8075, 12076], var.vpn_gateway.bgp_asn)
    error_message = "vpn_gateway.bgp_asn must be a valid ASN and not one reserved by Azure (65517-65520, 8074, 8075, 12076)."
  }
  validation {
    condition = alltrue([
      for ip in concat(var.vpn_gateway.apipa_addresses.primary, var.vpn_gateway.apipa_addresses.secondary) :
      can(regex("^169\\.254\\.(21|22)\\.([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$", ip))
    ])
    error_message = "vpn_gateway.apipa_addresses must be IPv4 addresses in the Azure APIPA range 169.254.21.0-169.254.22.255."
  }
  validation {
    condition     = length(var.vpn_gateway.apipa_addresses.primary) > 0 && length(var.vpn_gateway.apipa_addresses.secondary) > 0
    error_message = "vpn_gateway.apipa_addresses must give each gateway instance at least one address."
  }
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
  description = <<-EOT
    The AWS Site-to-Site VPN tunnels (two connections x two tunnels = four, one local network gateway and one IPsec
    connection each). Leave empty on the first apply: AWS needs this gateway's public IPs (output `vpn_gateway_public_ips`)
    before it can create the tunnels; then fill this list from the AWS tunnel details and apply again.
    - `name`: short key, e.g. `aws-cn0-t1`; also the key of `aws_vpn_shared_keys`.
    - `aws_outside_ip`: the tunnel's AWS public (outside) address.
    - `aws_inside_ip`: AWS's BGP peer address, the first host of the tunnel inside /30 (e.g. 169.254.21.1).
    - `aws_bgp_asn`: ASN of the AWS virtual private gateway (CDK `amazonSideAsn`).
    - `address_space`: extra static prefixes behind the tunnel; empty with BGP.
    - `azure_custom_bgp_addresses`: the APIPA address each gateway instance uses on this tunnel; `primary` must be one of
      `vpn_gateway.apipa_addresses.primary`, `secondary` one of `.secondary`. A tunnel of AWS connection 0 only comes
      up from the primary instance, so its `secondary` is a placeholder that Azure requires.
  EOT

  validation {
    condition     = length(var.aws_vpn_tunnels) <= 8 && length(distinct([for tunnel in var.aws_vpn_tunnels : tunnel.name])) == length(var.aws_vpn_tunnels)
    error_message = "aws_vpn_tunnels must have unique names and at most 8 entries."
  }
  validation {
    condition     = alltrue([for tunnel in var.aws_vpn_tunnels : can(regex("^[a-z0-9][a-z0-9-]{0,30}$", tunnel.name))])
    error_message = "aws_vpn_tunnels[*].name must be 1-31 lowercase letters, digits and hyphens."
  }
  validation {
    condition     = alltrue([for tunnel in var.aws_vpn_tunnels : can(cidrhost("${tunnel.aws_outside_ip}/32", 0)) && can(cidrhost("${tunnel.aws_inside_ip}/32", 0))])
    error_message = "aws_vpn_tunnels[*].aws_outside_ip and aws_inside_ip must be IPv4 addresses."
  }
  validation {
    condition     = alltrue([for tunnel in var.aws_vpn_tunnels : can(regex("^169\\.254\\.(21|22)\\.", tunnel.aws_inside_ip))])
    error_message = "aws_vpn_tunnels[*].aws_inside_ip must be in the Azure APIPA range 169.254.21.0-169.254.22.255."
  }
  validation {
    condition     = alltrue([for tunnel in var.aws_vpn_tunnels : tunnel.aws_bgp_asn >= 1 && tunnel.aws_bgp_asn <= 4294967294 && tunnel.aws_bgp_asn != var.vpn_gateway.bgp_asn])
    error_message = "aws_vpn_tunnels[*].aws_bgp_asn must be a valid ASN different from vpn_gateway.bgp_asn."
  }
  validation {
    condition     = alltrue([for tunnel in var.aws_vpn_tunnels : alltrue([for cidr in tunnel.address_space : can(cidrhost(cidr, 0))])])
    error_message = "aws_vpn_tunnels[*].address_space must contain valid CIDRs."
  }
  validation {
    condition = alltrue([
      for tunnel in var.aws_vpn_tunnels :
      contains(var.vpn_gateway.apipa_addresses.primary, tunnel.azure_custom_bgp_addresses.primary) &&
      contains(var.vpn_gateway.apipa_addresses.secondary, tunnel.azure_custom_bgp_addresses.secondary)
    ])
    error_message = "aws_vpn_tunnels[*].azure_custom_bgp_addresses must be taken from vpn_gateway.apipa_addresses (primary from .primary, secondary from .secondary)."
  }
}

variable "aws_vpn_shared_keys" {
  type        = map(string)
  default     = {}
  sensitive   = true
  description = "Pre-shared key of each AWS tunnel, keyed by `aws_vpn_tunnels[*].name` (AWS keeps them in Secrets Manager). Never commit these; pass them with TF_VAR_aws_vpn_shared_keys or a secret store."

  validation {
    condition     = alltrue([for tunnel in var.aws_vpn_tunnels : contains(keys(var.aws_vpn_shared_keys), tunnel.name)])
    error_message = "aws_vpn_shared_keys must have a key for every aws_vpn_tunnels[*].name."
  }
  validation {
    # AWS pre-shared keys: 8-64 characters of letters, digits, periods and underscores, not starting with zero.
    condition     = alltrue([for key in values(var.aws_vpn_shared_keys) : can(regex("^[A-Za-z1-9._][A-Za-z0-9._]{7,63}$", key))])
    error_message = "aws_vpn_shared_keys values must be 8-64 letters, digits, periods or underscores and must not start with 0 (the AWS rules)."
  }
}

variable "vpn_ipsec_policy" {
  type = object({
    ike_encryption      = optional(string, "AES256")
    ike_integrity       = optional(string, "SHA256")
    dh_group            = optional(string, "DHGroup14")
    ipsec_encryption    = optional(string, "AES256")
    ipsec_integrity     = optional(string, "SHA256")
    pfs_group           = optional(string, "PFS2048")
    sa_lifetime_seconds = optional(number, 3600)
    sa_datasize_kb      = optional(number, 102400000)
    dpd_timeout_seconds = optional(number, 45)
  })
  default     = {}
  description = "Custom IKEv2/IPsec policy of every AWS connection. The defaults are accepted by AWS tunnels (AES256, SHA256, DH group 14, PFS group 14); the SA lifetime is 3600 s because AWS caps phase 2 at one hour, below Azure's default of 27000 s."

  validation {
    condition     = contains(["AES128", "AES192", "AES256", "GCMAES128", "GCMAES256"], var.vpn_ipsec_policy.ike_encryption)
    error_message = "vpn_ipsec_policy.ike_encryption must be AES128, AES192, AES256, GCMAES128 or GCMAES256."
  }
  validation {
    condition     = contains(["SHA256", "SHA384", "GCMAES128", "GCMAES256"], var.vpn_ipsec_policy.ike_integrity)
    error_message = "vpn_ipsec_policy.ike_integrity must be SHA256, SHA384, GCMAES128 or GCMAES256 (no MD5/SHA1)."
  }
  validation {
    condition     = contains(["DHGroup14", "DHGroup24", "ECP256", "ECP384", "DHGroup2048"], var.vpn_ipsec_policy.dh_group)
    error_message = "vpn_ipsec_policy.dh_group must be DHGroup14, DHGroup2048, DHGroup24, ECP256 or ECP384."
  }
  validation {
    condition     = contains(["AES128", "AES192", "AES256", "GCMAES128", "GCMAES192", "GCMAES256"], var.vpn_ipsec_policy.ipsec_encryption)
    error_message = "vpn_ipsec_policy.ipsec_encryption must be an AES or GCMAES cipher."
  }
  validation {
    condition     = contains(["SHA256", "GCMAES128", "GCMAES192", "GCMAES256"], var.vpn_ipsec_policy.ipsec_integrity)
    error_message = "vpn_ipsec_policy.ipsec_integrity must be SHA256 or a GCMAES mode (no MD5/SHA1)."
  }
  validation {
    condition     = contains(["PFS2048", "PFS14", "PFS24", "ECP256", "ECP384"], var.vpn_ipsec_policy.pfs_group)
    error_message = "vpn_ipsec_policy.pfs_group must be PFS2048, PFS14, PFS24, ECP256 or ECP384 (PFS is required)."
  }
  validation {
    condition     = var.vpn_ipsec_policy.sa_lifetime_seconds >= 900 && var.vpn_ipsec_policy.sa_lifetime_seconds <= 3600
    error_message = "vpn_ipsec_policy.sa_lifetime_seconds must be between 900 and 3600 (the AWS phase 2 range)."
  }
  validation {
    condition     = var.vpn_ipsec_policy.sa_datasize_kb >= 1024
    error_message = "vpn_ipsec_policy.sa_datasize_kb must be at least 1024."
  }
  validation {
    condition     = var.vpn_ipsec_policy.dpd_timeout_seconds >= 9 && var.vpn_ipsec_policy.dpd_timeout_seconds <= 3600
    error_message = "vpn_ipsec_policy.dpd_timeout_seconds must be between 9 and 3600."
  }
}
