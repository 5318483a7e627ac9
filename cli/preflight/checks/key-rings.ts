import { KeyRingError, keyRingOutputName, parseKeyRing, type KeyPurpose } from '../../../protocol/keys';
import { problems, type Check } from '../types';
import { chartSetting, shown } from './support';

/** Words that mark a value nobody replaced. */
const PLACEHOLDER = /replace|change-?me|example|placeholder|todo|dummy|secret-here|^<.*>$|^x+$/i;

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>`: the region and account, when the name is an ARN. */
function arnParts(nameOrArn: string): { region: string; account: string } | undefined {
  const match = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:/.exec(nameOrArn);
  return match ? { region: match[1] as string, account: match[2] as string } : undefined;
}

/** Why a ring Terraform writes to Key Vault would not work, if it would not; the keys themselves are never printed. */
function ringProblem(purpose: 'signal' | 'trainer', ring: string | undefined): string | false {
  if (ring === undefined) return false;
  const variable = `terraform ${purpose}_keys`;
  if (PLACEHOLDER.test(ring)) return `${variable} is a placeholder; use the value of the CDK output ${keyRingOutputName(purpose)}`;
  try {
    parseKeyRing(purpose, ring);
    return false;
  } catch (error) {
    return `${variable}: ${error instanceof KeyRingError ? error.reason : String(error)} (the module refuses it)`;
  }
}

/**
 * The key rings (protocol/keys.ts) reach every verifier from one place. Terraform writes `signal_keys` and
 * `trainer_keys` to Key Vault, where the brain and the AKS pods read them; EKS trainers read the flush and trainer
 * rings from the stack's Secrets Manager secrets. An unusable ring, or a vault, secret or region the pods do not read
 * from, makes every signature check fail: the brain answers 401 and nothing fails over.
 */
export const keyRingsCheck: Check = {
  name: 'key-rings',
  run: ({ config, charts, terraform, terraformOutputs }) => {
    const ringLines = (['signal', 'trainer'] as const).map((purpose) => ringProblem(purpose, purpose === 'signal' ? terraform.signalKeys : terraform.trainerKeys));
    const aks = charts.aks?.values;
    const azureCsi = aks?.keys.source === 'csi' ? aks.keys.csi.azure : undefined;
    const vault = terraformOutputs?.keyVaultName ?? terraform.keyVaultName;
    const vaultLine =
      azureCsi !== undefined && vault !== undefined && azureCsi.keyVaultName !== vault &&
      `${chartSetting('aks', 'keys.csi.azure.keyVaultName')} ${shown(azureCsi.keyVaultName)} differs from the Key Vault terraform creates (${vault})`;
    const secretNames: Readonly<Record<'signal' | 'trainer', string | undefined>> = {
      signal: terraformOutputs?.signalKeysSecretName ?? terraform.signalKeysSecretName,
      trainer: terraformOutputs?.trainerKeysSecretName ?? terraform.trainerKeysSecretName,
    };
    const nameLines = (['signal', 'trainer'] as const).map((purpose) => {
      const chartName = purpose === 'signal' ? azureCsi?.signalKeysSecretName : azureCsi?.trainerKeysSecretName;
      const expected = secretNames[purpose];
      return (
        chartName !== undefined && expected !== undefined && chartName !== expected &&
        `${chartSetting('aks', `keys.csi.azure.${purpose}KeysSecretName`)} ${shown(chartName)} differs from terraform key_vault.${purpose}_keys_secret_name (${expected})`
      );
    });
    const eks = charts.eks?.values;
    const awsCsi = eks?.keys.source === 'csi' ? eks.keys.csi.aws : undefined;
    const regionLine =
      awsCsi !== undefined && awsCsi.region !== '' && awsCsi.region !== config.region &&
      `${chartSetting('eks', 'keys.csi.aws.region')} ${shown(awsCsi.region)} differs from the CDK config's region ${shown(config.region)}, where the stack keeps the key rings`;
    const arnLines = (['flush', 'trainer'] as const satisfies readonly KeyPurpose[]).map((purpose) => {
      const arn = awsCsi === undefined ? undefined : arnParts(purpose === 'flush' ? awsCsi.flushKeysSecretArn : awsCsi.trainerKeysSecretArn);
      return (
        arn !== undefined && (arn.region !== config.region || arn.account !== config.account) &&
        `${chartSetting('eks', `keys.csi.aws.${purpose}KeysSecretArn`)} is a secret in ${arn.account}/${arn.region}, not the stack's ${config.account}/${config.region} (CDK output ${keyRingOutputName(purpose)})`
      );
    });
    return problems(...ringLines, vaultLine, ...nameLines, regionLine, ...arnLines);
  },
};
