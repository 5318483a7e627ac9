import { ipv4InCidr } from '../../../cdk/config-primitives';
import { azureReservedAddresses } from '../inputs/terraform-names';
import { problems, skipped, type Check } from '../types';
import { sameSet, shown } from './support';

/**
 * Route 53 forwards the Azure zones to the resolver inbound IPs of the CDK config; they must be the inbound endpoint's
 * (the Terraform output when given), else at least inside Terraform's DNS inbound subnet and not an address Azure
 * reserves there. A wrong IP makes every cross-cloud name unresolvable: no signal reaches the brain.
 */
export const resolverIpCheck: Check = {
  name: 'resolver-ip',
  run: ({ config, terraform, terraformOutputs }) => {
    if (terraform.dnsResolverEnabled === false) return skipped('terraform dns_resolver_enabled is false: no inbound endpoint to compare with');
    const ips = config.azure.dns.resolverInboundIps;
    const setting = 'CDK config azure.dns.resolverInboundIps';
    const fromOutput = terraformOutputs?.resolverIps;
    if (fromOutput !== undefined) return problems(!sameSet(ips, fromOutput) && `${setting} ${shown(ips)} differ from terraform output ${shown(fromOutput)}`);
    const subnet = terraform.dnsInboundSubnet;
    if (subnet === undefined) return skipped("terraform's hub_network.subnets.dns_inbound is an expression; pass --terraform-outputs");
    const reserved = azureReservedAddresses(subnet);
    return problems(
      ...ips.map((ip) =>
        !ipv4InCidr(ip, subnet)
          ? `${setting} ${ip} is outside terraform's DNS inbound subnet (hub_network.subnets.dns_inbound ${subnet})`
          : reserved.includes(ip)
            ? `${setting} ${ip} is an address Azure reserves in ${subnet}; the inbound endpoint never gets it`
            : undefined,
      ),
    );
  },
};
