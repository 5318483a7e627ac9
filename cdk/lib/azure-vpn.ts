import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;

export interface AzureVpnProps {
  /** Id of the VPC to attach the virtual private gateway to (the EKS VPC). */
  readonly vpcId: string;
  /** Route tables that get routes to Azure (the private subnets'). */
  readonly routeTableIds: readonly string[];
  /** Public IPs of the two instances of the active-active Azure VPN gateway. */
  readonly azureGatewayIps: readonly [string, string];
  /** Azure address spaces (VNet CIDRs) reachable over the VPN. */
  readonly azureCidrs: readonly string[];
  /** BGP ASN of the Azure VPN gateway. @default 65515 */
  readonly azureBgpAsn?: number;
  /** ASN of the AWS virtual private gateway. @default 64512 */
  readonly amazonSideAsn?: number;
  /** `bgp` or `static` routing on the VPN connections. @default 'bgp' */
  readonly routing?: 'bgp' | 'static';
  /** Inside CIDRs of the two tunnels of each connection (Azure APIPA /30s for BGP). @default chosen by AWS */
  readonly tunnelInsideCidrs?: readonly [readonly [string, string], readonly [string, string]];
  /** Propagate VPN routes into the route tables; false adds static routes to `azureCidrs` instead. @default true */
  readonly propagateRoutes?: boolean;
  /** Where AWS keeps the tunnels' pre-shared keys. @default 'SecretsManager' (readable for the Azure side) */
  readonly preSharedKeyStorage?: 'SecretsManager' | 'Standard';
  /** Prefix of the Name tags. @default spot-on */
  readonly namePrefix?: string;
}

/**
 * Site-to-site VPN from the EKS VPC to the active-active Azure VPN gateway: a virtual private gateway attached to
 * the VPC, one customer gateway and one two-tunnel IKEv2 connection per Azure gateway instance (four tunnels),
 * and routes to the Azure VNets in the private route tables.
 */
export class AzureVpn extends Construct {
  public readonly vpnGateway: ec2.CfnVPNGateway;
  public readonly attachment: ec2.CfnVPCGatewayAttachment;
  public readonly customerGateways: readonly ec2.CfnCustomerGateway[];
  public readonly connections: readonly ec2.CfnVPNConnection[];

  constructor(scope: Construct, id: string, props: AzureVpnProps) {
    super(scope, id);
    const routing = props.routing ?? 'bgp';
    const azureBgpAsn = props.azureBgpAsn ?? 65_515;
    const amazonSideAsn = props.amazonSideAsn ?? 64_512;
    const namePrefix = props.namePrefix ?? 'spot-on';
    this.validate(props, azureBgpAsn, amazonSideAsn);
    const name = (suffix: string) => [{ key: 'Name', value: `${namePrefix}-${suffix}` }];

    this.vpnGateway = new ec2.CfnVPNGateway(this, 'VpnGateway', {
      type: 'ipsec.1',
      amazonSideAsn,
      tags: name('vgw'),
    });
    this.attachment = new ec2.CfnVPCGatewayAttachment(this, 'Attachment', {
      vpcId: props.vpcId,
      vpnGatewayId: this.vpnGateway.ref,
    });

    const customerGateways: ec2.CfnCustomerGateway[] = [];
    const connections: ec2.CfnVPNConnection[] = [];
    props.azureGatewayIps.forEach((ipAddress, index) => {
      const customerGateway = new ec2.CfnCustomerGateway(this, `AzureGateway${index}`, {
        type: 'ipsec.1',
        ipAddress,
        bgpAsn: azureBgpAsn,
        tags: name(`azure-gw-${index}`),
      });
      const insideCidrs = props.tunnelInsideCidrs?.[index];
      const connection = new ec2.CfnVPNConnection(this, `Connection${index}`, {
        type: 'ipsec.1',
        vpnGatewayId: this.vpnGateway.ref,
        customerGatewayId: customerGateway.ref,
        staticRoutesOnly: routing === 'static',
        preSharedKeyStorage: props.preSharedKeyStorage ?? 'SecretsManager',
        vpnTunnelOptionsSpecifications: [0, 1].map((tunnel) => ({
          ikeVersions: [{ value: 'ikev2' }],
          ...(insideCidrs ? { tunnelInsideCidr: insideCidrs[tunnel] } : {}),
        })),
        tags: name(`azure-vpn-${index}`),
      });
      connection.addResourceDependency(this.attachment, 'the virtual private gateway must be attached to the VPC first');
      if (routing === 'static') {
        props.azureCidrs.forEach((destinationCidrBlock, cidrIndex) => {
          new ec2.CfnVPNConnectionRoute(this, `StaticRoute${index}-${cidrIndex}`, {
            vpnConnectionId: connection.ref,
            destinationCidrBlock,
          });
        });
      }
      customerGateways.push(customerGateway);
      connections.push(connection);
    });
    this.customerGateways = customerGateways;
    this.connections = connections;

    if (props.propagateRoutes ?? true) {
      const propagation = new ec2.CfnVPNGatewayRoutePropagation(this, 'RoutePropagation', {
        routeTableIds: [...props.routeTableIds],
        vpnGatewayId: this.vpnGateway.ref,
      });
      propagation.addResourceDependency(this.attachment, 'the virtual private gateway must be attached to the VPC first');
    } else {
      props.routeTableIds.forEach((routeTableId, tableIndex) => {
        props.azureCidrs.forEach((destinationCidrBlock, cidrIndex) => {
          const route = new ec2.CfnRoute(this, `AzureRoute${tableIndex}-${cidrIndex}`, {
            routeTableId,
            destinationCidrBlock,
            gatewayId: this.vpnGateway.ref,
          });
          route.addResourceDependency(this.attachment, 'the virtual private gateway must be attached to the VPC first');
        });
      });
    }
  }

  private validate(props: AzureVpnProps, azureBgpAsn: number, amazonSideAsn: number): void {
    const fail = (message: string): never => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    if (props.azureGatewayIps.length !== 2) fail('azureGatewayIps must list exactly two addresses (active-active)');
    for (const ip of props.azureGatewayIps) if (!IPV4.test(ip)) fail(`azureGatewayIps: "${ip}" is not an IPv4 address`);
    if (props.azureGatewayIps[0] === props.azureGatewayIps[1]) fail('azureGatewayIps must be two different addresses');
    if (props.azureCidrs.length === 0) fail('azureCidrs must list at least one CIDR');
    for (const cidr of props.azureCidrs) if (!CIDR.test(cidr)) fail(`azureCidrs: "${cidr}" is not an IPv4 CIDR`);
    if (props.routeTableIds.length === 0) fail('routeTableIds must list at least one route table');
    if (azureBgpAsn === amazonSideAsn) fail('azureBgpAsn and amazonSideAsn must differ');
    const inside = props.tunnelInsideCidrs?.flat() ?? [];
    if (new Set(inside).size !== inside.length) fail('tunnelInsideCidrs must be four different /30s');
  }
}
