/**
 * How the deployment's settings reach the local cloud's resources: its queues' settings onto local queues, its
 * Lambdas' template environment with references to stack resources resolved to their local stand-ins.
 */
import type { SqsQueueRef } from '../aws';
import type { EnvValue } from './production/aws-template';

/** The local SQS settings of a deployed queue (already compressed to whole seconds) and its dead-letter queue. */
export function deploymentQueue(settings: { visibilityTimeoutSeconds: number; maxReceiveCount: number }, deadLetter: SqsQueueRef) {
  return { visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds, deadLetterQueue: { queue: deadLetter, maxReceiveCount: settings.maxReceiveCount } };
}

/** A literal setting of a Lambda's template environment. */
export function literal(environment: Readonly<Record<string, EnvValue>>, name: string): string {
  const value = environment[name];
  if (value === undefined || !('literal' in value)) throw new Error(`the template sets no literal ${name}`);
  return value.literal;
}

/** The environment a Lambda gets: the template's, references resolved to local resources, then `overrides`. */
export function lambdaEnvironment(
  environment: Readonly<Record<string, EnvValue>>,
  overrides: Readonly<Record<string, string>>,
  resolveRef: (ref: string, type: string) => string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if ('literal' in value) out[name] = value.literal;
    else {
      const resolved = resolveRef(value.ref, value.type);
      if (resolved === undefined) throw new Error(`no local stand-in for ${name} (${value.type} ${value.ref})`);
      out[name] = resolved;
    }
  }
  return { ...out, ...overrides };
}
