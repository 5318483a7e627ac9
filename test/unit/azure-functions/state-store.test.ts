/** The blob state store never writes a document that its own read would call corrupt. */
import type { ContainerClient } from '@azure/storage-blob';
import { blobStateStore } from '../../../azure-functions/src/adapters/state-store';
import { initialState, type FailoverState } from '../../../azure-functions/src/domain/state';
import { CorruptStateError } from '../../../azure-functions/src/errors';
import { RUN, T0 } from './helpers';

function containerRecordingUploads(): { container: ContainerClient; uploads: string[] } {
  const uploads: string[] = [];
  const blob = { name: `state/${RUN}.json`, upload: (body: string) => (uploads.push(body), Promise.resolve({ etag: '"1"' })) };
  return { container: { containerName: 'spot-on', getBlockBlobClient: () => blob } as unknown as ContainerClient, uploads };
}

describe('blobStateStore', () => {
  const valid = initialState(RUN, T0);
  const incident = { id: 'sig-1', cause: 'aws-unhealthy' as const, openedAt: T0.toISOString(), openedEpoch: 1 };

  it('writes a state that reads back', async () => {
    const { container, uploads } = containerRecordingUploads();
    const withIncident: FailoverState = { ...valid, incidents: [{ ...incident, lostInstanceIds: ['i-0a00000000000000a'] }] };
    await expect(blobStateStore(container).create(withIncident)).resolves.toBe('"1"');
    expect(uploads.map((body) => JSON.parse(body) as unknown)).toStrictEqual([withIncident]);
  });

  it('refuses, without uploading, a state past a bound (201 lost instances), so the last good one stays', async () => {
    const { container, uploads } = containerRecordingUploads();
    const lostInstanceIds = Array.from({ length: 201 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    const tooLong: FailoverState = { ...valid, incidents: [{ ...incident, lostInstanceIds }] };
    await expect(blobStateStore(container).replace(tooLong, '"0"')).rejects.toThrow(CorruptStateError);
    expect(uploads).toStrictEqual([]);
  });
});
