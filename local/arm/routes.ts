/**
 * Which ARM resource a request path addresses. Fixed segments match case-insensitively, as ARM's do; names
 * are URL-decoded. Paths are those @azure/arm-containerservice 25.x builds (`api/agentPools/operations.js`,
 * `api/managedClusters/operations.js`) plus the operation status path its `Azure-AsyncOperation` points at.
 */
import type { ClusterRef, PoolRef } from './model';

/** A recognised request target. */
export type ArmRoute =
  | { readonly kind: 'cluster-list'; readonly subscriptionId: string; readonly resourceGroup?: string }
  | { readonly kind: 'cluster'; readonly ref: ClusterRef }
  | { readonly kind: 'pool-list'; readonly ref: ClusterRef }
  | { readonly kind: 'pool'; readonly ref: PoolRef }
  | { readonly kind: 'operation'; readonly subscriptionId: string; readonly location: string; readonly operationId: string }
  | { readonly kind: 'admin'; readonly path: string };

/** Path prefix of the emulator's own admin API (not ARM). */
export const ADMIN_PREFIX = '/_emulator';

const PROVIDER = 'microsoft.containerservice';

/** Parses a URL path (no query) into a route, or undefined for a path ARM would not know here. */
export function matchRoute(pathname: string): ArmRoute | undefined {
  if (pathname === ADMIN_PREFIX || pathname.startsWith(`${ADMIN_PREFIX}/`)) {
    return { kind: 'admin', path: pathname.slice(ADMIN_PREFIX.length) || '/' };
  }
  let segments: string[];
  try {
    segments = pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  const is = (index: number, literal: string): boolean => segments[index]?.toLowerCase() === literal;
  const at = (index: number): string => segments[index] ?? '';
  if (!is(0, 'subscriptions') || segments.length < 4) return undefined;
  const subscriptionId = at(1);

  // /subscriptions/{s}/providers/Microsoft.ContainerService/locations/{loc}/operations/{id}
  // /subscriptions/{s}/providers/Microsoft.ContainerService/managedClusters
  if (is(2, 'providers') && is(3, PROVIDER)) {
    if (segments.length === 8 && is(4, 'locations') && is(6, 'operations')) {
      return { kind: 'operation', subscriptionId, location: at(5), operationId: at(7) };
    }
    if (segments.length === 5 && is(4, 'managedclusters')) return { kind: 'cluster-list', subscriptionId };
    return undefined;
  }
  // /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters[/{c}[/agentPools[/{p}]]]
  if (!(is(2, 'resourcegroups') && is(4, 'providers') && is(5, PROVIDER) && is(6, 'managedclusters'))) return undefined;
  const resourceGroup = at(3);
  if (segments.length === 7) return { kind: 'cluster-list', subscriptionId, resourceGroup };
  const ref: ClusterRef = { subscriptionId, resourceGroup, cluster: at(7) };
  if (segments.length === 8) return { kind: 'cluster', ref };
  if (!is(8, 'agentpools')) return undefined;
  if (segments.length === 9) return { kind: 'pool-list', ref };
  if (segments.length === 10) return { kind: 'pool', ref: { ...ref, pool: at(9) } };
  return undefined;
}
