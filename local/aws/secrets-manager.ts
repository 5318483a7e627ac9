/**
 * Local Secrets Manager: secrets by name with string values, found by name, full ARN or partial ARN (without the
 * 6-character suffix), as GetSecretValue finds them. Serves `secretsmanager.GetSecretValue` over AWS JSON 1.1;
 * secrets are put in-process. Only the AWSCURRENT version is kept: nothing here rotates a secret.
 */
import { z } from 'zod';
import type { Clock } from './clock';
import { AwsServiceError } from './errors';
import type { Random } from './random';

/** A secret's current value and identity. */
export interface SecretRecord {
  readonly arn: string;
  readonly name: string;
  readonly versionId: string;
  readonly secretString: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
}

const GetSecretValueSchema = z.object({ SecretId: z.string().min(1), VersionId: z.string().optional(), VersionStage: z.string().optional() });
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function notFound(what = 'secret.'): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified ${what}`);
}

/** The secrets of the local account. */
export class SecretsManagerService {
  private readonly secrets = new Map<string, SecretRecord>();

  constructor(private readonly options: { readonly region: string; readonly accountId: string; readonly clock: Clock; readonly random: Random }) {}

  /** Creates the secret, or makes `secretString` its new AWSCURRENT version. */
  put(name: string, secretString: string): SecretRecord {
    const { region, accountId, clock, random } = this.options;
    const suffix = () => Array.from({ length: 6 }, () => SUFFIX_ALPHABET[Math.floor(random.next() * SUFFIX_ALPHABET.length)]).join('');
    const arn = this.secrets.get(name)?.arn ?? `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix()}`;
    const secret = { arn, name, versionId: random.uuid(), secretString, createdAt: clock.now() };
    this.secrets.set(name, secret);
    return secret;
  }

  /** The secret a SecretId names (name, ARN or partial ARN), if any. */
  find(secretId: string): SecretRecord | undefined {
    return [...this.secrets.values()].find((s) => s.name === secretId || s.arn === secretId || s.arn.slice(0, -7) === secretId);
  }

  /** GetSecretValue on wire input. */
  getSecretValue(input: unknown): Record<string, unknown> {
    const parsed = GetSecretValueSchema.safeParse(input ?? {});
    if (!parsed.success) {
      throw new AwsServiceError('ValidationException', "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null");
    }
    const { SecretId, VersionId, VersionStage } = parsed.data;
    const secret = this.find(SecretId);
    if (secret === undefined) throw notFound();
    if (VersionId !== undefined && VersionId !== secret.versionId) throw notFound(`secret value for VersionId: ${VersionId}`);
    if (VersionStage !== undefined && VersionStage !== 'AWSCURRENT') throw notFound(`secret value for staging label: ${VersionStage}`);
    const { arn: ARN, name: Name, versionId, secretString: SecretString, createdAt } = secret;
    return { ARN, Name, VersionId: versionId, SecretString, VersionStages: ['AWSCURRENT'], CreatedDate: createdAt / 1000 };
  }
}
