/**
 * Entry-point settings: each flag has an environment variable; flags win. Read once, validated with zod,
 * failing fast with a ConfigError that names the flag and the variable. A secret has no flag: the command line is
 * visible to every process on the machine (`ps`), so secrets come from the environment only.
 */
import { z } from 'zod';
import { keyRingSetting } from '../protocol/keys';
import { ConfigError } from './errors';

export interface SettingSpec {
  /** Flag name without dashes, e.g. `aggregator-url`. */
  readonly flag: string;
  readonly env: string;
  readonly description: string;
  readonly schema: z.ZodType;
  /** Marks a boolean switch (`--flag` without a value). */
  readonly boolean?: boolean;
  /** A secret: read from `env` only; `--flag` is refused. */
  readonly secret?: boolean;
}

/** Parses argv flags (`--name value`, `--name=value`, boolean `--name`) and env into validated settings. */
export function readSettings<T extends Record<string, SettingSpec>>(
  specs: T,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): { [K in keyof T]: z.infer<T[K]['schema']> } {
  const byFlag = new Map(Object.entries(specs).map(([key, spec]) => [spec.flag, { key, spec }]));
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new ConfigError(usage(specs));
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const entry = match && byFlag.get(match[1]!);
    if (!match || !entry) throw new ConfigError(`unknown argument ${arg}\n${usage(specs)}`);
    if (entry.spec.secret) throw new ConfigError(`--${entry.spec.flag} is a secret: set ${entry.spec.env} instead (a command line is visible in process listings)`);
    if (entry.spec.boolean) given.set(entry.key, match[2] ?? 'true');
    else {
      const value = match[2] ?? argv[++i];
      if (value === undefined) throw new ConfigError(`--${entry.spec.flag} needs a value`);
      given.set(entry.key, value);
    }
  }
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(specs)) {
    const raw = given.get(key) ?? (env[spec.env] === '' ? undefined : env[spec.env]);
    const result = spec.schema.safeParse(raw);
    if (result.success) out[key] = result.data;
    else problems.push(`${spec.secret ? spec.env : `--${spec.flag} / ${spec.env}`}: ${raw === undefined ? 'missing' : result.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid settings:\n  ${problems.join('\n  ')}`);
  return out as { [K in keyof T]: z.infer<T[K]['schema']> };
}

/** One line per setting, for --help and errors. */
export function usage(specs: Record<string, SettingSpec>): string {
  return Object.values(specs)
    .map((s) => (s.secret ? `  ${s.env} (environment only)  ${s.description}` : `  --${s.flag}${s.boolean ? '' : ' <value>'}  (${s.env})  ${s.description}`))
    .join('\n');
}

/** Helpers for common setting types (values arrive as strings). */
export const setting = {
  text: () => z.string().trim().min(1),
  url: () => z.url({ protocol: /^https?$/ }),
  port: () => z.coerce.number().int().min(0).max(65_535),
  positiveInt: () => z.coerce.number().int().positive(),
  /** A purpose's key ring (protocol/keys.ts), taken as given: never trimmed. */
  keyRing: keyRingSetting,
  flag: () =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .optional()
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
};
