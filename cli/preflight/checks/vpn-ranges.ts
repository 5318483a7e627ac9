import { problems, skipped, type Check } from '../types';
import { cidrWithin, sameSet, shown } from './support';

/**
 * Both ends of the VPN must agree on what lies behind it: AWS routes exactly Terraform's VNet ranges into the tunnel,
 * peers with Terraform's BGP ASN, and Azure's NSGs admit the EKS VPC (aws_vpc_cidrs). A miss drops the signals and
 * the trainers' updates silently at the network.
 */
export const vpnRangesCheck: Check = {
  name: 'vpn-ranges',
  run: ({ config, terraform, terraformOutputs }) => {
    const { vnetCidrs, bgpAsn, routing } = config.azure.vpn;
    const azureRanges = terraformOutputs?.vnetCidrs ?? terraform.vnetAddressSpaces;
    const admitted = terraform.awsVpcCidrs;
    if (azureRanges === undefined && admitted === undefined) return skipped("terraform's address spaces are expressions; pass --terraform-outputs");
    const vpcCidr = config.eks.vpcCidr;
    return problems(
      azureRanges !== undefined && !sameSet(vnetCidrs, azureRanges) &&
        `CDK config azure.vpn.vnetCidrs ${shown(vnetCidrs)} differ from terraform's VNet address spaces ${shown(azureRanges)}`,
      admitted !== undefined && !admitted.some((cidr) => cidrWithin(vpcCidr, cidr)) &&
        `terraform aws_vpc_cidrs ${shown(admitted)} do not cover the CDK config's eks.vpcCidr ${vpcCidr}: Azure's NSGs drop traffic from EKS`,
      routing === 'bgp' && terraform.vpnBgpAsn !== undefined && terraform.vpnBgpAsn !== bgpAsn &&
        `CDK config azure.vpn.bgpAsn (${bgpAsn}) differs from terraform vpn_gateway.bgp_asn (${terraform.vpnBgpAsn})`,
    );
  },
};
