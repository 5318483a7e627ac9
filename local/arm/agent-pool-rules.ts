/**
 * AKS's rules for an agent pool PUT, as pure functions: validate the body against the current pool, fill in
 * defaults and AKS's own additions, and decide the target node count and the provisioning state. Throws
 * ArmRequestError with the status and code AKS answers with.
 *
 * Sources: https://learn.microsoft.com/rest/api/aks/agent-pools/create-or-update (no scale API: the whole pool
 * is PUT, `count` is required), https://learn.microsoft.com/azure/aks/spot-node-pool (Spot pools: user mode
 * only, taint `kubernetes.azure.com/scalesetpriority=spot:NoSchedule`, eviction policy and max price fixed at
 * creation), https://learn.microsoft.com/azure/aks/use-system-pools (system pools keep at least one node),
 * https://learn.microsoft.com/azure/aks/cluster-autoscaler (minCount/maxCount; raising minCount above the
 * current count scales the pool up). Messages quoted from real AKS answers (GitHub issues pulumi-kubernetes
 * #2704, cluster-api-provider-azure #5947, azure-cli #22442, cilium #25944, aks-engine #1530):
 * "Required parameter properties.count is missing (null).", "agentPoolProfile.count was N. It must be
 * greater or equal to minCount:… and less than or equal to maxCount:…", "The value of parameter
 * agentPoolProfile.count is invalid…", "Changing property 'x' is not allowed.", "Operation is not allowed:
 * Another agentpool operation (pool - State) is in progress…". Others are written in the same style.
 */
import { z } from 'zod';
import { ArmRequestError, invalidParameter, missingParameter, propertyChangeNotAllowed } from './errors';
import {
  AgentPoolPutBodySchema,
  MAX_NODES_PER_POOL,
  READ_ONLY_POOL_PROPERTIES,
  SPOT_LABEL_KEY,
  SPOT_TAINT,
  type AgentPoolPutProperties,
  type AgentPoolSpec,
} from './model';
import { issueList } from '../../protocol/zod-issues';

/** Provisioning states an accepted PUT puts the pool in while its operation runs. */
export type OperationKind = 'Creating' | 'Scaling' | 'Updating';

/** What an accepted PUT will do. */
export interface PutPlan {
  /** The desired pool, `count` being the target node count. */
  readonly spec: AgentPoolSpec;
  readonly kind: OperationKind;
  /** True when nodes must be provisioned (create with nodes, or scale up): the slow case. */
  readonly addsNodes: boolean;
}

/** Properties that cannot change after creation (AKS answers 400 PropertyChangeNotAllowed). */
export const IMMUTABLE_POOL_PROPERTIES = [
  'vmSize',
  'osType',
  'scaleSetPriority',
  'scaleSetEvictionPolicy',
  'spotMaxPrice',
] as const;

const DEFAULT_VM_SIZE = 'Standard_D2s_v3';
const POOL_NAME = /^[a-z][a-z0-9]{0,11}$/;

/** The error AKS gives for a PUT while the pool's previous operation still runs. */
export function operationInProgress(pool: string, state: string): ArmRequestError {
  return new ArmRequestError(
    409,
    'OperationNotAllowed',
    `Operation is not allowed: Another agentpool operation (${pool} - ${state}) is in progress, please wait for it to finish before starting a new operation. See https://aka.ms/aks-pending-operation for more details`,
  );
}

function summarise(error: z.ZodError): string {
  return issueList(error);
}

/** Parses a PUT body, answering 400 InvalidRequestContent for one that does not fit the API's types. */
export function parsePutBody(body: unknown): AgentPoolPutProperties {
  const parsed = AgentPoolPutBodySchema.safeParse(body);
  if (!parsed.success) {
    throw new ArmRequestError(
      400,
      'InvalidRequestContent',
      `The request content was invalid and could not be deserialized: ${summarise(parsed.error)}`,
      { cause: parsed.error.issues },
    );
  }
  return parsed.data.properties ?? {};
}

