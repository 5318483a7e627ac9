/**
 * The standby table against the deployment it prices: every resource type the CDK stack synthesizes and the
 * Terraform module declares is either priced (STANDBY_LINES) or declared free with a reason (FREE_RESOURCES), and the
 * quantities and SKUs of the priced lines are those of the example deployment. A new billable resource in cdk/ or
 * terraform-azure/ fails here until it is priced.
 */
import { EXAMPLE_CDK_CONFIG, synthesizeTemplate } from '../../../../local/drill/production/deployment';
import type { CfnTemplate } from '../../../../local/drill/production/aws-template';
import { FREE_RESOURCES, monthlyUsd, standbyFor, standbyMonthly, STANDBY_LINES, type StandbyLine } from '../../../../finops/prices/standby';
import { asObject, blocks, EXAMPLE_MAIN, TerraformModule, type HclObject } from '../../terraform/support/terraform-module';

jest.setTimeout(60_000);

const linesOf = (kind: 'cfn' | 'terraform', type: string) => STANDBY_LINES.filter((line) => line.resource.kind === kind && 'type' in line.resource && line.resource.type === type);
const line = (id: string): StandbyLine => {
  const found = STANDBY_LINES.find((l) => l.id === id);
  if (!found) throw new Error(`no standby line ${id}`);
  return found;
};

describe('the CDK stack', () => {
  let template: CfnTemplate;
  beforeAll(() => {
    template = synthesizeTemplate(EXAMPLE_CDK_CONFIG);
  });
  const countOf = (type: string) => Object.values(template.Resources).filter((r) => r.Type === type).length;

  it('has every resource type priced or declared free', () => {
    const types = [...new Set(Object.values(template.Resources).map((r) => r.Type))].sort();
    const unclassified = types.filter((type) => linesOf('cfn', type).length === 0 && FREE_RESOURCES[type] === undefined);
    expect(unclassified).toStrictEqual([]);
    expect(types).toEqual(expect.arrayContaining(['AWS::EC2::VPNConnection', 'AWS::Route53Resolver::ResolverEndpoint', 'AWS::SecretsManager::Secret']));
  });

  it('prices each type as many times as the template creates it', () => {
    const quantities = STANDBY_LINES.filter((l) => l.resource.kind === 'cfn' && l.id !== 'aws-resolver-eni').map((l) => [l.id, l.quantity]);
    const counts = quantities.map(([id]) => [id, countOf((line(id as string).resource as { type: string }).type)]);
    expect(quantities).toStrictEqual(counts);
    expect(countOf('AWS::EC2::VPNConnection')).toBe(2);
  });

  it('prices the resolver endpoint per ENI: one per IP address it asks for', () => {
    const endpoints = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Route53Resolver::ResolverEndpoint');
    const enis = endpoints.reduce((total, r) => total + (r.Properties?.IpAddresses as unknown[]).length, 0);
    expect(line('aws-resolver-eni').quantity).toBe(enis);
  });

  it('lists no type both as priced and as free', () => {
    const priced = STANDBY_LINES.flatMap((l) => (l.resource.kind === 'implicit' ? [] : [l.resource.type]));
    expect(priced.filter((type) => FREE_RESOURCES[type] !== undefined)).toStrictEqual([]);
  });
});

