import { Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** Where the reflex Lambdas send their spans (docs/ARCHITECTURE.md, "Traces"); absent: nowhere. */
export interface LambdaTracingProps {
  /** OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT). @default http://localhost:4318: the collector layer's */
  readonly otlpEndpoint?: string | undefined;
  /** An ADOT collector Lambda layer (arm64); its collector forwards the spans to X-Ray. */
  readonly collectorLayerArn?: string | undefined;
}

/** The collector layer's OTLP/HTTP receiver. */
export const COLLECTOR_LAYER_ENDPOINT = 'http://localhost:4318';

/**
 * What tracing adds to each reflex Lambda: the endpoint variable the handlers read (protocol/tracer.ts) and, with the
 * ADOT collector layer, the layer and X-Ray active tracing (which grants the role the X-Ray writes the layer makes).
 */
export function lambdaTracing(
  scope: Construct,
  props: LambdaTracingProps | undefined,
): { environment: Record<string, string>; functionProps: Pick<lambda.FunctionOptions, 'layers' | 'tracing'>; acknowledge: (role: iam.Role) => void } {
  const nothing = () => undefined;
  if (props === undefined) return { environment: {}, functionProps: {}, acknowledge: nothing };
  const endpoint = props.otlpEndpoint ?? (props.collectorLayerArn === undefined ? undefined : COLLECTOR_LAYER_ENDPOINT);
  const layer = props.collectorLayerArn === undefined ? undefined : lambda.LayerVersion.fromLayerVersionArn(scope, 'OtelCollectorLayer', props.collectorLayerArn);
  return {
    environment: endpoint === undefined ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    functionProps: layer === undefined ? {} : { layers: [layer], tracing: lambda.Tracing.ACTIVE },
    acknowledge:
      layer === undefined
        ? nothing
        : (role) =>
            Validations.of(role).acknowledge({
              id: 'AwsSolutions-IAM5[Resource::*]',
              reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords, added by active tracing for the ADOT collector layer: X-Ray has no resource-level permissions for them.',
            }),
  };
}
