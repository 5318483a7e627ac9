/** The relay that loses one answer: the request reaches the upstream (the write lands), the caller gets no answer. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLostAnswerProxy, type LostAnswerProxy } from '../../../local/lost-answer-proxy';

let upstream: Server;
let proxy: LostAnswerProxy;
const received: string[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(201, { etag: '"v2"' }).end('created');
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  proxy = await startLostAnswerProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}/devstoreaccount1`);
});
afterAll(async () => {
  await proxy.stop();
  await new Promise((resolve) => upstream.close(resolve));
});

describe('lost-answer proxy', () => {
  it('forwards the chosen request, then hangs up on the caller; everything else passes through', async () => {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    proxy.loseNext((request) => request.method === 'PUT' && (request.url ?? '').includes('/state/'));
    await expect(fetch(`${proxy.url}/spot-on/state/run.json`, { method: 'PUT', body: 'intent' })).rejects.toThrow();
    const retried = await fetch(`${proxy.url}/spot-on/state/run.json`, { method: 'PUT', body: 'intent' });
    expect([retried.status, retried.headers.get('etag'), await retried.text()]).toStrictEqual([201, '"v2"', 'created']);
    expect(received).toStrictEqual(['PUT /devstoreaccount1/spot-on/state/run.json intent', 'PUT /devstoreaccount1/spot-on/state/run.json intent']);
    expect(proxy.lost).toBe(1);
  });
});
