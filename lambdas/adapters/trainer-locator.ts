import { z } from 'zod';
import { EC2_INSTANCE_ID } from '../../protocol/ids';
import { KubernetesApiError, type KubernetesApi } from './kubernetes-api';

/** One FL trainer pod. */
export interface TrainerPod {
  readonly name: string;
  readonly namespace: string;
  readonly nodeName: string;
  /** Pod IP; absent while the pod is not yet running (nothing to flush then). */
  readonly ip: string | undefined;
}

/** Where an EC2 instance sits in the cluster: its node (if it is one of ours) and the trainers on it. */
export interface InstancePlacement {
  readonly instanceId: string;
  /** Undefined when no node of this cluster runs on the instance (Spot events are region-wide). */
  readonly nodeName: string | undefined;
  readonly trainers: readonly TrainerPod[];
}

/** Finds the trainers running on EC2 instances. */
export interface TrainerLocator {
  /** One placement per instance id, in the order given. */
  locate(instanceIds: readonly string[]): Promise<readonly InstancePlacement[]>;
}

const PAGE_SIZE = '500';

const ListMetaSchema = z.looseObject({ continue: z.string().optional() }).optional();

const NodeListSchema = z.looseObject({
  metadata: ListMetaSchema,
  items: z.array(
    z.looseObject({
      metadata: z.looseObject({ name: z.string().min(1) }),
      spec: z.looseObject({ providerID: z.string().optional() }).optional(),
    }),
  ),
});

const PodListSchema = z.looseObject({
  metadata: ListMetaSchema,
  items: z.array(
    z.looseObject({
      metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
      spec: z.looseObject({ nodeName: z.string().optional() }).optional(),
      status: z.looseObject({ podIP: z.string().optional(), phase: z.string().optional() }).optional(),
    }),
  ),
});

type Page<T> = { metadata?: { continue?: string | undefined } | undefined; items: T[] };

async function listAll<T>(
  api: KubernetesApi,
  path: string,
  query: Record<string, string>,
  schema: z.ZodType<Page<T>, unknown>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const body = await api.get(path, { ...query, limit: PAGE_SIZE, ...(token ? { continue: token } : {}) });
    const page = schema.safeParse(body);
    if (!page.success) {
      throw new KubernetesApiError(`GET ${path} answered an unexpected list: ${page.error.issues[0]?.message ?? 'invalid'}`, {
        transient: false,
        cause: page.error.issues,
      });
    }
    items.push(...page.data.items);
    token = page.data.metadata?.continue || undefined;
  } while (token !== undefined);
  return items;
}

/** The instance id in an EKS node's providerID (`aws:///us-west-2a/i-0123…`), if it names one. */
export function instanceIdOfProviderId(providerId: string): string | undefined {
  const last = providerId.split('/').pop() ?? '';
  return providerId.startsWith('aws://') && EC2_INSTANCE_ID.test(last) ? last : undefined;
}

// Completed pods keep their node but have nothing left to flush.
const FINISHED_PHASES = new Set(['Succeeded', 'Failed']);

export interface KubernetesTrainerLocatorOptions {
  readonly api: KubernetesApi;
  readonly namespace: string;
  /** Label selector of trainer pods, e.g. `app.kubernetes.io/component=fl-trainer`. */
  readonly labelSelector: string;
}

/**
 * Node names are not instance ids on EKS, so nodes are listed and matched by `spec.providerID`; then the
 * trainer pods on each matching node are listed with a field selector on `spec.nodeName`.
 */
export function kubernetesTrainerLocator(options: KubernetesTrainerLocatorOptions): TrainerLocator {
  const { api, namespace, labelSelector } = options;
  const podsPath = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  return {
    async locate(instanceIds) {
      if (instanceIds.length === 0) return [];
      const nodes = await listAll(api, '/api/v1/nodes', {}, NodeListSchema);
      const nodeByInstance = new Map<string, string>();
      for (const node of nodes) {
        const instanceId = instanceIdOfProviderId(node.spec?.providerID ?? '');
        if (instanceId !== undefined) nodeByInstance.set(instanceId, node.metadata.name);
      }
      return Promise.all(
        instanceIds.map(async (instanceId): Promise<InstancePlacement> => {
          const nodeName = nodeByInstance.get(instanceId);
          if (nodeName === undefined) return { instanceId, nodeName, trainers: [] };
          const pods = await listAll(api, podsPath, { labelSelector, fieldSelector: `spec.nodeName=${nodeName}` }, PodListSchema);
          const trainers = pods
            .filter((pod) => !FINISHED_PHASES.has(pod.status?.phase ?? ''))
            .map((pod) => ({
              name: pod.metadata.name,
              namespace: pod.metadata.namespace ?? namespace,
              nodeName,
              ip: pod.status?.podIP || undefined,
            }));
          return { instanceId, nodeName, trainers };
        }),
      );
    },
  };
}
