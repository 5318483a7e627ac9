/**
 * What the drill's local AWS takes from the synthesized CloudFormation template, the one `cdk deploy` would
 * create: the two queues and their dead-letter queues (visibility timeout, receive count), the two Lambdas
 * (timeout, environment, event source batch size) and the ingest rules' patterns. Queues and Lambdas are found
 * by their role in the template (which queue a Lambda reads, which queue its environment names), never by
 * logical id, so a renamed construct still reads right.
 */
import { keyRingOutputName, type KeyPurpose } from '../../../protocol/keys';
import type { EventPattern } from '../../eventbridge/pattern';

type Json = Record<string, unknown>;

interface Resource {
  readonly Type: string;
  readonly Properties?: Json;
}

/** A CloudFormation template as `cdk synth` writes it. */
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, Resource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value?: unknown }>>;
}

/** An environment value: a literal, or a reference to another resource of the stack. */
export type EnvValue = { readonly literal: string } | { readonly ref: string; readonly type: string };

export interface QueueSettings {
  readonly logicalId: string;
  readonly visibilityTimeoutSeconds: number;
  /** Receives before the message moves to the dead-letter queue; undefined for a dead-letter queue itself. */
  readonly maxReceiveCount?: number;
}

export interface LambdaSettings {
  readonly logicalId: string;
  readonly timeoutSeconds: number;
  readonly batchSize: number;
  readonly environment: Readonly<Record<string, EnvValue>>;
}

export interface AwsDeployment {
  readonly interruptionQueue: QueueSettings;
  readonly interruptionDlq: QueueSettings;
  readonly outbox: QueueSettings;
  readonly outboxDlq: QueueSettings;
  readonly interruption: LambdaSettings;
  readonly signal: LambdaSettings;
  /** The ingest rules, by their description's name, with the patterns EventBridge will match. */
  readonly rules: readonly { readonly name: string; readonly pattern: EventPattern }[];
  /** The key ring secret of each purpose, by logical id, as the stack's outputs (`FlushKeysSecretArn`, ...) name them. */
  readonly keyRings: Readonly<Record<KeyPurpose, string>>;
}

/** The template lacks something the drill needs: the stack no longer has the shape this reader knows. */
export class TemplateShapeError extends Error {
  override readonly name = 'TemplateShapeError';
}

const SQS_DEFAULT_VISIBILITY_SECONDS = 30;
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;
const SQS_DEFAULT_BATCH_SIZE = 10;

const refOf = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
};

/** Reads the drill's AWS settings out of a synthesized template. */
export function readAwsDeployment(template: CfnTemplate): AwsDeployment {
  const resources = template.Resources;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const queue = (logicalId: string | undefined, what: string): QueueSettings => {
    const resource = logicalId === undefined ? undefined : resources[logicalId];
    if (logicalId === undefined || resource?.Type !== 'AWS::SQS::Queue') throw new TemplateShapeError(`the template has no ${what}`);
    const properties = resource.Properties ?? {};
    const redrive = properties.RedrivePolicy as { maxReceiveCount?: number } | undefined;
    return {
      logicalId,
      visibilityTimeoutSeconds: Number(properties.VisibilityTimeout ?? SQS_DEFAULT_VISIBILITY_SECONDS),
      ...(redrive?.maxReceiveCount === undefined ? {} : { maxReceiveCount: Number(redrive.maxReceiveCount) }),
    };
  };
  const deadLetterOf = (source: QueueSettings, what: string) =>
    queue(refOf((resources[source.logicalId]?.Properties?.RedrivePolicy as Json | undefined)?.deadLetterTargetArn), `dead-letter queue of the ${what}`);

  const lambda = (serviceName: string) => {
    const found = ofType('AWS::Lambda::Function').find(([, r]) => ((r.Properties?.Environment as Json | undefined)?.Variables as Json | undefined)?.POWERTOOLS_SERVICE_NAME === serviceName);
    if (found === undefined) throw new TemplateShapeError(`the template has no Lambda with POWERTOOLS_SERVICE_NAME ${serviceName}`);
    const [logicalId, resource] = found;
    const variables = ((resource.Properties?.Environment as Json).Variables ?? {}) as Json;
    const environment = Object.fromEntries(
      Object.entries(variables).map(([name, value]): [string, EnvValue] => {
        if (typeof value === 'string') return [name, { literal: value }];
        const ref = refOf(value);
        const type = ref === undefined ? undefined : resources[ref]?.Type;
        if (ref === undefined || type === undefined) throw new TemplateShapeError(`${serviceName} setting ${name} is neither a literal nor a reference to a resource of the stack`);
        return [name, { ref, type }];
      }),
    );
    const mapping = ofType('AWS::Lambda::EventSourceMapping').find(([, r]) => refOf(r.Properties?.FunctionName) === logicalId);
    if (mapping === undefined) throw new TemplateShapeError(`${serviceName} has no SQS event source`);
    const settings: LambdaSettings = {
      logicalId,
      timeoutSeconds: Number(resource.Properties?.Timeout ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS),
      batchSize: Number(mapping[1].Properties?.BatchSize ?? SQS_DEFAULT_BATCH_SIZE),
      environment,
    };
    return { settings, sourceQueue: refOf(mapping[1].Properties?.EventSourceArn) };
  };

  const interruption = lambda('spot-on-interruption');
  const signal = lambda('spot-on-signal');
  const interruptionQueue = queue(interruption.sourceQueue, 'queue the interruption Lambda reads');
  const outbox = queue(signal.sourceQueue, 'queue the signal Lambda reads (the outbox)');
  const rules = ofType('AWS::Events::Rule').flatMap(([logicalId, r]) => {
    const targets = (r.Properties?.Targets ?? []) as Json[];
    if (!targets.some((target) => refOf(target.Arn) === interruptionQueue.logicalId)) return [];
    const name = /"([^"]+)"/.exec(String(r.Properties?.Description ?? ''))?.[1] ?? logicalId;
    return [{ name, pattern: r.Properties?.EventPattern as EventPattern }];
  });
  if (rules.length === 0) throw new TemplateShapeError('no EventBridge rule targets the interruption queue');
  const keyRing = (purpose: KeyPurpose): string => {
    const output = keyRingOutputName(purpose);
    const ref = refOf(template.Outputs?.[output]?.Value);
    if (ref === undefined || resources[ref]?.Type !== 'AWS::SecretsManager::Secret') throw new TemplateShapeError(`the template has no output ${output} naming a secret of the stack`);
    return ref;
  };
  return {
    interruptionQueue,
    interruptionDlq: deadLetterOf(interruptionQueue, 'interruption queue'),
    outbox,
    outboxDlq: deadLetterOf(outbox, 'outbox'),
    interruption: interruption.settings,
    signal: signal.settings,
    rules,
    keyRings: { flush: keyRing('flush'), signal: keyRing('signal'), trainer: keyRing('trainer') },
  };
}
