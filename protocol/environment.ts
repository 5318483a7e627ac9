/**
 * Reading a deployable's settings from its environment, for the Lambdas and the brain alike: an empty (or blank)
 * variable counts as missing, every problem is collected (not only the first), and the error names each setting.
 */
import { z } from 'zod';
import { ConfigError } from './config-error';

/** An environment: process.env in production, an explicit record in tests and the local cloud. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** `shape`'s settings from `env`, validated; ConfigError `<what> configuration: missing A, B; invalid C (why)`. */
export function readEnvironment<T extends z.ZodRawShape>(what: string, shape: T, env: Environment): z.infer<z.ZodObject<T>> {
  const present = Object.fromEntries(Object.keys(shape).flatMap((key) => (env[key]?.trim() ? [[key, env[key]]] : [])));
  const result = z.object(shape).safeParse(present);
  if (result.success) return result.data;
  const missing: string[] = [];
  const invalid: string[] = [];
  for (const issue of result.error.issues) {
    const key = String(issue.path[0]);
    if (present[key] === undefined) missing.push(key);
    else invalid.push(`${key} (${issue.message})`);
  }
  return configurationError(what, missing, invalid, result.error.issues.map((issue) => String(issue.path[0])), result.error);
}

/** Throws the ConfigError of settings that are missing or invalid. */
export function configurationError(what: string, missing: readonly string[], invalid: readonly string[], settings: readonly string[], cause?: unknown): never {
  const parts = [...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []), ...(invalid.length > 0 ? [`invalid ${invalid.join(', ')}`] : [])];
  throw new ConfigError(`${what} configuration: ${parts.join('; ')}`, { settings: [...new Set(settings)], cause });
}
