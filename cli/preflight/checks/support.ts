/** Small helpers the checks share: how a setting is named in a message, URL and address arithmetic. */
import { ipv4InCidr } from '../../../cdk/config-primitives';
import type { Cluster } from '../inputs/chart-values';

/** `eks values trainer.port`: where a chart setting comes from, as problem lines name it. */
export const chartSetting = (cluster: Cluster, path: string): string => `${cluster} values ${path}`;

/** A value as it appears in a problem line. */
export const shown = (value: unknown): string => (Array.isArray(value) ? `[${value.join(', ')}]` : JSON.stringify(value));

/** The URL, or undefined when it is not one. */
export function urlOf(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The port a URL connects to (the scheme's default when it names none). */
export function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/** Two URLs that address the same endpoint (case of the host, default port and a trailing slash do not matter). */
export function sameEndpoint(a: string, b: string): boolean {
  const [left, right] = [urlOf(a), urlOf(b)];
  if (left === undefined || right === undefined) return a === b;
  const key = (url: URL) => `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  return key(left) === key(right);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
/** Whether `text` is a dotted IPv4 address. */
export const isIpv4 = (text: string): boolean => IPV4.test(text);

/** Whether the range `inner` lies wholly inside `outer` (both valid IPv4 CIDRs). */
export function cidrWithin(inner: string, outer: string): boolean {
  const [base = '', bits = '32'] = inner.split('/');
  return Number(bits) >= Number(outer.split('/')[1] ?? '32') && ipv4InCidr(base, outer);
}

/** Whether two lists hold the same items, in any order. */
export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
