import { gzipSync } from 'node:zlib';
import { startOtlpCollector, type OtlpCollector } from '../../../local/otlp-collector';

/** An ExportTraceServiceRequest as OTLP JSON encodes it: ids in hex, times as decimal nanosecond strings. */
const request = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'spot-on-brain' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: '0af7651916cd43dd8448eb211c80319c',
              spanId: 'b7ad6b7169203331',
              parentSpanId: '00f067aa0ba902b7',
              name: 'pool scaled',
              startTimeUnixNano: '1796393234739000000',
              endTimeUnixNano: '1796393239239123456',
              attributes: [
                { key: 'spot_on.component', value: { stringValue: 'arm' } },
                { key: 'spot_on.step', value: { stringValue: 'pool-scaled' } },
                { key: 'targetNodes', value: { intValue: 3 } },
              ],
            },
            { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', parentSpanId: '', name: 'signal capacity-lost', startTimeUnixNano: 1796393234000000000, endTimeUnixNano: '1796393234100000000' },
          ],
        },
      ],
    },
  ],
};

describe('the drill OTLP receiver', () => {
  let collector: OtlpCollector;
  beforeEach(async () => {
    collector = await startOtlpCollector();
  });
  afterEach(() => collector.stop());

  const post = (body: Uint8Array<ArrayBuffer> | string, headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/v1/traces') =>
    fetch(`${collector.endpoint}${path}`, { method: 'POST', headers, body });

  it('keeps each span with its service, component, step and times in ms (gzipped or not)', async () => {
    expect((await post(JSON.stringify(request))).status).toBe(200);
    expect((await post(new Uint8Array(gzipSync(JSON.stringify(request))), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(200);
    const spans = collector.spans();
    expect(spans).toHaveLength(4);
    expect(spans[0]).toStrictEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      name: 'pool scaled',
      service: 'spot-on-brain',
      component: 'arm',
      step: 'pool-scaled',
      startMs: 1796393234739,
      endMs: 1796393239239,
    });
    // A root's empty parent id is no parent; a span without the contract's attributes has neither.
    expect(spans[1]).toStrictEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', name: 'signal capacity-lost', service: 'spot-on-brain', startMs: 1796393234000, endMs: 1796393234100 });
  });

  it('refuses what it does not speak, keeping nothing', async () => {
    expect((await post('{}', { 'content-type': 'application/json' }, '/v1/metrics')).status).toBe(404);
    expect((await post('\x0a\x00', { 'content-type': 'application/x-protobuf' })).status).toBe(415);
    expect((await post('{not json')).status).toBe(400);
    expect(collector.spans()).toStrictEqual([]);
  });
});
