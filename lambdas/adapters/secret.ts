import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { KeyRingError, parseKeyRing, type KeyPurpose } from '../../protocol/keys';

/** Supplies the key a Lambda signs with: the first key of its purpose's ring (protocol/keys.ts). */
export interface SigningKeySource {
  get(): Promise<string>;
}

/** The key ring could not be read or is not a valid ring. Retried: the next invocation reads it again. */
export class SigningKeyError extends Error {
  override readonly name = 'SigningKeyError';
}

/**
 * How long a read ring is used before it is read again. Bounded, so a rotation step (docs/SECURITY.md) reaches every
 * warm Lambda within minutes rather than whenever its container happens to be recycled.
 */
export const KEY_RING_MAX_AGE_MS = 5 * 60_000;

/**
 * Reads the ring from Secrets Manager (the whole `SecretString`) on first use and caches the promise for
 * KEY_RING_MAX_AGE_MS, so concurrent records share one call. A failed read is not cached: the next caller tries again.
 */
export function secretsManagerKeySource(client: SecretsManagerClient, purpose: KeyPurpose, secretArn: string, now: () => number = Date.now): SigningKeySource {
  let cached: { readonly at: number; readonly key: Promise<string> } | undefined;
  const read = async (): Promise<string> => {
    let secret: string | undefined;
    try {
      secret = (await client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (error) {
      throw new SigningKeyError(`cannot read the ${purpose} key ring ${secretArn}: ${(error as Error).message}`, { cause: error });
    }
    try {
      return parseKeyRing(purpose, secret).signing;
    } catch (error) {
      throw new SigningKeyError(`the ${purpose} key ring ${secretArn} is unusable: ${error instanceof KeyRingError ? error.reason : String(error)}`);
    }
  };
  return {
    get() {
      if (cached === undefined || now() - cached.at >= KEY_RING_MAX_AGE_MS) {
        const key = read().catch((error: unknown) => {
          cached = undefined;
          throw error;
        });
        cached = { at: now(), key };
      }
      return cached.key;
    },
  };
}
