import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CrossCloudDns, type CrossCloudDnsProps } from '../../../cdk/lib/cross-cloud-dns';
import { buildTestApp, exampleConfig, scratchApp, setAt } from './helpers';

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

const FORWARDED = ['privatelink.azurewebsites.net', 'privatelink.blob.core.windows.net', 'spot-on.internal'];

describe('cross-cloud DNS from the example configuration', () => {
  let template: Template;
  let endpointId: string;
  let securityGroupId: string;
  beforeAll(() => {
    template = templateFor();
    endpointId = Object.keys(template.findResources('AWS::Route53Resolver::ResolverEndpoint'))[0] as string;
    securityGroupId = Object.keys(
      template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('Resolver outbound endpoint') } }),
    )[0] as string;
  });

  it('creates one outbound endpoint with an ENI in each of two private subnets, behind its own security group', () => {
    template.resourceCountIs('AWS::Route53Resolver::ResolverEndpoint', 1);
    template.hasResourceProperties('AWS::Route53Resolver::ResolverEndpoint', {
      Direction: 'OUTBOUND',
      ResolverEndpointType: 'IPV4',
      Protocols: ['Do53'],
      IpAddresses: [{ SubnetId: 'subnet-0a1b2c3d4e5f60001' }, { SubnetId: 'subnet-0a1b2c3d4e5f60002' }],
      SecurityGroupIds: [{ 'Fn::GetAtt': [securityGroupId, 'GroupId'] }],
    });
  });

  it('lets the endpoint send DNS (UDP and TCP 53) to the Azure resolver inbound endpoint and nowhere else', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: 'vpc-0a1b2c3d4e5f60718',
      SecurityGroupEgress: [
        Match.objectLike({ CidrIp: '10.100.3.4/32', IpProtocol: 'udp', FromPort: 53, ToPort: 53 }),
        Match.objectLike({ CidrIp: '10.100.3.4/32', IpProtocol: 'tcp', FromPort: 53, ToPort: 53 }),
      ],
      SecurityGroupIngress: Match.absent(),
    });
  });

  it('forwards the function app, blob and aggregator zones to the Azure resolver', () => {
    template.resourceCountIs('AWS::Route53Resolver::ResolverRule', FORWARDED.length);
    for (const domainName of FORWARDED) {
      template.hasResourceProperties('AWS::Route53Resolver::ResolverRule', {
        RuleType: 'FORWARD',
        DomainName: domainName,
        ResolverEndpointId: { 'Fn::GetAtt': [endpointId, 'ResolverEndpointId'] },
        TargetIps: [{ Ip: '10.100.3.4', Port: '53' }],
      });
    }
  });

  it('associates every rule with the EKS VPC', () => {
    const rules = Object.keys(template.findResources('AWS::Route53Resolver::ResolverRule'));
    template.resourceCountIs('AWS::Route53Resolver::ResolverRuleAssociation', rules.length);
    for (const rule of rules) {
      template.hasResourceProperties('AWS::Route53Resolver::ResolverRuleAssociation', {
        ResolverRuleId: { 'Fn::GetAtt': [rule, 'ResolverRuleId'] },
        VPCId: 'vpc-0a1b2c3d4e5f60718',
      });
    }
  });
});

describe('cross-cloud DNS variants', () => {
  it('puts both ENIs in the only private subnet of a one-zone VPC, and forwards additional domains', () => {
    const template = templateFor({
      'eks.availabilityZones': ['ap-northeast-2a'],
      'eks.privateSubnetIds': ['subnet-0a1b2c3d4e5f60001'],
      'eks.privateRouteTableIds': ['rtb-0a1b2c3d4e5f60001'],
      'azure.dns.resolverInboundIps': ['10.100.3.4', '10.100.3.5'],
      'azure.dns.additionalDomains': ['privatelink.vaultcore.azure.net'],
    });
    template.hasResourceProperties('AWS::Route53Resolver::ResolverEndpoint', {
      IpAddresses: [{ SubnetId: 'subnet-0a1b2c3d4e5f60001' }, { SubnetId: 'subnet-0a1b2c3d4e5f60001' }],
    });
    template.resourceCountIs('AWS::Route53Resolver::ResolverRule', 4);
    template.allResourcesProperties('AWS::Route53Resolver::ResolverRule', {
      TargetIps: [{ Ip: '10.100.3.4', Port: '53' }, { Ip: '10.100.3.5', Port: '53' }],
    });
  });
});

describe('CrossCloudDns validation', () => {
  const valid = (stack: Stack): CrossCloudDnsProps => ({
    vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['us-west-2a'] }),
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    targetIps: ['10.100.3.4'],
    domainNames: ['privatelink.azurewebsites.net'],
  });
  it.each<[string, Partial<CrossCloudDnsProps>, string]>([
    ['one ENI only', { subnetIds: ['subnet-0123456789abcdef0'] }, 'subnetIds must list 2-6 subnets (one ENI each)'],
    ['no target', { targetIps: [] }, 'targetIps must list 1-6 addresses'],
    ['a target that is no address', { targetIps: ['azure-dns'] }, 'targetIps: "azure-dns" is not an IPv4 address'],
    ['a trailing dot', { domainNames: ['privatelink.azurewebsites.net.'] }, 'domainNames: "privatelink.azurewebsites.net." is not a lowercase DNS name without a trailing dot'],
    ['a repeated domain', { domainNames: ['a.example', 'a.example'] }, 'domainNames must not repeat a domain'],
  ])('rejects %s', (_what, overrides, message) => {
    const stack = new Stack(scratchApp(), 'Test');
    expect(() => new CrossCloudDns(stack, 'Dns', { ...valid(stack), ...overrides })).toThrow(`Test/Dns: ${message}`);
  });
});