describe('the Terraform module and its example', () => {
  let tf: TerraformModule;
  let example: HclObject;
  beforeAll(async () => {
    tf = await TerraformModule.load();
    example = blocks(asObject(tf.json(EXAMPLE_MAIN).module, 'module').spot_on_azure, 'spot_on_azure')[0] as HclObject;
  });
  const keysOf = (local: string) => Object.keys(asObject(tf.local(local), local)).length;
  const exampleArg = (name: string) => asObject(example[name], name);
  const variableDefault = (variable: string, attribute: string) => new RegExp(`${attribute} = optional\\((?:string|bool|number), "?([^")]+)"?\\)`).exec(tf.typeOf(variable))?.[1];

  it('has every resource type priced or declared free', () => {
    const types = [...new Set([...tf.resources().keys()].map((address) => address.split('.')[0] as string))].sort();
    const unclassified = types.filter((type) => linesOf('terraform', type).length === 0 && FREE_RESOURCES[type] === undefined);
    expect(unclassified).toStrictEqual([]);
    expect(types).toEqual(expect.arrayContaining(['azurerm_virtual_network_gateway', 'azurerm_kubernetes_cluster_node_pool', 'azurerm_private_endpoint']));
  });

  it('prices the VPN gateway at the example\'s SKU, and one public IP per gateway instance plus the bastion\'s', () => {
    expect(tf.resourcesOfType('azurerm_virtual_network_gateway').size).toBe(1);
    expect(line('azure-vpn-gateway')).toMatchObject({ quantity: 1, sku: exampleArg('vpn_gateway').sku });
    expect(variableDefault('monitoring', 'bastion_public_ip_enabled')).toBe('true');
    expect(line('azure-public-ip').quantity).toBe(keysOf('vpn_gateway_ip_configurations') + 1);
  });

  it('prices the always-on AKS nodes and VMs at the example\'s sizes and counts', () => {
    expect(line('azure-aks-system-nodes')).toMatchObject({ sku: exampleArg('system_node_pool').vm_size, quantity: exampleArg('system_node_pool').node_count });
    expect(line('azure-aks-user-nodes')).toMatchObject({ sku: exampleArg('user_node_pool').vm_size, quantity: exampleArg('user_node_pool').node_count });
    expect(line('azure-aks-gpu-pool')).toMatchObject({ sku: exampleArg('gpu_spot_pool').vm_size, quantity: tf.resource('azurerm_kubernetes_cluster_node_pool', 'gpu_spot').node_count });
    // The deadline safety net idles at 0 nodes like gpuspot: its nodes are priced (on-demand) by the cost ledger.
    expect(line('azure-aks-gpu-on-demand-pool')).toMatchObject({ sku: exampleArg('gpu_on_demand_pool').vm_size, quantity: tf.resource('azurerm_kubernetes_cluster_node_pool', 'gpu_on_demand').node_count, usdPerUnit: 0 });
    expect(line('azure-aks-gpu-on-demand-pool').what).toContain(variableDefault('gpu_on_demand_pool', 'name'));
    expect(line('azure-aks-os-disk').quantity).toBe(Number(exampleArg('system_node_pool').node_count) + Number(exampleArg('user_node_pool').node_count));
    expect(line('azure-aks-control-plane').sku).toBe(variableDefault('aks', 'sku_tier'));
    expect(exampleArg('aks').sku_tier).toBeUndefined();
    expect(Object.keys(asObject(tf.local('vms'), 'vms')).sort()).toStrictEqual(['bastion', 'monitoring']);
    expect([line('azure-vm-bastion').sku, line('azure-vm-monitoring').sku]).toStrictEqual([variableDefault('monitoring', 'bastion_vm_size'), variableDefault('monitoring', 'monitoring_vm_size')]);
    expect(line('azure-vm-os-disk').quantity).toBe(keysOf('vms'));
  });

  it('prices one private endpoint per entry, one zone per private DNS zone, and the resolver\'s inbound endpoint', () => {
    expect(line('azure-private-endpoint').quantity).toBe(keysOf('private_endpoints'));
    expect(line('azure-private-dns-zone').quantity).toBe(keysOf('private_dns_zones'));
    expect(tf.resource('azurerm_private_dns_resolver_inbound_endpoint', 'this').count).toBe('${var.dns_resolver_enabled ? 1 : 0}');
    expect(line('azure-dns-resolver-inbound').quantity).toBe(1);
    expect(line('azure-container-registry').sku).toBe(tf.resource('azurerm_container_registry', 'this').sku);
    expect(line('azure-function-plan').sku).toBe(tf.resource('azurerm_service_plan', 'functions').sku_name);
  });
});

describe('standby arithmetic', () => {
  it('bills hours, days and months on a 730-hour month', () => {
    expect(monthlyUsd(line('aws-resolver-eni'))).toBeCloseTo(2 * 0.125 * 730, 9);
    expect(monthlyUsd(line('azure-container-registry'))).toBeCloseTo((1.667 * 730) / 24, 9);
    expect(monthlyUsd(line('aws-secret'))).toBeCloseTo(1.2, 9);
    expect(monthlyUsd(line('azure-storage'))).toBe(0);
  });

  it('prorates the monthly standby over a duration, per cloud', () => {
    const monthly = standbyMonthly();
    expect(monthly.total).toBeCloseTo(monthly.aws + monthly.azure, 9);
    const hour = standbyFor(3600);
    expect(hour.total).toBeCloseTo(monthly.total / 730, 9);
    expect(hour.azure).toBeCloseTo(monthly.azure / 730, 9);
  });

  it('names a source for every line and prices usage-billed lines at zero', () => {
    expect(STANDBY_LINES.filter((l) => l.source.length === 0)).toStrictEqual([]);
    expect(STANDBY_LINES.filter((l) => l.basis === 'usage' && l.usdPerUnit !== 0)).toStrictEqual([]);
    expect(new Set(STANDBY_LINES.map((l) => l.id)).size).toBe(STANDBY_LINES.length);
  });
});
