/**
 * Names and addresses the Azure module derives when its caller leaves them out, as terraform-azure/locals.tf and
 * main.dns.tf write them (a preflight test compares these rules with those expressions).
 */

/** `coalesce(var.function_app.name, "${var.name_prefix}-func")`. */
export function functionAppName(namePrefix: string, name?: string | null): string {
  return name ?? `${namePrefix}-func`;
}

/** `coalesce(var.key_vault.name, "${var.name_prefix}-kv")`. */
export function keyVaultName(namePrefix: string, name?: string | null): string {
  return name ?? `${namePrefix}-kv`;
}

/** `coalesce(var.storage.account_name, "${local.compact_prefix}blob")`, the prefix without hyphens. */
export function storageAccountName(namePrefix: string, name?: string | null): string {
  return name ?? `${namePrefix.replaceAll('-', '')}blob`;
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Terraform's `cidrhost(cidr, host)`: a negative host counts back from the end of the range. */
export function cidrhost(cidr: string, host: number): string {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(toNumber(base) / size) * size;
  return toAddress(host >= 0 ? start + host : start + size + host);
}

/** The five addresses Azure keeps in every subnet: network, the next three, broadcast. */
export function azureReservedAddresses(cidr: string): string[] {
  return [0, 1, 2, 3, -1].map((host) => cidrhost(cidr, host));
}

/** `coalesce(var.aggregator.private_ip, cidrhost(var.spoke_network.subnets.aks_user, -2))`. */
export function aggregatorPrivateIp(aksUserSubnet: string, privateIp?: string | null): string {
  return privateIp ?? cidrhost(aksUserSubnet, -2);
}
