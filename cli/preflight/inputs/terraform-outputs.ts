/**
 * The values preflight reads from `terraform output -json` of the Azure root module. Every output is optional: the
 * example root exports some, the module more; what is there wins over what preflight derives from the .tf files.
 */
import { z } from 'zod';
import { TerraformOutputsSchema, type TerraformOutputs } from '../../../cdk/terraform-outputs';
import { parseInput } from './errors';

const Strings = z.array(z.string());

/** The outputs preflight compares against, by the names terraform-azure exports them. */
const OutputValuesSchema = z.strictObject({
  signalsUrl: z.string().optional(),
  aggregator: z.looseObject({ url: z.string().optional(), fqdn: z.string().optional(), private_ip: z.string().optional(), port: z.number().optional() }).optional(),
  resolverIps: Strings.optional(),
  forwardedDomains: Strings.optional(),
  keyVaultName: z.string().optional(),
  signalKeysSecretName: z.string().optional(),
  trainerKeysSecretName: z.string().optional(),
  storageAccountName: z.string().optional(),
  vnetCidrs: Strings.optional(),
});
export type TerraformOutputsView = z.infer<typeof OutputValuesSchema>;

const valueOf = (outputs: TerraformOutputs, name: string): unknown => outputs[name]?.value ?? undefined;
const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] ?? undefined : undefined);

/** Validates the JSON of `terraform output -json`. */
export function parseTerraformOutputs(json: unknown, source: string): TerraformOutputs {
  return parseInput(TerraformOutputsSchema, json, `${source} (terraform output -json)`);
}

/** Picks the values preflight compares (null outputs count as absent). */
export function outputsView(outputs: TerraformOutputs, source: string): TerraformOutputsView {
  const forwarding = valueOf(outputs, 'aws_dns_forwarding');
  const inboundIp = valueOf(outputs, 'dns_resolver_inbound_ip');
  const targetIps = field(forwarding, 'target_ips');
  const keyVaultCsi = valueOf(outputs, 'key_vault_csi');
  const view = {
    signalsUrl: valueOf(outputs, 'signals_url') ?? valueOf(outputs, 'function_app_signals_url'),
    aggregator: valueOf(outputs, 'aggregator'),
    resolverIps: Array.isArray(targetIps) && targetIps.length > 0 ? targetIps : inboundIp === undefined ? undefined : [inboundIp],
    forwardedDomains: field(forwarding, 'domains'),
    keyVaultName: valueOf(outputs, 'key_vault_name') ?? field(keyVaultCsi, 'key_vault_name'),
    signalKeysSecretName: field(keyVaultCsi, 'signal_keys_secret_name'),
    trainerKeysSecretName: field(keyVaultCsi, 'trainer_keys_secret_name'),
    storageAccountName: valueOf(outputs, 'storage_account_name') ?? field(valueOf(outputs, 'function_app_settings_for_local_runs'), 'SPOTON_STORAGE_ACCOUNT'),
    vnetCidrs: valueOf(outputs, 'vnet_address_spaces') ?? field(valueOf(outputs, 'aws_vpn_config'), 'vnetCidrs'),
  };
  return parseInput(OutputValuesSchema, view, `${source} (terraform output -json)`);
}
