import { z } from 'zod';

/** Small zod schemas shared by the configuration sections (cdk/config.ts, cdk/config-azure.ts). */

export const idOf = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must look like ${prefix}-0123456789abcdef0`);
export const CidrSchema = z.cidrv4({ message: 'must be an IPv4 CIDR such as 10.0.0.0/16' });
export const Ipv4Schema = z.ipv4({ message: 'must be an IPv4 address' });
export const PortSchema = z.int().min(1).max(65_535);
export const AsnSchema = z.int().min(1).max(4_294_967_294);
/** Kubernetes namespace name (RFC 1123 label). */
export const NamespaceSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a Kubernetes namespace name (RFC 1123 label)');
/** A lowercase DNS name of at least two labels, without the trailing dot. */
export const DomainSchema = z
  .string()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'must be a lowercase DNS name such as spot-on.internal (no trailing dot)',
  );

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/** Whether the IPv4 address `ip` lies inside `cidr` (both already validated). */
export function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4ToNumber(base) / size) * size;
  const address = ipv4ToNumber(ip);
  return address >= start && address < start + size;
}
