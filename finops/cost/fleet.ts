/**
 * What a drill trainer process would run on in production. The drill's placement names a cloud and a node, not an
 * instance type, so the pool each cloud's trainers use is taken from the deployment (checked against its files by
 * test/unit/finops/cost/fleet.test.ts) and can be overridden per run (`spot-on cost --aws-instance-type ...`).
 */
import type { Cloud } from '../../protocol/run-status';
import type { PricingModel } from '../prices/schema';

export interface PoolAssumption {
  /** Karpenter NodePool or AKS agent pool. */
  readonly pool: string;
  readonly instanceType: string;
  readonly pricing: PricingModel;
  readonly region: string;
}

export type Fleet = Readonly<Record<Cloud, PoolAssumption>> & {
  /** terraform-azure's `gpu_on_demand_pool`: the deadline safety net's nodes, priced on-demand. */
  readonly azureOnDemand: PoolAssumption;
};

/**
 * AWS: the NodePool `spot-gpu` allows g4dn, g5 and g6 from xlarge to 4xlarge, Spot only; g4dn.xlarge is the
 * cheapest of them and carries the same GPU (one NVIDIA T4) as the Azure size, which makes the "same work on the
 * other cloud" comparisons like for like. Region: cdk/config.example.json. Azure: terraform-azure's
 * `gpu_spot_pool` (vm_size Standard_NC4as_T4_v3, Spot priority) in the Terraform example's koreacentral.
 */
export const DEFAULT_FLEET: Fleet = {
  aws: { pool: 'spot-gpu', instanceType: 'g4dn.xlarge', pricing: 'spot', region: 'ap-northeast-2' },
  azure: { pool: 'gpuspot', instanceType: 'Standard_NC4as_T4_v3', pricing: 'spot', region: 'koreacentral' },
  azureOnDemand: { pool: 'gpuondemand', instanceType: 'Standard_NC4as_T4_v3', pricing: 'on-demand', region: 'koreacentral' },
};

/**
 * The pool of a drill node. AKS names a node aks-<pool>-<id>-vmss<instance>, so an Azure node of the on-demand pool
 * is priced on-demand; every other node is its cloud's Spot pool.
 */
export function poolOfNode(fleet: Fleet, cloud: Cloud, node: string): PoolAssumption {
  if (cloud === 'azure' && node.startsWith(`aks-${fleet.azureOnDemand.pool}-`)) return fleet.azureOnDemand;
  return fleet[cloud];
}

/** The NodePool's single-GPU instance types, the SKUs a live price fetch asks for. */
export const AWS_POOL_INSTANCE_TYPES: readonly string[] = ['g4dn', 'g5', 'g6'].flatMap((family) => ['xlarge', '2xlarge', '4xlarge'].map((size) => `${family}.${size}`));
