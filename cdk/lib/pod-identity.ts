import * as iam from 'aws-cdk-lib/aws-iam';

/** The pods a Pod Identity role is for: one service account, in one namespace, of one cluster. */
export interface PodIdentityTarget {
  readonly clusterName: string;
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * The trust of a role for EKS Pod Identity, limited to one service account of one cluster by the session tags the
 * Pod Identity agent sets (the conditions the EKS User Guide documents); without them any Pod Identity association
 * in the account could assume the role.
 */
export function podIdentityPrincipal(target: PodIdentityTarget): iam.IPrincipal {
  return new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com')).withConditions({
    StringEquals: {
      'aws:RequestTag/eks-cluster-name': target.clusterName,
      'aws:RequestTag/kubernetes-namespace': target.namespace,
      'aws:RequestTag/kubernetes-service-account': target.serviceAccount,
    },
  });
}
