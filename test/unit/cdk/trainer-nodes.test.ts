/**
 * Both sides of the trainer-node security group: the stack creates it (checkpoint port from the Lambdas) and tags it,
 * and the Karpenter EC2NodeClass selects it by that tag, next to the cluster security group.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseAllDocuments } from 'yaml';
import { TRAINER_NODES_TAG_KEY } from '../../../cdk/lib/trainer-node-access';
import { REFLEX_KUBERNETES_GROUP } from '../../../cdk/lib/reflex-permissions';
import { REPO_ROOT, buildTestApp, exampleConfig } from './helpers';

jest.setTimeout(60_000);

const config = exampleConfig();
const NODE_CLASS_PATH = path.join(REPO_ROOT, 'fl-training', 'deploy', 'karpenter', 'ec2nodeclass-spot-gpu.yaml');

interface NodeClass {
  kind: string;
  spec: {
    securityGroupSelectorTerms: { tags?: Record<string, string>; id?: string }[];
    metadataOptions: Record<string, unknown>;
  };
}
function loadYaml(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true }).map((document) => document.toJS() as unknown);
}
const nodeClass = loadYaml(NODE_CLASS_PATH).find((document) => (document as NodeClass).kind === 'EC2NodeClass') as NodeClass;

let template: Template;
beforeAll(() => {
  const built = buildTestApp(config, { nag: false, bundle: false });
  try {
    template = Template.fromStack(built.stack);
  } finally {
    built.dispose();
  }
});

describe('trainer-node security group', () => {
  const trainerGroup = () =>
    Object.entries(template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('trainer nodes') } }));

  it('is one group in the EKS VPC, tagged for Karpenter with the cluster name', () => {
    expect(trainerGroup()).toHaveLength(1);
    const [, group] = trainerGroup()[0] as [string, { Properties: { VpcId: string; Tags: { Key: string; Value: string }[] } }];
    expect(group.Properties.VpcId).toBe(config.eks.vpcId);
    expect(group.Properties.Tags).toContainEqual({ Key: TRAINER_NODES_TAG_KEY, Value: config.eks.clusterName });
  });

  it('lets only the Lambda security group in, on the trainer port', () => {
    const [trainerId] = trainerGroup()[0] as [string, unknown];
    const lambdaGroup = Object.keys(
      template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^Spot-On reflex Lambdas:') } }),
    )[0] as string;
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', { Properties: { GroupId: { 'Fn::GetAtt': [trainerId, 'GroupId'] } } }));
    expect(ingress.map((rule) => rule.Properties)).toStrictEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: config.eks.trainer.port,
        ToPort: config.eks.trainer.port,
        SourceSecurityGroupId: { 'Fn::GetAtt': [lambdaGroup, 'GroupId'] },
      }),
    ]);
  });

  it('is output for operators', () => {
    template.hasOutput('TrainerNodeSecurityGroupId', { Value: { 'Fn::GetAtt': [trainerGroup()[0]?.[0], 'GroupId'] } });
  });
});

describe('Karpenter EC2NodeClass (fl-training/deploy/karpenter)', () => {
  it('selects the trainer-node group by the tag the stack sets, with the same value', () => {
    expect(nodeClass.spec.securityGroupSelectorTerms).toContainEqual({ tags: { [TRAINER_NODES_TAG_KEY]: config.eks.clusterName } });
  });

  it('still selects the cluster security group (egress and control-plane traffic come from it)', () => {
    expect(nodeClass.spec.securityGroupSelectorTerms).toContainEqual({ tags: { 'karpenter.sh/discovery': config.eks.clusterName } });
  });

  it('lets trainer pods read their instance id from IMDSv2: tokens required, two hops', () => {
    expect(nodeClass.spec.metadataOptions).toMatchObject({ httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 });
  });
});

describe('cdk/k8s/reflex-rbac.yaml, the one owner of the reflex node-reader ClusterRole', () => {
  const rbacDocuments = loadYaml(path.join(REPO_ROOT, 'cdk', 'k8s', 'reflex-rbac.yaml')) as { kind: string; metadata: { name: string }; subjects?: unknown[] }[];

  it('binds the access entry group of the interruption Lambda', () => {
    const binding = rbacDocuments.find((document) => document.kind === 'ClusterRoleBinding');
    expect(binding?.subjects).toStrictEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: REFLEX_KUBERNETES_GROUP }]);
    template.hasResourceProperties('AWS::EKS::AccessEntry', { KubernetesGroups: [REFLEX_KUBERNETES_GROUP] });
  });

  it('is not also shipped by the Helm chart (Helm refuses to adopt a ClusterRole kubectl created)', () => {
    const names = rbacDocuments.map((document) => document.metadata.name);
    const templatesDir = path.join(REPO_ROOT, 'fl-training', 'chart', 'templates');
    const files = readdirSync(templatesDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const entry of files) {
      const file = path.join(entry.parentPath, entry.name);
      const text = readFileSync(file, 'utf8');
      for (const name of names) expect({ file, defines: text.includes(`name: ${name}`) }).toStrictEqual({ file, defines: false });
    }
  });
});
