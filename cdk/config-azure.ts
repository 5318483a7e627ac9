import { z } from 'zod';
import { AsnSchema, CidrSchema, DomainSchema, Ipv4Schema, ipv4InCidr } from './config-primitives';

/** The `azure` section of the CDK configuration: what AWS needs to know about the Azure side. */

/** The private-endpoint zones AWS must resolve through Azure: the function app (brain) and Blob Storage. */
export const AZURE_PRIVATELINK_ZONES = ['privatelink.azurewebsites.net', 'privatelink.blob.core.windows.net'] as const;

/** Azure APIPA range for BGP over AWS VPN tunnels: /30s inside 169.254.21.0-169.254.22.255. */
const TunnelInsideCidrSchema = z
  .string()
  .regex(/^169\.254\.(21|22)\.\d{1,3}\/30$/, 'must be a /30 inside 169.254.21.0/24 or 169.254.22.0/24 (Azure APIPA range)');

export const AzureVpnSchema = z
  .strictObject({
    /** Public IPs of the two instances of the active-active Azure VPN gateway. */
    gatewayPublicIps: z.tuple([Ipv4Schema, Ipv4Schema], { message: 'must list exactly two IPv4 addresses (active-active gateway)' }),
    /** BGP ASN of the Azure VPN gateway. @default 65515 (Azure's default) */
    bgpAsn: AsnSchema.default(65_515),
    /** ASN of the AWS virtual private gateway. @default 64512 */
    amazonSideAsn: AsnSchema.default(64_512),
    /** Azure VNet address spaces reachable over the VPN. */
    vnetCidrs: z.array(CidrSchema).min(1),
    /** `bgp` (dynamic) or `static` routes on the VPN connections. @default bgp */
    routing: z.enum(['bgp', 'static']).default('bgp'),
    /**
     * Tunnel inside CIDRs per connection (two tunnels each), needed for BGP with Azure APIPA addresses.
     * @default AWS picks them (fine for static routing)
     */
    tunnelInsideCidrs: z.tuple([z.tuple([TunnelInsideCidrSchema, TunnelInsideCidrSchema]), z.tuple([TunnelInsideCidrSchema, TunnelInsideCidrSchema])]).optional(),
    /** Propagate VPN routes into the private route tables (else static routes to the VNet CIDRs). @default true */
    propagateRoutes: z.boolean().default(true),
  })
  .superRefine((vpn, ctx) => {
    if (vpn.gatewayPublicIps[0] === vpn.gatewayPublicIps[1]) {
      ctx.addIssue({ code: 'custom', path: ['gatewayPublicIps'], message: 'must be two different addresses' });
    }
    if (vpn.bgpAsn === vpn.amazonSideAsn) {
      ctx.addIssue({ code: 'custom', path: ['amazonSideAsn'], message: 'must differ from bgpAsn' });
    }
  });

export const AzureDnsSchema = z.strictObject({
  /**
   * Private IPs of the Azure DNS Private Resolver inbound endpoint (Terraform output `dns_resolver_inbound_ip`):
   * the targets of the Route 53 Resolver forwarding rules. Must lie inside `azure.vpn.vnetCidrs`.
   */
  resolverInboundIps: z.array(Ipv4Schema).min(1).max(6),
  /**
   * The aggregator's private zone on Azure (`spot-on.internal`: the non-privatelink domain of Terraform output
   * `aws_dns_forwarding.domains`), or just its name (`aggregator_fqdn`); forwarded so EKS trainers resolve it.
   */
  aggregatorDomain: DomainSchema,
  /** More private zones to forward (e.g. `privatelink.vaultcore.azure.net`). @default [] */
  additionalDomains: z.array(DomainSchema).default([]),
});

export const AzureSchema = z
  .strictObject({
    /** URL of the brain's `POST /api/signals` (Terraform output `signals_url`; the function app's private endpoint). */
    signalsEndpointUrl: z.url({ protocol: /^https$/, message: 'must be an https:// URL' }),
    vpn: AzureVpnSchema,
    dns: AzureDnsSchema,
  })
  .superRefine((azure, ctx) => {
    // Only against valid CIDRs: an invalid one is reported by its own schema already.
    const cidrs = azure.vpn.vnetCidrs.filter((cidr) => CidrSchema.safeParse(cidr).success);
    azure.dns.resolverInboundIps.forEach((ip, index) => {
      if (cidrs.length === azure.vpn.vnetCidrs.length && Ipv4Schema.safeParse(ip).success && !cidrs.some((cidr) => ipv4InCidr(ip, cidr))) {
        ctx.addIssue({ code: 'custom', path: ['dns', 'resolverInboundIps', index], message: 'must lie inside one of azure.vpn.vnetCidrs (it is reached over the VPN)' });
      }
    });
    if (new Set(azure.dns.resolverInboundIps).size !== azure.dns.resolverInboundIps.length) {
      ctx.addIssue({ code: 'custom', path: ['dns', 'resolverInboundIps'], message: 'must not repeat an address' });
    }
    const domains = forwardedDomains(azure.dns);
    if (new Set(domains).size !== domains.length) {
      ctx.addIssue({ code: 'custom', path: ['dns', 'additionalDomains'], message: `must not repeat ${AZURE_PRIVATELINK_ZONES.join(', ')} or aggregatorDomain` });
    }
  });

/** Every domain AWS forwards to Azure: the private-endpoint zones, the aggregator's name, and any additional ones. */
export function forwardedDomains(dns: z.infer<typeof AzureDnsSchema>): string[] {
  return [...AZURE_PRIVATELINK_ZONES, dns.aggregatorDomain, ...dns.additionalDomains];
}
