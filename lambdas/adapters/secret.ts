import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Supplies the HMAC key shared with the Azure brain and the trainers. */
export interface SigningKeySource {
  /** The key; read once per cold start. */
  get(): Promise<string>;
}

/** The signing secret could not be read or is empty. Retried: the next invocation reads it again. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Reads the key from Secrets Manager (the whole `SecretString`) on first use and caches the promise, so
 * concurrent records share one call. A failed read is not cached: the next caller tries again.
 */
export function secretsManagerKeySource(client: SecretsManagerClient, secretArn: string): SigningKeySource {
  let cached: Promise<string> | undefined;
  const read = async (): Promise<string> => {
    let secret: string | undefined;
    try {
      secret = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (error) {
      throw new SigningKeyError(`cannot read signing secret ${secretArn}: ${(error as Error).message}`, { cause: error });
    }
    if (secret === undefined || secret === '') {
      throw new SigningKeyError(`signing secret ${secretArn} has no SecretString`);
    }
    return secret;
  };
  return {
    get() {
      cached ??= read().catch((error: unknown) => {
        cached = undefined;
        throw error;
      });
      return cached;
    },
  };
}
