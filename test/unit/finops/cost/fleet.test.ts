/** The pools a drill's trainers are priced on are the deployment's: the Karpenter NodePool, the AKS pool, the regions. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AWS_POOL_INSTANCE_TYPES, DEFAULT_FLEET, poolOfNode } from '../../../../finops/cost/fleet';
import { asObject, blocks, EXAMPLE_MAIN, ROOT, TerraformModule, type HclObject } from '../../terraform/support/terraform-module';

jest.setTimeout(60_000);

interface Requirement {
  key: string;
  operator: string;
  values: string[];
}

const nodePool = parseAllDocuments(readFileSync(path.join(ROOT, 'fl-training/deploy/karpenter/nodepool-spot-gpu.yaml'), 'utf8'))
  .map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { template: { spec: { requirements: Requirement[] } } } })
  .find((d) => d.kind === 'NodePool');
const requirement = (key: string) => nodePool?.spec.template.spec.requirements.find((r) => r.key === key)?.values;

describe('DEFAULT_FLEET', () => {
  it('prices AWS trainers on the NodePool spot-gpu: Spot, one of its families and sizes', () => {
    expect(DEFAULT_FLEET.aws.pool).toBe(nodePool?.metadata.name);
    expect(requirement('karpenter.sh/capacity-type')).toStrictEqual([DEFAULT_FLEET.aws.pricing]);
    const types = (requirement('karpenter.k8s.aws/instance-family') ?? []).flatMap((family) => (requirement('karpenter.k8s.aws/instance-size') ?? []).map((size) => `${family}.${size}`));
    expect([...AWS_POOL_INSTANCE_TYPES].sort()).toStrictEqual(types.sort());
    expect(AWS_POOL_INSTANCE_TYPES).toContain(DEFAULT_FLEET.aws.instanceType);
  });

  it('uses the CDK example\'s region', () => {
    const config = JSON.parse(readFileSync(path.join(ROOT, 'cdk/config.example.json'), 'utf8')) as { region: string };
    expect(DEFAULT_FLEET.aws.region).toBe(config.region);
  });

  it('prices Azure trainers on the gpuspot pool at the Terraform example\'s size, priority and region', async () => {
    const tf = await TerraformModule.load();
    const main = tf.json(EXAMPLE_MAIN);
    const example = blocks(asObject(main.module, 'module').spot_on_azure, 'spot_on_azure')[0] as HclObject;
    const group = blocks(asObject(asObject(main.resource, 'resource').azurerm_resource_group, 'azurerm_resource_group').this, 'this')[0] as HclObject;
    expect(tf.typeOf('gpu_spot_pool')).toContain(`name = optional(string, "${DEFAULT_FLEET.azure.pool}")`);
    expect(asObject(example.gpu_spot_pool, 'gpu_spot_pool').vm_size).toBe(DEFAULT_FLEET.azure.instanceType);
    expect(tf.resource('azurerm_kubernetes_cluster_node_pool', 'gpu_spot').priority).toBe('Spot');
    expect(DEFAULT_FLEET.azure.pricing).toBe('spot');
    expect(group.location).toBe(DEFAULT_FLEET.azure.region);
  });

  it('prices the deadline safety net\'s nodes on the gpuondemand pool: regular priority, on-demand, the same size and region', async () => {
    const tf = await TerraformModule.load();
    expect(tf.typeOf('gpu_on_demand_pool')).toContain(`name = optional(string, "${DEFAULT_FLEET.azureOnDemand.pool}")`);
    expect(tf.typeOf('gpu_on_demand_pool')).toContain(`vm_size = optional(string, "${DEFAULT_FLEET.azureOnDemand.instanceType}")`);
    expect(tf.resource('azurerm_kubernetes_cluster_node_pool', 'gpu_on_demand').priority).toBe('Regular');
    expect([DEFAULT_FLEET.azureOnDemand.pricing, DEFAULT_FLEET.azureOnDemand.region]).toStrictEqual(['on-demand', DEFAULT_FLEET.azure.region]);
  });

  it('tells a drill node of the on-demand pool by its AKS name (aks-<pool>-<id>-vmss<n>)', () => {
    expect(poolOfNode(DEFAULT_FLEET, 'azure', 'aks-gpuondemand-00003-vmss000000')).toBe(DEFAULT_FLEET.azureOnDemand);
    expect(poolOfNode(DEFAULT_FLEET, 'azure', 'aks-gpuspot-00001-vmss000000')).toBe(DEFAULT_FLEET.azure);
    expect(poolOfNode(DEFAULT_FLEET, 'aws', 'aks-gpuondemand-00003-vmss000000')).toBe(DEFAULT_FLEET.aws);
  });
});
