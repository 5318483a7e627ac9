/**
 * The trainer's own EC2 instance id. The brain sizes a `capacity-lost` failover by matching the instance ids in a
 * Spot warning against the ones trainers report, so a trainer that reports none is never covered until the slower
 * `aws-silent` backup fires. Kubernetes' downward API gives only the node name, so on AWS the trainer asks IMDSv2
 * through the SDK's MetadataService (it honours AWS_EC2_METADATA_SERVICE_ENDPOINT; Karpenter's EC2NodeClass sets
 * the hop limit to 2 so that pods reach it).
 */
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { EC2_INSTANCE_ID } from '../../protocol/ids';
import type { Cloud } from '../../protocol/run-status';

/** The part of MetadataService this needs. */
export interface InstanceMetadata {
  request(path: string, options: { method?: string; headers?: Record<string, string> }): Promise<string>;
}

/** Short: a trainer that cannot learn its id still trains, and the pod should not wait long to start. */
const METADATA_TIMEOUT_MS = 2_000;

/**
 * The instance id to report: the configured one (SPOTON_INSTANCE_ID) when set, else on AWS the one IMDS gives.
 * Resolves undefined (and says why) when there is none, so training starts regardless.
 */
export async function resolveInstanceId(
  cloud: Cloud,
  configured: string | undefined,
  log: (line: string) => void,
  metadata: InstanceMetadata = new MetadataService({ httpOptions: { timeout: METADATA_TIMEOUT_MS }, retries: 1 }),
): Promise<string | undefined> {
  if (configured !== undefined || cloud !== 'aws') return configured;
  try {
    const id = (await metadata.request('/latest/meta-data/instance-id', {})).trim();
    if (EC2_INSTANCE_ID.test(id)) return id;
    log(`instance metadata answered "${id.slice(0, 40)}", not an instance id: reporting none`);
  } catch (error) {
    log(`could not read the instance id from instance metadata (${error instanceof Error ? error.message : String(error)}): reporting none, so only aws-silent covers this trainer's loss`);
  }
  return undefined;
}
