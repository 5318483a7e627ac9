/**
 * Spans around the brain's calls to ARM and to the Kubernetes API (protocol/tracing.ts): each call is a child of the
 * invocation's span, so a slow or refused call shows in the incident's trace without the adapters knowing of tracing.
 */
import type { Tracing } from '../../../protocol/tracer';
import type { GpuPool } from './agent-pool';
import type { TrainerScaler } from './trainer-scaler';

/** `pool` with a span (component `arm`) around each call. */
export function tracedPool(pool: GpuPool, tracing: Tracing, poolName: string): GpuPool {
  const attributes = { pool: poolName };
  return {
    read: () => tracing.inSpan('arm read pool', { component: 'arm', attributes }, () => pool.read()),
    requestScale: (target) => tracing.inSpan('arm scale pool', { component: 'arm', attributes: { ...attributes, target } }, () => pool.requestScale(target)),
    checkOperation: (resumeToken) => tracing.inSpan('arm check operation', { component: 'arm', attributes }, () => pool.checkOperation(resumeToken)),
  };
}

/** `trainers` with a span (component `kubernetes`) around each call. */
export function tracedTrainers(trainers: TrainerScaler, tracing: Tracing): TrainerScaler {
  return {
    scale: (replicas) => tracing.inSpan('kubernetes scale trainers', { component: 'kubernetes', attributes: { replicas } }, () => trainers.scale(replicas)),
    readyReplicas: () => tracing.inSpan('kubernetes read trainers', { component: 'kubernetes' }, () => trainers.readyReplicas()),
  };
}
