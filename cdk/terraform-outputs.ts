import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';

/**
 * Fills the Azure settings of the CDK configuration from the Azure Terraform outputs
 * (`terraform -chdir=terraform-azure/examples/default output -json > azure-outputs.json`), so the values are copied
 * by a machine instead of by hand. A setting given in both places must agree.
 */

/** `terraform output -json`: every output as `{ value, type, sensitive }`. */
export const TerraformOutputsSchema = z.record(z.string(), z.looseObject({ value: z.unknown() }));
export type TerraformOutputs = z.infer<typeof TerraformOutputsSchema>;

type Setting = readonly [path: string, value: unknown];

/** Zones the stack always forwards (AZURE_PRIVATELINK_ZONES); any other forwarded domain is the aggregator's. */
const PRIVATELINK_ZONES: readonly string[] = ['privatelink.azurewebsites.net', 'privatelink.blob.core.windows.net'];

/** `aws_dns_forwarding`: the first domain besides the privatelink zones is the aggregator's zone, others are extra. */
function fromDnsForwarding(value: unknown): Setting[] {
  const { domains = [], target_ips: targetIps = [] } = (value ?? {}) as { domains?: unknown[]; target_ips?: unknown[] };
  const [aggregator, ...additional] = domains.filter((domain) => !PRIVATELINK_ZONES.includes(domain as string));
  return [
    ...(targetIps.length > 0 ? [['azure.dns.resolverInboundIps', targetIps] as const] : []),
    ...(aggregator === undefined ? [] : [['azure.dns.aggregatorDomain', aggregator] as const]),
    ...(additional.length > 0 ? [['azure.dns.additionalDomains', additional] as const] : []),
  ];
}

/**
 * Terraform output name -> the configuration settings it provides. Outputs that are absent or null are skipped.
 * Names as the example root module (terraform-azure/examples/default) exports them, plus their planned short forms.
 */
const FROM_OUTPUT: Readonly<Record<string, (value: unknown, outputs: TerraformOutputs) => readonly Setting[]>> = {
  signals_url: (value) => [['azure.signalsEndpointUrl', value]],
  function_app_signals_url: (value) => [['azure.signalsEndpointUrl', value]],
  aws_dns_forwarding: fromDnsForwarding,
  dns_resolver_inbound_ip: (value) => [['azure.dns.resolverInboundIps', Array.isArray(value) ? value : [value]]],
  // Only without aws_dns_forwarding, which names the aggregator's whole zone instead of its one record.
  aggregator_fqdn: (value, outputs) => (outputs.aws_dns_forwarding === undefined ? [['azure.dns.aggregatorDomain', value]] : []),
  aws_vpn_config: (value) =>
    value !== null && typeof value === 'object'
      ? Object.entries(value as Record<string, unknown>).map(([key, item]): Setting => [`azure.vpn.${key}`, item])
      : [],
};

/** Names of the outputs `mergeTerraformOutputs` reads. */
export const TERRAFORM_OUTPUT_NAMES = Object.keys(FROM_OUTPUT);

export interface MergeResult {
  /** A copy of the configuration with the missing settings filled in. */
  readonly config: Record<string, unknown>;
  /** One `path: problem` line per setting given in both places with different values. */
  readonly conflicts: readonly string[];
}

/** Copies the known outputs into a copy of `config` where unset; reports settings whose values disagree. */
export function mergeTerraformOutputs(config: Record<string, unknown>, outputs: TerraformOutputs): MergeResult {
  // A JSON copy: plain objects and arrays of this realm, which isDeepStrictEqual compares by prototype too.
  const merged = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const conflicts: string[] = [];
  for (const [name, toSettings] of Object.entries(FROM_OUTPUT)) {
    const value = outputs[name]?.value;
    if (value === undefined || value === null) continue;
    for (const [path, setting] of toSettings(value, outputs)) {
      const keys = path.split('.');
      const last = keys.pop() as string;
      const parent = objectAt(merged, keys);
      if (parent === undefined) conflicts.push(`${path}: ${keys.join('.')} is not an object, cannot take terraform output ${name}`);
      else if (parent[last] === undefined) parent[last] = setting;
      else if (!isDeepStrictEqual(parent[last], setting)) {
        conflicts.push(`${path}: ${JSON.stringify(parent[last])} differs from terraform output ${name} (${JSON.stringify(setting)})`);
      }
    }
  }
  return { config: merged, conflicts };
}

/** The object at `keys` below `root`, created where missing; undefined when a non-object is in the way. */
function objectAt(root: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> | undefined {
  let node = root;
  for (const key of keys) {
    if (node[key] === undefined) node[key] = {};
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) return undefined;
    node = next as Record<string, unknown>;
  }
  return node;
}
