/**
 * Local Secrets Manager: secrets by name with string values, versions labelled AWSCURRENT / AWSPREVIOUS, found
 * by name, full ARN or partial ARN (without the 6-character suffix), as GetSecretValue finds them. Serves
 * `secretsmanager.GetSecretValue` over AWS JSON 1.1 (@aws-sdk/client-secrets-manager, serviceTarget
 * "secretsmanager"); secrets are put in-process.
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

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly versions: { readonly versionId: string; readonly secretString: string; readonly createdAt: number }[];
}

export interface SecretsManagerServiceOptions {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
  readonly random: Random;
}

const GetSecretValueSchema = z.object({ SecretId: z.string().min(1), VersionId: z.string().optional(), VersionStage: z.string().optional() });
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function notFound(message = "Secrets Manager can't find the specified secret."): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', message);
}

/** The secrets of the local account. */
export class SecretsManagerService {
  private readonly options: SecretsManagerServiceOptions;
  private readonly secrets = new Map<string, StoredSecret>();

  constructor(options: SecretsManagerServiceOptions) {
    this.options = options;
  }

  /** Creates the secret, or makes `secretString` its new AWSCURRENT version. */
  put(name: string, secretString: string): SecretRecord {
    const { region, accountId, clock, random } = this.options;
    let secret = this.secrets.get(name);
    if (secret === undefined) {
      const suffix = Array.from({ length: 6 }, () => SUFFIX_ALPHABET[Math.floor(random.next() * SUFFIX_ALPHABET.length)]).join('');
      secret = { arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`, name, versions: [] };
      this.secrets.set(name, secret);
    }
    secret.versions.push({ versionId: random.uuid(), secretString, createdAt: clock.now() });
    return this.current(secret);
  }

  private current(secret: StoredSecret): SecretRecord {
    const version = secret.versions[secret.versions.length - 1];
    if (version === undefined) throw notFound();
    return { arn: secret.arn, name: secret.name, ...version };
  }

  /** The secret a SecretId names (name, ARN or partial ARN), if any. */
  find(secretId: string): SecretRecord | undefined {
    const secret = this.findStored(secretId);
    return secret === undefined ? undefined : this.current(secret);
  }

  private findStored(secretId: string): StoredSecret | undefined {
    for (const secret of this.secrets.values()) {
      if (secret.name === secretId || secret.arn === secretId || secret.arn.slice(0, -7) === secretId) return secret;
    }
    return undefined;
  }

  /** GetSecretValue on wire input. */
  getSecretValue(input: unknown): Record<string, unknown> {
    const parsed = GetSecretValueSchema.safeParse(input ?? {});
    if (!parsed.success) {
      throw new AwsServiceError('ValidationException', "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null");
    }
    const { SecretId, VersionId, VersionStage } = parsed.data;
    const secret = this.findStored(SecretId);
    if (secret === undefined) throw notFound();
    const last = secret.versions.length - 1;
    let index = last;
    if (VersionId !== undefined) {
      index = secret.versions.findIndex((v) => v.versionId === VersionId);
      if (index < 0) throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${VersionId}`);
    } else if (VersionStage !== undefined && VersionStage !== 'AWSCURRENT') {
      index = VersionStage === 'AWSPREVIOUS' ? last - 1 : -1;
      if (index < 0) throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${VersionStage}`);
    }
    const version = secret.versions[index];
    if (version === undefined) throw notFound();
    const stages = index === last ? ['AWSCURRENT'] : index === last - 1 ? ['AWSPREVIOUS'] : [];
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.secretString,
      VersionStages: stages,
      CreatedDate: version.createdAt / 1000,
    };
  }
}

/** The Secrets Manager operations the local service answers, by X-Amz-Target operation name. */
export function secretsManagerOperations(service: SecretsManagerService): Readonly<Record<string, (input: unknown) => unknown>> {
  return { GetSecretValue: (input) => service.getSecretValue(input) };
}
