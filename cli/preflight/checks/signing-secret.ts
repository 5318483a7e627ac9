import { problems, type Check } from '../types';
import { chartSetting, shown } from './support';

/** The module refuses shorter keys (variables.tf: signing_secret validation). */
const MINIMUM_SECRET_LENGTH = 32;
/** Words that mark a value nobody replaced. */
const PLACEHOLDER = /replace|change-?me|example|placeholder|todo|dummy|secret-here|^<.*>$|^x+$/i;

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>`: the region and account, when the name is an ARN. */
function arnParts(nameOrArn: string): { region: string; account: string } | undefined {
  const match = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:/.exec(nameOrArn);
  return match ? { region: match[1] as string, account: match[2] as string } : undefined;
}

/**
 * One HMAC key on both sides. Terraform writes `signing_secret` to Key Vault (the module derives its version, so no
 * version is needed), the AKS pods read it through the SecretProviderClass, EKS trainers from the stack's Secrets
 * Manager secret. An empty or placeholder key, or a vault, secret or region the pods do not read from, makes every
 * signature check fail: the brain answers 401 and nothing fails over. The key itself is never printed.
 */
export const signingSecretCheck: Check = {
  name: 'signing-secret',
  run: ({ config, charts, terraform, terraformOutputs }) => {
    const secret = terraform.signingSecret;
    const secretLine =
      secret === undefined
        ? undefined
        : secret.trim() === ''
          ? 'terraform signing_secret is empty; use the key of the CDK output SigningSecretArn'
          : PLACEHOLDER.test(secret)
            ? 'terraform signing_secret is a placeholder; use the key of the CDK output SigningSecretArn'
            : secret.length < MINIMUM_SECRET_LENGTH && `terraform signing_secret is shorter than ${MINIMUM_SECRET_LENGTH} characters (the module refuses it)`;
    const aks = charts.aks?.values;
    const azureCsi = aks?.signingSecret.source === 'csi' ? aks.signingSecret.csi.azure : undefined;
    const vault = terraformOutputs?.keyVaultName ?? terraform.keyVaultName;
    const secretName = terraformOutputs?.signingSecretName ?? terraform.signingSecretName;
    const vaultLine =
      azureCsi !== undefined && vault !== undefined && azureCsi.keyVaultName !== vault &&
      `${chartSetting('aks', 'signingSecret.csi.azure.keyVaultName')} ${shown(azureCsi.keyVaultName)} differs from the Key Vault terraform creates (${vault})`;
    const nameLine =
      azureCsi !== undefined && secretName !== undefined && azureCsi.secretName !== secretName &&
      `${chartSetting('aks', 'signingSecret.csi.azure.secretName')} ${shown(azureCsi.secretName)} differs from terraform key_vault.signing_secret_name (${secretName})`;
    const eks = charts.eks?.values;
    const awsCsi = eks?.signingSecret.source === 'csi' ? eks.signingSecret.csi.aws : undefined;
    const regionLine =
      awsCsi !== undefined && awsCsi.region !== '' && awsCsi.region !== config.region &&
      `${chartSetting('eks', 'signingSecret.csi.aws.region')} ${shown(awsCsi.region)} differs from the CDK config's region ${shown(config.region)}, where the stack keeps the signing secret`;
    const arn = awsCsi === undefined ? undefined : arnParts(awsCsi.secretName);
    const arnLine =
      arn !== undefined && (arn.region !== config.region || arn.account !== config.account) &&
      `${chartSetting('eks', 'signingSecret.csi.aws.secretName')} is a secret in ${arn.account}/${arn.region}, not the stack's ${config.account}/${config.region} (CDK output SigningSecretArn)`;
    return problems(secretLine, vaultLine, nameLine, regionLine, arnLine);
  },
};
