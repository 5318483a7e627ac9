/** The trainer learns its EC2 instance id from IMDSv2 (the SDK's MetadataService) when none is configured. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { resolveInstanceId } from '../../../fl-training/trainer/instance-identity';

const TOKEN = 'token-123';
let server: Server;
let endpoint: string;
let answer = 'i-0abc1234def567890';
const seen: string[] = [];

beforeAll(async () => {
  // IMDSv2 as documented: PUT /latest/api/token with a TTL header, then GETs carrying the token.
  server = createServer((req, res) => {
    const path = (req.url ?? '').replace(/\/{2,}/g, '/'); // the SDK joins the endpoint's path and its own with a double slash
    seen.push(`${req.method} ${path}`);
    if (req.method === 'PUT' && path === '/latest/api/token' && req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return void res.end(TOKEN);
    if (req.method === 'GET' && path === '/latest/meta-data/instance-id' && req.headers['x-aws-ec2-metadata-token'] === TOKEN) return void res.end(answer);
    res.statusCode = 401;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  seen.length = 0;
  answer = 'i-0abc1234def567890';
});

const metadata = () => new MetadataService({ endpoint, retries: 0, httpOptions: { timeout: 1000 } });

describe('resolveInstanceId', () => {
  it('reads the id from IMDSv2 on AWS when none is configured', async () => {
    await expect(resolveInstanceId('aws', undefined, () => undefined, metadata())).resolves.toBe('i-0abc1234def567890');
    expect(seen).toStrictEqual(['PUT /latest/api/token', 'GET /latest/meta-data/instance-id']);
  });

  it('prefers the configured id and never asks IMDS on Azure', async () => {
    await expect(resolveInstanceId('aws', 'i-0123456789abcdef0', () => undefined, metadata())).resolves.toBe('i-0123456789abcdef0');
    await expect(resolveInstanceId('azure', undefined, () => undefined, metadata())).resolves.toBeUndefined();
    expect(seen).toStrictEqual([]);
  });

  it('reports none, and says why, when IMDS answers something else or cannot be reached', async () => {
    const lines: string[] = [];
    answer = '<html>proxy</html>';
    await expect(resolveInstanceId('aws', undefined, (line) => lines.push(line), metadata())).resolves.toBeUndefined();
    const unreachable = new MetadataService({ endpoint: 'http://127.0.0.1:9', retries: 0, httpOptions: { timeout: 500 } });
    await expect(resolveInstanceId('aws', undefined, (line) => lines.push(line), unreachable)).resolves.toBeUndefined();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/not an instance id/);
    expect(lines[1]).toMatch(/could not read the instance id from instance metadata/);
  });
});
