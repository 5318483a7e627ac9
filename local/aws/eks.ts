/**
 * Local EKS control plane, DescribeCluster only: `GET /clusters/{name}` over REST-JSON (@aws-sdk/client-eks),
 * answering the cluster's API endpoint and CA as the interruption Lambda reads them. Whoever runs the Kubernetes side
 * (the cluster simulator) registers the cluster with its endpoint and CA.
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
}

/** The EKS clusters of the local account. */
export class EksService {
  private readonly clusters = new Map<string, EksClusterDefinition & { readonly createdAt: number }>();

  constructor(private readonly options: { readonly region: string; readonly accountId: string; readonly clock: Clock }) {}

  /** Registers a cluster, ACTIVE, or replaces its endpoint and CA. */
  putCluster(cluster: EksClusterDefinition): void {
    const createdAt = this.clusters.get(cluster.name)?.createdAt ?? this.options.clock.now();
    this.clusters.set(cluster.name, { ...cluster, createdAt });
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
        version: '1.33',
        endpoint: cluster.endpoint,
        roleArn: `arn:aws:iam::${accountId}:role/${cluster.name}-cluster-role`,
        status: 'ACTIVE',
        certificateAuthority: { data: Buffer.from(cluster.caPem, 'utf8').toString('base64') },
        platformVersion: 'eks.1',
        accessConfig: { authenticationMode: 'API' },
        tags: {},
      },
    };
  }
}
