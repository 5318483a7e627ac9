/** The simulated nodes' IMDSv2, read by the trainer's own code through the SDK's MetadataService. */
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { startInstanceMetadata, type InstanceMetadataServer } from '../../../local/cluster/instance-metadata';
import { ClusterState } from '../../../local/cluster/state';
import { resolveInstanceId } from '../../../fl-training/trainer/instance-identity';

const eks = new ClusterState('eks');
eks.addNode({ name: 'ip-10-0-1-11.us-west-2.compute.internal', providerID: 'aws:///us-west-2a/i-0aaaaaaaaaaaaaaa1', labels: {}, ready: true });
eks.addNode({ name: 'ip-10-0-2-12.us-west-2.compute.internal', providerID: 'aws:///us-west-2a/i-0bbbbbbbbbbbbbbb2', labels: {}, ready: true });
let clock = Date.UTC(2026, 0, 1);
let imds: InstanceMetadataServer;
beforeAll(async () => {
  imds = await startInstanceMetadata(eks, () => clock);
});
afterAll(() => imds.stop());

const metadataFor = (node: string) => new MetadataService({ endpoint: imds.endpointFor(node), retries: 0, httpOptions: { timeout: 2000 } });

describe('local instance metadata (IMDSv2)', () => {
  it('answers each pod with its own node\'s instance id, as the trainer asks for it', async () => {
    const lines: string[] = [];
    await expect(resolveInstanceId('aws', undefined, (line) => lines.push(line), metadataFor('ip-10-0-1-11.us-west-2.compute.internal'))).resolves.toBe('i-0aaaaaaaaaaaaaaa1');
    await expect(resolveInstanceId('aws', undefined, (line) => lines.push(line), metadataFor('ip-10-0-2-12.us-west-2.compute.internal'))).resolves.toBe('i-0bbbbbbbbbbbbbbb2');
    expect(lines).toStrictEqual([]);
  });

  it('requires a live session token (httpTokens: required) and knows only its nodes', async () => {
    const path = `${imds.endpointFor('ip-10-0-1-11.us-west-2.compute.internal')}/latest/meta-data/instance-id`;
    expect((await fetch(path)).status).toBe(401);
    const token = await (await fetch(`${imds.url}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })).text();
    expect(await (await fetch(path, { headers: { 'x-aws-ec2-metadata-token': token } })).text()).toBe('i-0aaaaaaaaaaaaaaa1');
    expect((await fetch(`${imds.endpointFor('no-such-node')}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': token } })).status).toBe(404);
    clock += 61_000;
    expect((await fetch(path, { headers: { 'x-aws-ec2-metadata-token': token } })).status).toBe(401);
    expect((await fetch(`${imds.url}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '0' } })).status).toBe(400);
  });
});
