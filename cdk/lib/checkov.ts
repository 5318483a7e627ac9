import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledged checkov findings on synthesized resources. checkov skips a check on a CloudFormation resource whose
 * `Metadata.checkov.skip` lists it; test/unit/toolchain/checkov.test.ts fails on any other finding and on an
 * acknowledgement without a reason, the standard cdk-nag's `Validations.of(...).acknowledge` sets.
 */
export interface CheckovAcknowledgement {
  /** The check, e.g. `CKV_AWS_158`. */
  readonly id: string;
  /** Why the finding is deliberate. */
  readonly reason: string;
}

interface CheckovMetadata {
  readonly skip: readonly { readonly id: string; readonly comment: string }[];
}

/** Adds acknowledgements to the CloudFormation resource of `construct` (itself or its default child), after any earlier ones. */
export function acknowledgeCheckov(construct: IConstruct, ...acknowledgements: readonly CheckovAcknowledgement[]): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${construct.node.path}: no CloudFormation resource to acknowledge checkov findings on`);
  for (const { id, reason } of acknowledgements) {
    if (!/^CKV2?_[A-Z0-9]+_\d+$/.test(id)) throw new Error(`${construct.node.path}: ${id} is not a checkov check id`);
    if (reason.trim() === '') throw new Error(`${construct.node.path}: acknowledging ${id} needs a reason`);
  }
  const earlier = (resource.getMetadata('checkov') as CheckovMetadata | undefined)?.skip ?? [];
  const metadata: CheckovMetadata = { skip: [...earlier, ...acknowledgements.map(({ id, reason }) => ({ id, comment: reason }))] };
  resource.addMetadata('checkov', metadata);
}
