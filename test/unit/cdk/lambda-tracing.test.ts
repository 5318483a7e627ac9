import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../../cdk/config';
import { buildTestApp, exampleConfig, setAt } from './helpers';

const LAYER = 'arn:aws:lambda:ap-northeast-2:901920570463:layer:aws-otel-collector-arm64-ver-0-117-0:1';

/** Each reflex function's OTel endpoint, layers and X-Ray mode, by its description's start. */
function reflexTracing(config: ReturnType<typeof exampleConfig>) {
  const built = buildTestApp(config, { bundle: false, nag: true });
  try {
    const functions = Template.fromStack(built.stack).findResources('AWS::Lambda::Function');
    return Object.values(functions)
      .map((fn) => fn.Properties as { Description?: string; Environment?: { Variables?: Record<string, unknown> }; Layers?: unknown[]; TracingConfig?: { Mode: string } })
      .filter((props) => props.Description?.startsWith('Spot-On reflex'))
      .map((props) => ({ endpoint: props.Environment?.Variables?.OTEL_EXPORTER_OTLP_ENDPOINT, layers: props.Layers, xray: props.TracingConfig?.Mode }));
  } finally {
    built.dispose();
  }
}

describe('reflex Lambda tracing (lambdas.tracing)', () => {
  it('sends no span by default: no endpoint, no layer, no X-Ray', () => {
    expect(reflexTracing(exampleConfig())).toStrictEqual([
      { endpoint: undefined, layers: undefined, xray: undefined },
      { endpoint: undefined, layers: undefined, xray: undefined },
    ]);
  });

  it('with the ADOT collector layer, points both Lambdas at its collector and turns X-Ray on', () => {
    const config = exampleConfig((json) => setAt(json, 'lambdas.tracing', { collectorLayerArn: LAYER }));
    expect(reflexTracing(config)).toStrictEqual([
      { endpoint: 'http://localhost:4318', layers: [LAYER], xray: 'Active' },
      { endpoint: 'http://localhost:4318', layers: [LAYER], xray: 'Active' },
    ]);
  });

  it('with an endpoint alone, sends there and adds nothing else', () => {
    const config = exampleConfig((json) => setAt(json, 'lambdas.tracing', { otlpEndpoint: 'https://otel.internal.example:4318' }));
    expect(reflexTracing(config).map((fn) => [fn.endpoint, fn.layers, fn.xray])).toStrictEqual([
      ['https://otel.internal.example:4318', undefined, undefined],
      ['https://otel.internal.example:4318', undefined, undefined],
    ]);
  });

  it('refuses a tracing block that names nowhere, or a layer that is no layer', () => {
    expect(() => exampleConfig((json) => setAt(json, 'lambdas.tracing', {}))).toThrow(ConfigError);
    expect(() => exampleConfig((json) => setAt(json, 'lambdas.tracing', { collectorLayerArn: 'aws-otel-collector' }))).toThrow(/layer version ARN/);
  });
});
