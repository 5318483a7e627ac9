/**
 * Local EKS control plane, DescribeCluster only: `GET /clusters/{name}` over REST-JSON
 * (@aws-sdk/client-eks), answering the cluster's API endpoint and CA as the interruption Lambda reads them.
 * Whoever runs the Kubernetes side (the cluster simulator) registers the cluster with its endpoint and CA.
 */
import type { Clock } from './clock';
import { AwsServiceError } from './errors';

/** A cluster to describe. */
export interface EksClusterDefinition {
  readonly name: string;
  /** `https://…` API server endpoint. */
  readonly endpoint: string;
  /** PEM of the CA that signs the API server's certificate (certificateAuthority.data is its base64). */
  readonly caPem: string;
  /** @default '1.33' */
  readonly version?: string;
  /** @default 'ACTIVE' */
  readonly status?: 'CREATING' | 'ACTIVE' | 'DELETING' | 'FAILED' | 'UPDATING' | 'PENDING';
}

interface StoredCluster extends EksClusterDefinition {
  readonly createdAt: number;
}

export interface EksServiceOptions {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
}

/** The EKS clusters of the local account. */
export class EksService {
  private readonly options: EksServiceOptions;
  private readonly clusters = new Map<string, StoredCluster>();

  constructor(options: EksServiceOptions) {
    this.options = options;
  }

  /** Registers a cluster or replaces its endpoint, CA, version or status. */
  putCluster(cluster: EksClusterDefinition): void {
    const createdAt = this.clusters.get(cluster.name)?.createdAt ?? this.options.clock.now();
    this.clusters.set(cluster.name, { ...cluster, createdAt });
  }

  /** Forgets a cluster (DescribeCluster then answers ResourceNotFoundException). */
  removeCluster(name: string): boolean {
    return this.clusters.delete(name);
  }

  /** The wire JSON of DescribeCluster. */
  describeCluster(name: string): Record<string, unknown> {
    const cluster = this.clusters.get(name);
    if (cluster === undefined) {
      throw new AwsServiceError('ResourceNotFoundException', `No cluster found for name: ${name}.`, { status: 404, fields: { clusterName: name } });
    }
    const { region, accountId } = this.options;
    return {
      cluster: {
        name: cluster.name,
        arn: `arn:aws:eks:${region}:${accountId}:cluster/${cluster.name}`,
        createdAt: cluster.createdAt / 1000,
        version: cluster.version ?? '1.33',
        endpoint: cluster.endpoint,
        roleArn: `arn:aws:iam::${accountId}:role/${cluster.name}-cluster-role`,
        status: cluster.status ?? 'ACTIVE',
        certificateAuthority: { data: Buffer.from(cluster.caPem, 'utf8').toString('base64') },
        platformVersion: 'eks.1',
        accessConfig: { authenticationMode: 'API' },
        tags: {},
      },
    };
  }
}
