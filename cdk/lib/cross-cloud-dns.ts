import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import { Construct } from 'constructs';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** A lowercase DNS name of at least two labels, without the trailing dot. */
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;

export interface CrossCloudDnsProps {
  /** The EKS VPC: the endpoint's ENIs live in it and the forwarding rules are associated with it. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the outbound endpoint's network interfaces, one ENI each (2-6; Route 53 needs at least two). Put
   * them in different availability zones; a subnet may repeat when the VPC has only one.
   */
  readonly subnetIds: readonly string[];
  /** Private IPs of the Azure DNS Private Resolver inbound endpoint(s), reached over the VPN (1-6). */
  readonly targetIps: readonly string[];
  /** Domains forwarded to Azure, each with its subdomains (e.g. `privatelink.azurewebsites.net`). */
  readonly domainNames: readonly string[];
  /** Prefix of the endpoint's and rules' names. @default spot-on */
  readonly namePrefix?: string;
}

/**
 * Cross-cloud DNS from AWS to Azure: a Route 53 Resolver outbound endpoint in the EKS VPC, its own security group
 * (DNS out to the Azure resolver only) and one FORWARD rule per domain, associated with the VPC. The Lambdas then
 * resolve `<app>.azurewebsites.net` to the function app's private endpoint, and trainers the blob account and the
 * aggregator, exactly as Azure's own VNets do.
 *
 * Cost: every endpoint ENI is billed per hour whether or not it answers a query (about USD 0.125/h each, so two
 * ENIs are roughly USD 180 a month), plus a per-query charge. Count them in the standby cost.
 */
export class CrossCloudDns extends Construct {
  public readonly endpoint: route53resolver.CfnResolverEndpoint;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The forwarding rules, keyed by domain. */
  public readonly rules: Readonly<Record<string, route53resolver.CfnResolverRule>>;

  constructor(scope: Construct, id: string, props: CrossCloudDnsProps) {
    super(scope, id);
    this.validate(props);
    const prefix = props.namePrefix ?? 'spot-on';
    const label = (domain: string) => domain.replace(/[^A-Za-z0-9]+/g, '-');

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Spot-On Route 53 Resolver outbound endpoint: DNS to the Azure DNS Private Resolver only',
      allowAllOutbound: false,
    });
    for (const ip of props.targetIps) {
      this.securityGroup.addEgressRule(ec2.Peer.ipv4(`${ip}/32`), ec2.Port.udp(53), 'DNS to the Azure resolver inbound endpoint');
      this.securityGroup.addEgressRule(ec2.Peer.ipv4(`${ip}/32`), ec2.Port.tcp(53), 'DNS (large answers) to the Azure resolver inbound endpoint');
    }

    this.endpoint = new route53resolver.CfnResolverEndpoint(this, 'OutboundEndpoint', {
      name: `${prefix}-to-azure`,
      direction: 'OUTBOUND',
      resolverEndpointType: 'IPV4',
      // Azure DNS Private Resolver inbound endpoints speak plain DNS only.
      protocols: ['Do53'],
      // Each entry is an ENI billed hourly (see the class comment).
      ipAddresses: props.subnetIds.map((subnetId) => ({ subnetId })),
      securityGroupIds: [this.securityGroup.securityGroupId],
    });

    const rules: Record<string, route53resolver.CfnResolverRule> = {};
    for (const domainName of props.domainNames) {
      const rule = new route53resolver.CfnResolverRule(this, `Forward-${label(domainName)}`, {
        name: `${prefix}-${label(domainName)}`.slice(0, 64),
        ruleType: 'FORWARD',
        domainName,
        resolverEndpointId: this.endpoint.attrResolverEndpointId,
        targetIps: props.targetIps.map((ip) => ({ ip, port: '53' })),
      });
      new route53resolver.CfnResolverRuleAssociation(this, `Associate-${label(domainName)}`, {
        name: `${prefix}-${label(domainName)}`.slice(0, 64),
        resolverRuleId: rule.attrResolverRuleId,
        vpcId: props.vpc.vpcId,
      });
      rules[domainName] = rule;
    }
    this.rules = rules;
  }

  private validate(props: CrossCloudDnsProps): void {
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    if (props.subnetIds.length < 2 || props.subnetIds.length > 6) fail('subnetIds must list 2-6 subnets (one ENI each)');
    for (const subnetId of props.subnetIds) if (!SUBNET_ID.test(subnetId)) fail(`subnetIds: "${subnetId}" is not a subnet id`);
    if (props.targetIps.length < 1 || props.targetIps.length > 6) fail('targetIps must list 1-6 addresses');
    for (const ip of props.targetIps) if (!IPV4.test(ip)) fail(`targetIps: "${ip}" is not an IPv4 address`);
    if (new Set(props.targetIps).size !== props.targetIps.length) fail('targetIps must not repeat an address');
    if (props.domainNames.length === 0) fail('domainNames must list at least one domain');
    for (const domain of props.domainNames) {
      if (!DOMAIN.test(domain)) fail(`domainNames: "${domain}" is not a lowercase DNS name without a trailing dot`);
    }
    if (new Set(props.domainNames).size !== props.domainNames.length) fail('domainNames must not repeat a domain');
  }
}
