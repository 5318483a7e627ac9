/**
 * The emulator's data model: the wire shape of an AKS agent pool PUT body (validated with zod at the edge),
 * the typed spec the rules work on, and the seed configuration that creates clusters and pools at start.
 * Wire names follow the ARM REST API (`properties.count`, `properties.scaleSetPriority`, ...), see
 * https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update.
 */
import { z } from 'zod';

/** The api-version @azure/arm-containerservice 25.3.0 sends on every request. */
export const SDK_API_VERSION = '2026-04-01';

/** The taint AKS adds to every Spot node pool (https://learn.microsoft.com/azure/aks/spot-node-pool). */
export const SPOT_TAINT = 'kubernetes.azure.com/scalesetpriority=spot:NoSchedule';
/** The label AKS puts on Spot nodes. */
export const SPOT_LABEL_KEY = 'kubernetes.azure.com/scalesetpriority';

/** Most nodes one pool may have. */
export const MAX_NODES_PER_POOL = 1000;

export const AgentPoolModeSchema = z.enum(['System', 'User']);
export type AgentPoolMode = z.infer<typeof AgentPoolModeSchema>;
export const ScaleSetPrioritySchema = z.enum(['Regular', 'Spot']);
export type ScaleSetPriority = z.infer<typeof ScaleSetPrioritySchema>;
export const ScaleSetEvictionPolicySchema = z.enum(['Delete', 'Deallocate']);
export type ScaleSetEvictionPolicy = z.infer<typeof ScaleSetEvictionPolicySchema>;

/** Properties of an agent pool PUT body. Unknown properties pass through and are echoed back. */
export const AgentPoolPutPropertiesSchema = z.looseObject({
  count: z.int().nullish(),
  vmSize: z.string().min(1).nullish(),
  mode: AgentPoolModeSchema.nullish(),
  osType: z.string().min(1).nullish(),
  type: z.string().min(1).nullish(),
  enableAutoScaling: z.boolean().nullish(),
  minCount: z.int().nullish(),
  maxCount: z.int().nullish(),
  scaleSetPriority: ScaleSetPrioritySchema.nullish(),
  scaleSetEvictionPolicy: ScaleSetEvictionPolicySchema.nullish(),
  spotMaxPrice: z.number().nullish(),
  nodeLabels: z.record(z.string(), z.string()).nullish(),
  nodeTaints: z.array(z.string()).nullish(),
  orchestratorVersion: z.string().min(1).nullish(),
});
export type AgentPoolPutProperties = z.infer<typeof AgentPoolPutPropertiesSchema>;

/** An agent pool PUT body (`id`, `name`, `type` are ignored, as ARM does). */
export const AgentPoolPutBodySchema = z.looseObject({
  properties: AgentPoolPutPropertiesSchema.nullish(),
});
export type AgentPoolPutBody = z.infer<typeof AgentPoolPutBodySchema>;

/** Read-only properties a client may echo back from a GET; never stored from a PUT. */
export const READ_ONLY_POOL_PROPERTIES = [
  'provisioningState',
  'eTag',
  'powerState',
  'currentOrchestratorVersion',
  'nodeImageVersion',
  'status',
  'virtualMachineNodesStatus',
] as const;

/** The desired configuration of an agent pool, after defaults and AKS's own additions. */
export interface AgentPoolSpec {
  readonly count: number;
  readonly vmSize: string;
  readonly mode: AgentPoolMode;
  readonly osType: string;
  readonly type: string;
  readonly enableAutoScaling: boolean;
  readonly minCount?: number;
  readonly maxCount?: number;
  readonly scaleSetPriority: ScaleSetPriority;
  readonly scaleSetEvictionPolicy?: ScaleSetEvictionPolicy;
  readonly spotMaxPrice?: number;
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly nodeTaints: readonly string[];
  readonly orchestratorVersion: string;
  /** Other properties the client sent, echoed back unchanged. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** One agent pool in a seed: the same fields a create PUT takes. */
export const AgentPoolSeedSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9]{0,11}$/, 'lowercase letters and digits, starting with a letter, 1-12 long'),
  mode: AgentPoolModeSchema.default('User'),
  vmSize: z.string().min(1).default('Standard_D2s_v3'),
  count: z.int().min(0),
  enableAutoScaling: z.boolean().default(false),
  minCount: z.int().min(0).optional(),
  maxCount: z.int().min(0).optional(),
  scaleSetPriority: ScaleSetPrioritySchema.default('Regular'),
  scaleSetEvictionPolicy: ScaleSetEvictionPolicySchema.optional(),
  spotMaxPrice: z.number().optional(),
  nodeLabels: z.record(z.string(), z.string()).optional(),
  nodeTaints: z.array(z.string()).optional(),
  osType: z.string().default('Linux'),
});
export type AgentPoolSeed = z.input<typeof AgentPoolSeedSchema>;

/** One managed cluster in a seed. */
export const ManagedClusterSeedSchema = z.object({
  subscriptionId: z.string().min(1),
  resourceGroup: z.string().min(1),
  name: z.string().min(1),
  location: z.string().min(1).default('koreacentral'),
  kubernetesVersion: z.string().min(1).default('1.33'),
  agentPools: z.array(AgentPoolSeedSchema).min(1),
});
export type ManagedClusterSeed = z.input<typeof ManagedClusterSeedSchema>;

/** What exists when the emulator starts. */
export const ArmSeedSchema = z.object({ clusters: z.array(ManagedClusterSeedSchema).default([]) });
export type ArmSeed = z.input<typeof ArmSeedSchema>;
export type ParsedArmSeed = z.output<typeof ArmSeedSchema>;

/** Addresses one managed cluster. */
export interface ClusterRef {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly cluster: string;
}

/** Addresses one agent pool. */
export interface PoolRef extends ClusterRef {
  readonly pool: string;
}

/** The GPU pools of the development cluster (the drill passes Terraform's names). */
export interface GpuPoolNames {
  readonly spot: string;
  readonly onDemand: string;
}

/**
 * The Spot-On development cluster as the project's seed deck describes it (system, userpool and the Spot GPU pool),
 * with the on-demand GPU pool of the deadline safety net that terraform-azure adds.
 */
export function spotOnDevSeed(subscriptionId = '00000000-0000-0000-0000-000000000000', gpuPools: GpuPoolNames = { spot: 'gpuspot', onDemand: 'gpuondemand' }): ArmSeed {
  return {
    clusters: [
      {
        subscriptionId,
        resourceGroup: 'ai-fl-mc-dev-rg',
        name: 'ai-fl-mc-dev-aks',
        location: 'koreacentral',
        kubernetesVersion: '1.33',
        agentPools: [
          { name: 'system', mode: 'System', vmSize: 'Standard_B2s', count: 2 },
          { name: 'userpool', mode: 'User', vmSize: 'Standard_B2s', count: 1 },
          {
            name: gpuPools.spot,
            mode: 'User',
            vmSize: 'Standard_NC4as_T4_v3',
            count: 0,
            scaleSetPriority: 'Spot',
            scaleSetEvictionPolicy: 'Delete',
            spotMaxPrice: -1,
            nodeLabels: { workload: 'fl-trainer' },
          },
          { name: gpuPools.onDemand, mode: 'User', vmSize: 'Standard_NC4as_T4_v3', count: 0, nodeLabels: { workload: 'fl-trainer', 'spot-on.io/capacity': 'on-demand' } },
        ],
      },
    ],
  };
}
