import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, exampleConfig, setAt } from './helpers';

jest.setTimeout(60_000);

/** Synthesizes the whole stack from the example configuration with `changes` applied (no bundling, no nag). */
function templateFor(changes: Record<string, unknown> = {}): Template {
  const config = exampleConfig((json) => {
    for (const [dottedPath, value] of Object.entries(changes)) setAt(json, dottedPath, value);
  });
  const built = buildTestApp(config, { nag: false, bundle: false });
  try {
    return Template.fromStack(built.stack);
  } finally {
    built.dispose();
  }
}

describe('AzureVpn from the example configuration (BGP, route propagation)', () => {
  let template: Template;
  beforeAll(() => {
    template = templateFor();
  });

  it('attaches a virtual private gateway with the Amazon-side ASN to the EKS VPC', () => {
    const vgw = Object.keys(template.findResources('AWS::EC2::VPNGateway', { Properties: { Type: 'ipsec.1', AmazonSideAsn: 64512 } }));
    expect(vgw).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::VPCGatewayAttachment', {
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      VpnGatewayId: { Ref: vgw[0] },
    });
  });

  it('creates one customer gateway per Azure active-active instance with the Azure BGP ASN', () => {
    template.resourceCountIs('AWS::EC2::CustomerGateway', 2);
    for (const ipAddress of ['20.41.64.10', '20.41.64.11']) {
      template.hasResourceProperties('AWS::EC2::CustomerGateway', { IpAddress: ipAddress, BgpAsn: 65515, Type: 'ipsec.1' });
    }
  });

  it('creates two BGP IKEv2 connections with the APIPA tunnel inside CIDRs', () => {
    template.resourceCountIs('AWS::EC2::VPNConnection', 2);
    const cidrs = [
      ['169.254.21.0/30', '169.254.22.0/30'],
      ['169.254.21.4/30', '169.254.22.4/30'],
    ];
    for (const [first, second] of cidrs) {
      template.hasResourceProperties('AWS::EC2::VPNConnection', {
        StaticRoutesOnly: false,
        PreSharedKeyStorage: 'SecretsManager',
        VpnTunnelOptionsSpecifications: [
          { IKEVersions: [{ Value: 'ikev2' }], TunnelInsideCidr: first },
          { IKEVersions: [{ Value: 'ikev2' }], TunnelInsideCidr: second },
        ],
      });
    }
    template.resourceCountIs('AWS::EC2::VPNConnectionRoute', 0);
  });

  it('propagates VPN routes into the private route tables after the attachment', () => {
    const attachment = Object.keys(template.findResources('AWS::EC2::VPCGatewayAttachment'))[0] as string;
    template.hasResource('AWS::EC2::VPNGatewayRoutePropagation', {
      Properties: { RouteTableIds: ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002'] },
      DependsOn: [attachment],
    });
    template.resourceCountIs('AWS::EC2::Route', 0);
  });
});

describe('AzureVpn with static routing and explicit routes', () => {
  let template: Template;
  beforeAll(() => {
    template = templateFor({
      'azure.vpn.routing': 'static',
      'azure.vpn.propagateRoutes': false,
      'azure.vpn.tunnelInsideCidrs': undefined,
      'azure.vpn.bgpAsn': 65010,
    });
  });

  it('creates static-route connections with one route per VNet CIDR each', () => {
    template.allResourcesProperties('AWS::EC2::VPNConnection', {
      StaticRoutesOnly: true,
      VpnTunnelOptionsSpecifications: [{ IKEVersions: [{ Value: 'ikev2' }] }, { IKEVersions: [{ Value: 'ikev2' }] }],
    });
    template.allResourcesProperties('AWS::EC2::CustomerGateway', { BgpAsn: 65010 });
    template.resourceCountIs('AWS::EC2::VPNConnectionRoute', 4);
    for (const cidr of ['10.100.0.0/16', '10.101.0.0/16']) {
      expect(Object.keys(template.findResources('AWS::EC2::VPNConnectionRoute', { Properties: { DestinationCidrBlock: cidr } }))).toHaveLength(2);
    }
  });

  it('routes every VNet CIDR through the gateway in every private route table', () => {
    template.resourceCountIs('AWS::EC2::VPNGatewayRoutePropagation', 0);
    template.resourceCountIs('AWS::EC2::Route', 4);
    const vgw = Object.keys(template.findResources('AWS::EC2::VPNGateway'))[0] as string;
    for (const routeTableId of ['rtb-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60002']) {
      for (const cidr of ['10.100.0.0/16', '10.101.0.0/16']) {
        template.hasResource('AWS::EC2::Route', {
          Properties: { RouteTableId: routeTableId, DestinationCidrBlock: cidr, GatewayId: { Ref: vgw } },
          DependsOn: [Match.stringLikeRegexp('Attachment')],
        });
      }
    }
  });
});
