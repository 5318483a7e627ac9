/**
 * What a deployment pays while nothing trains: the resources the CDK stack, the Terraform module and their
 * prerequisites keep running, each priced with its source. The quantities are those of the example deployment
 * (cdk/config.example.json, terraform-azure/examples/default); test/unit/finops/prices/standby-inventory.test.ts checks
 * every resource type of the synthesized template and of the Terraform module against this table and FREE_RESOURCES.
 * Prices are US East list prices (us-east-1 / eastus): the deployment's Seoul and Korea Central prices differ.
 */
import type { Cloud } from '../../protocol/run-status';

/** Where a line comes from: a CloudFormation or Terraform resource type, or something another resource creates. */
export type StandbyResource =
  | { readonly kind: 'cfn'; readonly type: string }
  | { readonly kind: 'terraform'; readonly type: string }
  | { readonly kind: 'implicit'; readonly by: string };

/**
 * `published`: read from a dated public source; `illustrative`: a list price that could not be sourced offline;
 * `usage`: billed by use only (requests, GB, executions), about zero while nothing runs and not in the monthly figure.
 */
export type StandbyBasis = 'published' | 'illustrative' | 'usage';

export interface StandbyLine {
  readonly id: string;
  readonly cloud: Cloud;
  readonly what: string;
  /** compute: nodes, VMs, their disks and control planes (the "no idle compute" claim); network: VPN, DNS, endpoints. */
  readonly category: 'compute' | 'network' | 'platform';
  readonly resource: StandbyResource;
  /** SKU or size, where the price depends on it (checked against the deployment). */
  readonly sku?: string;
  readonly quantity: number;
  readonly unit: 'hour' | 'day' | 'month';
  /** USD per unit per item; 0 for usage-billed lines. */
  readonly usdPerUnit: number;
  readonly basis: StandbyBasis;
  readonly source: string;
}

/** Providers bill a month as 730 hours. */
export const HOURS_PER_MONTH = 730;

const ILLUSTRATIVE = 'illustrative: US list price as commonly published, not verified offline';
const R53 = 'aws.amazon.com/route53/pricing, read 2026-09-20 (transcribed in api-evangelist/amazon-route53-resolver)';
const SECRETS = 'aws.amazon.com/secrets-manager/pricing, read 2026-09-20 (transcribed in api-evangelist/amazon-secrets-manager)';
const PRIVATE_LINK = 'Azure Retail Prices API, Virtual Network Private Link, read 2026-09-17 (transcribed in api-evangelist/microsoft-azure-private-link)';
const EAST_US_2026_10 = 'Azure Retail Prices API, East US, read 2026-10-16 (ChiefGyk3D/Clouds-Against-Humanity wiki, Provider Azure Cost Lesson)';
const EKS = 'EKS standard support, $73 per cluster-month in us-east-1 as quoted by docs.unity.com (self-hosted deployment costs)';
const usage = (why: string) => `usage: ${why}`;

const cfn = (type: string): StandbyResource => ({ kind: 'cfn', type });
const tf = (type: string): StandbyResource => ({ kind: 'terraform', type });
const implicit = (by: string): StandbyResource => ({ kind: 'implicit', by });

