/**
 * The drill's data-residency check, after a scenario: no example of a shard pinned to AWS reached Azure. It looks
 * where the bytes could have gone: every blob in the Azure storage account (checkpoints, updates, flushed work,
 * Azure's data), and what every Azure trainer pod read. Images are checked by the packaging tests (no dataset in
 * the production dependencies, no data in the build context): nothing in an image can hold a staged shard.
 */
import { createHash } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import type { TrainerProcess } from '../cluster/trainer-process';
import { dataObjectName, DataPartHeaderSchema } from '../../fl-training/data/data-part';
import { decodeFrame } from '../../fl-training/wire/frame';
import type { DrillData } from './data';
import type { ResidencyReport } from './report';

const BASE = 257;

/** Polynomial hash of bytes mod 2^32, as the rolling scan computes it. */
function hashOf(bytes: Uint8Array): number {
  let hash = 0;
  for (const byte of bytes) hash = (Math.imul(hash, BASE) + byte) >>> 0;
  return hash;
}

/** Every example row of a staged shard (features, float32 little-endian), by hash; all-zero rows skipped. */
interface Fingerprints {
  readonly rowBytes: number;
  readonly rows: ReadonlyMap<number, readonly Buffer[]>;
}

/**
 * Whole example rows, not samples or short windows: short windows of MNIST (quantised pixels, blank margins)
 * repeat across different digits, while a whole row is one example. A copy of any one example is found.
 */
async function fingerprints(data: DrillData, shard: string): Promise<Fingerprints> {
  const { header, payload } = decodeFrame(await data.awsStore.read(dataObjectName(shard)));
  const { size, features } = DataPartHeaderSchema.parse(header);
  const rowBytes = features * 4;
  const rows = new Map<number, Buffer[]>();
  for (let row = 0; row < size; row++) {
    const bytes = Buffer.from(payload.subarray(row * rowBytes, (row + 1) * rowBytes));
    if (bytes.every((byte) => byte === 0)) continue;
    const hash = hashOf(bytes);
    rows.set(hash, [...(rows.get(hash) ?? []), bytes]);
  }
  return { rowBytes, rows };
}

/** Whether `content` contains any of the rows, at any byte offset (Rabin-Karp: one pass, whatever the rows). */
function containsAny(content: Buffer, { rowBytes, rows }: Fingerprints): boolean {
  if (content.length < rowBytes || rows.size === 0) return false;
  let outgoing = 1; // BASE^(rowBytes-1) mod 2^32: the weight of the byte leaving the window
  for (let i = 1; i < rowBytes; i++) outgoing = Math.imul(outgoing, BASE) >>> 0;
  let hash = hashOf(content.subarray(0, rowBytes));
  for (let end = rowBytes; ; end++) {
    if (rows.get(hash)?.some((row) => content.subarray(end - rowBytes, end).equals(row))) return true;
    if (end === content.length) return false;
    hash = (Math.imul((hash - Math.imul(content[end - rowBytes]!, outgoing)) >>> 0, BASE) + content[end]!) >>> 0;
  }
}

/** Scans Azure storage and Azure trainers' reads for the shards pinned to AWS. */
export async function checkResidency(input: { data: DrillData; pinnedToAws: ReadonlySet<string>; storage: string; trainers: readonly Pick<TrainerProcess, 'spec' | 'dataLoaded'>[] }): Promise<ResidencyReport> {
  const pinned = [...input.pinnedToAws].sort();
  const leaks: string[] = [];
  const prints = new Map(await Promise.all(pinned.map(async (shard) => [shard, await fingerprints(input.data, shard)] as const)));
  const stagedHashes = new Map(input.data.staged.filter((s) => input.pinnedToAws.has(s.part)).map((s) => [s.sha256, s.part]));

  let objects = 0;
  let bytes = 0;
  const service = BlobServiceClient.fromConnectionString(input.storage);
  for await (const container of service.listContainers()) {
    const client = service.getContainerClient(container.name);
    for await (const blob of client.listBlobsFlat()) {
      const content = await client.getBlobClient(blob.name).downloadToBuffer();
      objects += 1;
      bytes += content.length;
      const where = `Azure storage ${container.name}/${blob.name}`;
      const copied = stagedHashes.get(createHash('sha256').update(content).digest('hex'));
      if (copied !== undefined) leaks.push(`${where} is the staged ${copied}`);
      for (const [shard, rows] of prints) if (containsAny(content, rows)) leaks.push(`${where} holds examples of ${shard}`);
    }
  }

  let azureReads = 0;
  for (const trainer of input.trainers.filter((t) => t.spec.cloud === 'azure')) {
    for (const read of trainer.dataLoaded) {
      azureReads += 1;
      if (input.pinnedToAws.has(read.shard)) leaks.push(`Azure node ${trainer.spec.nodeName}: ${trainer.spec.clientId} read ${read.shard}`);
      if (!read.url.startsWith('blob://')) leaks.push(`Azure node ${trainer.spec.nodeName}: ${trainer.spec.clientId} read ${read.url}, outside Azure`);
    }
  }
  return { pinnedToAws: pinned, azureObjectsScanned: objects, azureBytesScanned: bytes, azureReads, leaks };
}