/** Strips `W/` and quotes so `"abc"`, `W/"abc"` and `abc` compare equal. */
export function normalizeETag(tag: string): string {
  return tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * Checks If-Match / If-None-Match against the pool's current eTag (undefined when the pool does not exist).
 * A stale If-Match, If-Match on a missing pool, or If-None-Match `*` on an existing pool answers 412.
 */
export function checkPreconditions(
  currentETag: string | undefined,
  headers: { readonly ifMatch?: string; readonly ifNoneMatch?: string },
): void {
  const fail = (message: string): never => {
    throw new ArmRequestError(412, 'PreconditionFailed', message);
  };
  if (headers.ifMatch !== undefined) {
    const wanted = headers.ifMatch.split(',').map(normalizeETag);
    if (currentETag === undefined) fail('The resource does not exist, so the If-Match precondition cannot be met.');
    else if (!wanted.includes('*') && !wanted.includes(normalizeETag(currentETag))) {
      fail(`The If-Match header '${headers.ifMatch}' does not match the resource's current eTag '${currentETag}'.`);
    }
  }
  if (headers.ifNoneMatch !== undefined && currentETag !== undefined) {
    const unwanted = headers.ifNoneMatch.split(',').map(normalizeETag);
    if (unwanted.includes('*') || unwanted.includes(normalizeETag(currentETag))) {
      fail(`The resource already exists and the If-None-Match header '${headers.ifNoneMatch}' forbids overwriting it.`);
    }
  }
}

function extraProperties(props: AgentPoolPutProperties): Record<string, unknown> {
  const known = new Set<string>([
    'count', 'vmSize', 'mode', 'osType', 'type', 'enableAutoScaling', 'minCount', 'maxCount', 'scaleSetPriority',
    'scaleSetEvictionPolicy', 'spotMaxPrice', 'nodeLabels', 'nodeTaints', 'orchestratorVersion',
    ...READ_ONLY_POOL_PROPERTIES,
  ]);
  return Object.fromEntries(Object.entries(props).filter(([key, value]) => !known.has(key) && value !== undefined));
}

function rejectImmutableChanges(props: AgentPoolPutProperties, existing: AgentPoolSpec): void {
  for (const property of IMMUTABLE_POOL_PROPERTIES) {
    const wanted = props[property];
    // An omitted (or null) property keeps the current value, as AKS does for these.
    if (wanted === undefined || wanted === null) continue;
    // Spot-only settings are ignored on a regular pool (its spec has none), as on create.
    const current = existing[property];
    if (current !== undefined && wanted !== current) throw propertyChangeNotAllowed(property);
  }
}

function countRangeError(count: number, minCount: number, maxCount: number, allowedMin: number): ArmRequestError {
  const hint =
    allowedMin > 0
      ? ` If allowedMinCount was expected to be 0 but is ${allowedMin}: the node pool is a system pool.`
      : '';
  return invalidParameter(
    `agentPoolProfile.count was ${count}. It must be greater or equal to minCount:${minCount} and less than or equal to maxCount:${maxCount}.${hint}`,
    'properties.count',
  );
}

interface Scaling {
  readonly count: number;
  readonly enableAutoScaling: boolean;
  readonly minCount?: number;
  readonly maxCount?: number;
}

function planScaling(props: AgentPoolPutProperties, count: number, allowedMin: number, existing?: AgentPoolSpec): Scaling {
  const enableAutoScaling = props.enableAutoScaling ?? existing?.enableAutoScaling ?? false;
  if (count < 0 || count > MAX_NODES_PER_POOL) {
    throw invalidParameter(
      `The value of parameter agentPoolProfile.count is invalid: ${count} is outside 0-${MAX_NODES_PER_POOL}.`,
      'properties.count',
    );
  }
  if (!enableAutoScaling) {
    // To force a count (0 included) the autoscaler must be off; a system pool keeps at least one node.
    if (count < allowedMin) {
      throw invalidParameter(
        'The value of parameter agentPoolProfile.count is invalid. Please see https://aka.ms/aks-naming-rules for more details.',
        'agentPoolProfile.count',
      );
    }
    return { count, enableAutoScaling };
  }
  const keep = existing?.enableAutoScaling === true;
  const minCount = props.minCount ?? (props.minCount === null || !keep ? undefined : existing.minCount);
  const maxCount = props.maxCount ?? (props.maxCount === null || !keep ? undefined : existing.maxCount);
  if (minCount === undefined) throw missingParameter('properties.minCount');
  if (maxCount === undefined) throw missingParameter('properties.maxCount');
  if (minCount < allowedMin) {
    throw invalidParameter(
      `The value of parameter agentPoolProfile.minCount is invalid: ${minCount} is below ${allowedMin}, the least a ${allowedMin > 0 ? 'system' : 'user'} node pool allows.`,
      'properties.minCount',
    );
  }
  if (maxCount > MAX_NODES_PER_POOL) {
    throw invalidParameter(
      `The value of parameter agentPoolProfile.maxCount is invalid: ${maxCount} is above ${MAX_NODES_PER_POOL}.`,
      'properties.maxCount',
    );
  }
  if (minCount > maxCount) {
    throw invalidParameter(
      `The value of parameter agentPoolProfile.minCount is invalid: minCount ${minCount} is greater than maxCount ${maxCount}.`,
      'properties.minCount',
    );
  }
  if (count >= minCount && count <= maxCount) return { count, enableAutoScaling, minCount, maxCount };
  // An update that echoes the current count while moving the range: the autoscaler brings the pool into it
  // (raising minCount above the current count scales up; lowering maxCount below it scales down).
  if (existing !== undefined && count === existing.count) {
    return { count: Math.min(maxCount, Math.max(minCount, count)), enableAutoScaling, minCount, maxCount };
  }
  throw countRangeError(count, minCount, maxCount, allowedMin);
}

/**
 * Validates a PUT of pool `poolName` against the current spec (undefined when creating) and returns the plan.
 * `clusterVersion` is the orchestrator version a new pool gets when the body names none.
 */
export function planAgentPoolPut(input: {
  readonly poolName: string;
  readonly body: unknown;
  readonly existing?: AgentPoolSpec;
  readonly clusterVersion: string;
}): PutPlan {
  const { poolName, existing } = input;
  const props = parsePutBody(input.body);
  if (existing === undefined && !POOL_NAME.test(poolName)) {
    throw invalidParameter(
      `Agent pool name '${poolName}' is invalid: it must start with a lowercase letter and contain only lowercase letters and digits, 1-12 characters.`,
      'agentPoolName',
    );
  }
  if (props.count === undefined || props.count === null) throw missingParameter('properties.count');
  if (existing !== undefined) rejectImmutableChanges(props, existing);

  const mode = props.mode ?? existing?.mode ?? 'User';
  const scaleSetPriority = props.scaleSetPriority ?? existing?.scaleSetPriority ?? 'Regular';
  const isSpot = scaleSetPriority === 'Spot';
  if (isSpot && mode === 'System') {
    throw invalidParameter('Spot node pools can only be user node pools: a system node pool cannot use Spot virtual machines.', 'properties.mode');
  }
  const spotMaxPrice = isSpot ? (props.spotMaxPrice ?? existing?.spotMaxPrice ?? -1) : undefined;
  if (spotMaxPrice !== undefined && spotMaxPrice !== -1 && !(spotMaxPrice > 0)) {
    throw invalidParameter(
      `The value of parameter agentPoolProfile.spotMaxPrice is invalid: ${spotMaxPrice}. Use -1 (pay up to the on-demand price) or a price above 0.`,
      'properties.spotMaxPrice',
    );
  }

  const scaling = planScaling(props, props.count, mode === 'System' ? 1 : 0, existing);
  const nodeTaints = [...(props.nodeTaints ?? existing?.nodeTaints ?? [])];
  if (isSpot && !nodeTaints.includes(SPOT_TAINT)) nodeTaints.push(SPOT_TAINT);
  const nodeLabels = { ...(props.nodeLabels ?? existing?.nodeLabels ?? {}), ...(isSpot ? { [SPOT_LABEL_KEY]: 'spot' } : {}) };

  const spec: AgentPoolSpec = {
    count: scaling.count,
    vmSize: props.vmSize ?? existing?.vmSize ?? DEFAULT_VM_SIZE,
    mode,
    osType: props.osType ?? existing?.osType ?? 'Linux',
    type: props.type ?? existing?.type ?? 'VirtualMachineScaleSets',
    enableAutoScaling: scaling.enableAutoScaling,
    ...(scaling.minCount === undefined ? {} : { minCount: scaling.minCount }),
    ...(scaling.maxCount === undefined ? {} : { maxCount: scaling.maxCount }),
    scaleSetPriority,
    ...(isSpot ? { scaleSetEvictionPolicy: props.scaleSetEvictionPolicy ?? existing?.scaleSetEvictionPolicy ?? 'Delete' } : {}),
    ...(spotMaxPrice === undefined ? {} : { spotMaxPrice }),
    nodeLabels,
    nodeTaints,
    orchestratorVersion: props.orchestratorVersion ?? existing?.orchestratorVersion ?? input.clusterVersion,
    extra: { ...(existing?.extra ?? {}), ...extraProperties(props) },
  };

  if (existing === undefined) return { spec, kind: 'Creating', addsNodes: spec.count > 0 };
  if (spec.count !== existing.count) return { spec, kind: 'Scaling', addsNodes: spec.count > existing.count };
  return { spec, kind: 'Updating', addsNodes: false };
}
