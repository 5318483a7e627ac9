/**
 * Wire JSON of the emulated resources, shaped as the AKS REST API returns them
 * (https://learn.microsoft.com/rest/api/aks/agent-pools/get, .../managed-clusters/get) and as the SDK's
 * deserializers (`agentPoolDeserializer`, `managedClusterDeserializer`) read them; and of the asynchronous
 * operation status resource the `Azure-AsyncOperation` header points at
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations).
 */
import type { AgentPoolSpec } from './model';
import type { ClusterRecord, OperationRecord, PoolRecord } from './state';

/** ARM resource id of a cluster. */
export function clusterId(cluster: Pick<ClusterRecord, 'subscriptionId' | 'resourceGroup' | 'name'>): string {
  return `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${cluster.name}`;
}

/** Path (no host, no query) of an operation status resource. */
export function operationPath(operation: Pick<OperationRecord, 'subscriptionId' | 'location' | 'id'>): string {
  return `/subscriptions/${operation.subscriptionId}/providers/Microsoft.ContainerService/locations/${operation.location}/operations/${operation.id}`;
}

function specProperties(spec: AgentPoolSpec): Record<string, unknown> {
  return {
    ...spec.extra,
    count: spec.count,
    vmSize: spec.vmSize,
    osType: spec.osType,
    type: spec.type,
    mode: spec.mode,
    enableAutoScaling: spec.enableAutoScaling,
    ...(spec.minCount === undefined ? {} : { minCount: spec.minCount }),
    ...(spec.maxCount === undefined ? {} : { maxCount: spec.maxCount }),
    scaleSetPriority: spec.scaleSetPriority,
    ...(spec.scaleSetEvictionPolicy === undefined ? {} : { scaleSetEvictionPolicy: spec.scaleSetEvictionPolicy }),
    ...(spec.spotMaxPrice === undefined ? {} : { spotMaxPrice: spec.spotMaxPrice }),
    nodeLabels: { ...spec.nodeLabels },
    nodeTaints: [...spec.nodeTaints],
    orchestratorVersion: spec.orchestratorVersion,
    currentOrchestratorVersion: spec.orchestratorVersion,
  };
}

/** The agent pool's properties as they appear in a pool GET and in the cluster's agentPoolProfiles. */
export function poolProperties(pool: PoolRecord): Record<string, unknown> {
  return {
    ...specProperties(pool.spec),
    eTag: pool.eTag,
    provisioningState: pool.provisioningState,
    powerState: { code: 'Running' },
  };
}

/** An agent pool resource. */
export function renderAgentPool(cluster: ClusterRecord, pool: PoolRecord): Record<string, unknown> {
  return {
    id: `${clusterId(cluster)}/agentPools/${pool.name}`,
    name: pool.name,
    type: 'Microsoft.ContainerService/managedClusters/agentPools',
    properties: poolProperties(pool),
  };
}

/** A managed cluster resource with its pools as agentPoolProfiles. */
export function renderManagedCluster(cluster: ClusterRecord): Record<string, unknown> {
  const pools = [...cluster.pools.values()];
  return {
    id: clusterId(cluster),
    location: cluster.location,
    name: cluster.name,
    type: 'Microsoft.ContainerService/ManagedClusters',
    sku: { name: 'Base', tier: 'Free' },
    identity: { type: 'SystemAssigned' },
    properties: {
      provisioningState: 'Succeeded',
      powerState: { code: 'Running' },
      kubernetesVersion: cluster.kubernetesVersion,
      currentKubernetesVersion: cluster.kubernetesVersion,
      dnsPrefix: cluster.name,
      fqdn: `${cluster.name}.hcp.${cluster.location}.azmk8s.io`,
      agentPoolProfiles: pools.map((pool) => ({ name: pool.name, ...poolProperties(pool) })),
      nodeResourceGroup: `MC_${cluster.resourceGroup}_${cluster.name}_${cluster.location}`,
      enableRBAC: true,
    },
  };
}

/** The status resource of an asynchronous operation. */
export function renderOperation(operation: OperationRecord): Record<string, unknown> {
  return {
    id: operationPath(operation),
    name: operation.id,
    status: operation.status,
    startTime: new Date(operation.startedAt).toISOString(),
    ...(operation.endedAt === undefined ? {} : { endTime: new Date(operation.endedAt).toISOString() }),
    ...(operation.status === 'Failed' && operation.failure !== undefined
      ? { error: { code: operation.failure.code, message: operation.failure.message } }
      : {}),
  };
}