/** The standby of the example deployment. */
export const STANDBY_LINES: readonly StandbyLine[] = [
  // AWS: the CDK stack (cdk/lib) and the EKS cluster it names.
  { id: 'aws-vpn-connection', category: 'network', cloud: 'aws', what: 'Site-to-Site VPN connection to Azure (2 tunnels each)', resource: cfn('AWS::EC2::VPNConnection'), quantity: 2, unit: 'hour', usdPerUnit: 0.05, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'aws-resolver-eni', category: 'network', cloud: 'aws', what: 'Route 53 Resolver outbound endpoint ENI', resource: cfn('AWS::Route53Resolver::ResolverEndpoint'), quantity: 2, unit: 'hour', usdPerUnit: 0.125, basis: 'published', source: R53 },
  { id: 'aws-secret', category: 'platform', cloud: 'aws', what: 'Secrets Manager key ring (flush, signal, trainer)', resource: cfn('AWS::SecretsManager::Secret'), quantity: 3, unit: 'month', usdPerUnit: 0.4, basis: 'published', source: SECRETS },
  { id: 'aws-alarm', category: 'platform', cloud: 'aws', what: 'CloudWatch metric alarm (standard resolution)', resource: cfn('AWS::CloudWatch::Alarm'), quantity: 4, unit: 'month', usdPerUnit: 0.1, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'aws-composite-alarm', category: 'platform', cloud: 'aws', what: 'CloudWatch composite alarm aws-training-unhealthy', resource: cfn('AWS::CloudWatch::CompositeAlarm'), quantity: 1, unit: 'month', usdPerUnit: 0.5, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'aws-dashboard', category: 'platform', cloud: 'aws', what: 'CloudWatch dashboard (free if among the account\'s first 3)', resource: cfn('AWS::CloudWatch::Dashboard'), quantity: 1, unit: 'month', usdPerUnit: 3, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'aws-eks-control-plane', category: 'platform', cloud: 'aws', what: 'EKS control plane (the cluster the stack names; created outside it)', resource: implicit('prerequisite: eks.clusterName'), quantity: 1, unit: 'hour', usdPerUnit: 0.1, basis: 'published', source: EKS },
  { id: 'aws-sqs', category: 'platform', cloud: 'aws', what: 'SQS queues (interruption, outbox, two DLQs); Lambda pollers make requests even when idle', resource: cfn('AWS::SQS::Queue'), quantity: 4, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per million requests, mostly within the free tier') },
  { id: 'aws-lambda', category: 'compute', cloud: 'aws', what: 'Lambda functions (interruption, signal)', resource: cfn('AWS::Lambda::Function'), quantity: 2, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per request and GB-second') },
  { id: 'aws-event-source-mapping', category: 'compute', cloud: 'aws', what: 'Lambda SQS event source mappings (their polling is billed as SQS requests)', resource: cfn('AWS::Lambda::EventSourceMapping'), quantity: 2, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('SQS requests') },
  { id: 'aws-s3', category: 'platform', cloud: 'aws', what: 'S3 buckets (training data, access logs)', resource: cfn('AWS::S3::Bucket'), quantity: 2, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per GB-month and request') },
  { id: 'aws-log-group', category: 'platform', cloud: 'aws', what: 'CloudWatch Logs groups of the Lambdas', resource: cfn('AWS::Logs::LogGroup'), quantity: 2, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per GB ingested and stored') },
  { id: 'aws-event-bus', category: 'platform', cloud: 'aws', what: 'EventBridge lifecycle bus (custom events)', resource: cfn('AWS::Events::EventBus'), quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per million custom events') },
  { id: 'aws-event-archive', category: 'platform', cloud: 'aws', what: 'EventBridge archive of lifecycle events', resource: cfn('AWS::Events::Archive'), quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per GB archived') },
  { id: 'aws-container-insights', category: 'platform', cloud: 'aws', what: 'Container Insights add-on (metrics and logs per node, also for the cluster\'s own nodes)', resource: cfn('AWS::EKS::Addon'), quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per observation / GB ingested') },
  { id: 'aws-resolver-rule', category: 'network', cloud: 'aws', what: 'Resolver forwarding rules (queries billed)', resource: cfn('AWS::Route53Resolver::ResolverRule'), quantity: 3, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per million queries') },

  // Azure: terraform-azure (examples/default) and what AKS creates itself.
  { id: 'azure-vpn-gateway', category: 'network', cloud: 'azure', what: 'VPN gateway, active-active (the 4 AWS tunnels are within the SKU\'s included S2S tunnels)', resource: tf('azurerm_virtual_network_gateway'), sku: 'VpnGw2AZ', quantity: 1, unit: 'hour', usdPerUnit: 0.563, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-public-ip', category: 'network', cloud: 'azure', what: 'Standard static public IP (2 VPN gateway instances, the bastion VM)', resource: tf('azurerm_public_ip'), quantity: 3, unit: 'hour', usdPerUnit: 0.005, basis: 'published', source: EAST_US_2026_10 },
  { id: 'azure-aks-control-plane', category: 'platform', cloud: 'azure', what: 'AKS control plane, Free tier', resource: tf('azurerm_kubernetes_cluster'), sku: 'Free', quantity: 1, unit: 'hour', usdPerUnit: 0, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-aks-system-nodes', category: 'compute', cloud: 'azure', what: 'AKS system pool nodes (always on)', resource: tf('azurerm_kubernetes_cluster'), sku: 'Standard_B2s', quantity: 2, unit: 'hour', usdPerUnit: 0.0416, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-aks-user-nodes', category: 'compute', cloud: 'azure', what: 'AKS userpool node for the aggregator (always on)', resource: tf('azurerm_kubernetes_cluster_node_pool'), sku: 'Standard_B2s', quantity: 1, unit: 'hour', usdPerUnit: 0.0416, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-aks-gpu-pool', category: 'compute', cloud: 'azure', what: 'AKS gpuspot pool: 0 nodes at idle (its nodes are in the ledger)', resource: tf('azurerm_kubernetes_cluster_node_pool'), sku: 'Standard_NC4as_T4_v3', quantity: 0, unit: 'hour', usdPerUnit: 0, basis: 'usage', source: usage('per GPU node-second, priced by the cost ledger') },
  { id: 'azure-aks-gpu-on-demand-pool', category: 'compute', cloud: 'azure', what: 'AKS gpuondemand pool (deadline safety net): 0 nodes at idle (its nodes are in the ledger)', resource: tf('azurerm_kubernetes_cluster_node_pool'), sku: 'Standard_NC4as_T4_v3', quantity: 0, unit: 'hour', usdPerUnit: 0, basis: 'usage', source: usage('per GPU node-second at the on-demand price, priced by the cost ledger') },
  { id: 'azure-aks-os-disk', category: 'compute', cloud: 'azure', what: 'AKS node OS disks (managed, 128 GiB Premium SSD P10 assumed; B2s cannot use ephemeral disks)', resource: implicit('azurerm_kubernetes_cluster'), quantity: 3, unit: 'month', usdPerUnit: 19.71, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-aks-load-balancer', category: 'network', cloud: 'azure', what: 'AKS Standard Load Balancer (outbound and the aggregator\'s internal frontend)', resource: implicit('azurerm_kubernetes_cluster'), quantity: 1, unit: 'hour', usdPerUnit: 0.025, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-aks-outbound-ip', category: 'network', cloud: 'azure', what: 'AKS outbound public IP', resource: implicit('azurerm_kubernetes_cluster'), quantity: 1, unit: 'hour', usdPerUnit: 0.005, basis: 'published', source: EAST_US_2026_10 },
  { id: 'azure-vm-bastion', category: 'compute', cloud: 'azure', what: 'Jump host VM (always on)', resource: tf('azurerm_linux_virtual_machine'), sku: 'Standard_B1s', quantity: 1, unit: 'hour', usdPerUnit: 0.0104, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-vm-monitoring', category: 'compute', cloud: 'azure', what: 'Monitoring VM (always on)', resource: tf('azurerm_linux_virtual_machine'), sku: 'Standard_B2s', quantity: 1, unit: 'hour', usdPerUnit: 0.0416, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-vm-os-disk', category: 'compute', cloud: 'azure', what: 'VM OS disks, Standard SSD E4 (30 GiB image default assumed)', resource: implicit('azurerm_linux_virtual_machine'), quantity: 2, unit: 'month', usdPerUnit: 2.4, basis: 'published', source: EAST_US_2026_10 },
  { id: 'azure-private-endpoint', category: 'network', cloud: 'azure', what: 'Private endpoints (blob, queue, Key Vault, registry, function app)', resource: tf('azurerm_private_endpoint'), quantity: 5, unit: 'hour', usdPerUnit: 0.01, basis: 'published', source: PRIVATE_LINK },
  { id: 'azure-private-dns-zone', category: 'network', cloud: 'azure', what: 'Private DNS zones', resource: tf('azurerm_private_dns_zone'), quantity: 7, unit: 'month', usdPerUnit: 0.5, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-dns-resolver-inbound', category: 'network', cloud: 'azure', what: 'DNS Private Resolver inbound endpoint (AWS forwards the Azure zones to it)', resource: tf('azurerm_private_dns_resolver_inbound_endpoint'), quantity: 1, unit: 'month', usdPerUnit: 180, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-container-registry', category: 'platform', cloud: 'azure', what: 'Container registry, Premium (needed for its private endpoint)', resource: tf('azurerm_container_registry'), sku: 'Premium', quantity: 1, unit: 'day', usdPerUnit: 1.667, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-function-app', category: 'compute', cloud: 'azure', what: 'Function App, Flex Consumption, no always-ready instances: nothing while idle', resource: tf('azurerm_function_app_flex_consumption'), quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per execution and GB-second beyond the monthly free grant') },
  { id: 'azure-function-plan', category: 'compute', cloud: 'azure', what: 'Flex Consumption plan FC1', resource: tf('azurerm_service_plan'), sku: 'FC1', quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('billed through the function app') },
  { id: 'azure-storage', category: 'platform', cloud: 'azure', what: 'Storage account (checkpoints, state, data, continuation queue)', resource: tf('azurerm_storage_account'), quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per GB-month and per 10,000 operations') },
  { id: 'azure-key-vault', category: 'platform', cloud: 'azure', what: 'Key Vault (key rings)', resource: tf('azurerm_key_vault'), quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per 10,000 operations; the CSI driver polls every 2 minutes') },
  { id: 'azure-log-analytics', category: 'platform', cloud: 'azure', what: 'Log Analytics workspace (Container Insights, diagnostics, App Insights)', resource: tf('azurerm_log_analytics_workspace'), quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per GB ingested; not zero while AKS runs') },
  { id: 'azure-app-insights', category: 'platform', cloud: 'azure', what: 'Application Insights (workspace-based)', resource: tf('azurerm_application_insights'), quantity: 1, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('billed as Log Analytics ingestion') },
  { id: 'azure-log-alerts', category: 'platform', cloud: 'azure', what: 'Log alert rules on the brain (failures, refused signals), every 5 minutes', resource: tf('azurerm_monitor_scheduled_query_rules_alert_v2'), quantity: 2, unit: 'month', usdPerUnit: 1.5, basis: 'illustrative', source: ILLUSTRATIVE },
  { id: 'azure-vnet-peering', category: 'network', cloud: 'azure', what: 'Hub-spoke VNet peering', resource: tf('azurerm_virtual_network_peering'), quantity: 2, unit: 'month', usdPerUnit: 0, basis: 'usage', source: usage('per GB each way') },
];

/** Resource types that cost nothing by themselves, with the reason (a new type must be priced or listed here). */
export const FREE_RESOURCES: Readonly<Record<string, string>> = {
  'AWS::EC2::CustomerGateway': 'metadata for the VPN connection',
  'AWS::EC2::VPNGateway': 'no hourly charge; the VPN connections are billed',
  'AWS::EC2::VPCGatewayAttachment': 'attachment only',
  'AWS::EC2::VPNGatewayRoutePropagation': 'routing configuration',
  'AWS::EC2::SecurityGroup': 'no charge',
  'AWS::EC2::SecurityGroupIngress': 'no charge',
  'AWS::EKS::AccessEntry': 'no charge',
  'AWS::EKS::PodIdentityAssociation': 'no charge',
  'AWS::Events::Rule': 'rules on AWS service events deliver for free',
  'AWS::IAM::Policy': 'no charge',
  'AWS::IAM::Role': 'no charge',
  'AWS::Route53Resolver::ResolverRuleAssociation': 'no charge; the endpoint and queries are billed',
  'AWS::S3::BucketPolicy': 'no charge',
  'AWS::SQS::QueuePolicy': 'no charge',
  azurerm_user_assigned_identity: 'no charge',
  azurerm_federated_identity_credential: 'no charge',
  azurerm_role_assignment: 'no charge',
  azurerm_role_definition: 'no charge',
  azurerm_virtual_network: 'no charge',
  azurerm_subnet: 'no charge',
  azurerm_network_security_group: 'no charge',
  azurerm_subnet_network_security_group_association: 'no charge',
  azurerm_network_interface: 'no charge',
  azurerm_local_network_gateway: 'metadata for the connections',
  azurerm_virtual_network_gateway_connection: 'within the gateway SKU\'s included site-to-site tunnels',
  azurerm_private_dns_zone_virtual_network_link: 'no charge',
  azurerm_private_dns_a_record: 'billed with its zone',
  azurerm_private_dns_resolver: 'no charge; its endpoints are billed',
  azurerm_storage_container: 'billed with the storage account',
  azurerm_storage_queue: 'billed with the storage account',
  azurerm_storage_management_policy: 'no charge',
  azurerm_monitor_diagnostic_setting: 'ingestion is billed by the Log Analytics workspace',
  azurerm_monitor_action_group: 'emails are free up to a monthly grant; only created when someone receives the alerts',
  azapi_resource: 'Key Vault secrets: billed as vault operations',
  azapi_update_resource: 'configuration of the function app',
};

/** A line's cost for a 730-hour month. */
export function monthlyUsd(line: StandbyLine): number {
  const perItem = line.unit === 'hour' ? line.usdPerUnit * HOURS_PER_MONTH : line.unit === 'day' ? (line.usdPerUnit * HOURS_PER_MONTH) / 24 : line.usdPerUnit;
  return perItem * line.quantity;
}

/** The monthly standby cost with nothing running: in total, per cloud, and the part that is idle compute. */
export function standbyMonthly(lines: readonly StandbyLine[] = STANDBY_LINES): { readonly total: number; readonly aws: number; readonly azure: number; readonly compute: number } {
  const sum = (keep: (line: StandbyLine) => boolean) => lines.filter(keep).reduce((total, line) => total + monthlyUsd(line), 0);
  return { total: sum(() => true), aws: sum((line) => line.cloud === 'aws'), azure: sum((line) => line.cloud === 'azure'), compute: sum((line) => line.category === 'compute') };
}

/** The standby cost of `seconds` of wall-clock time (a run, or a run plus its waiting). */
export function standbyFor(seconds: number, lines: readonly StandbyLine[] = STANDBY_LINES): { readonly total: number; readonly aws: number; readonly azure: number } {
  const monthly = standbyMonthly(lines);
  const share = seconds / (HOURS_PER_MONTH * 3600);
  return { total: monthly.total * share, aws: monthly.aws * share, azure: monthly.azure * share };
}
