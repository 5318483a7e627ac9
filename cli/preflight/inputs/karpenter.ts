/**
 * The Karpenter manifests of the EKS trainers (fl-training/deploy/karpenter/*.yaml): the EC2NodeClasses and the
 * NodePools, validated for the fields preflight reads. Other documents in the files are ignored.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { PreflightInputError, parseInput } from './errors';

const SelectorTermSchema = z.looseObject({ tags: z.record(z.string(), z.string()).optional(), id: z.string().optional(), name: z.string().optional() });

export const Ec2NodeClassSchema = z.looseObject({
  kind: z.literal('EC2NodeClass'),
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({
    securityGroupSelectorTerms: z.array(SelectorTermSchema).default([]),
    // Karpenter v1's defaults when the block or a field is left out.
    metadataOptions: z
      .looseObject({ httpPutResponseHopLimit: z.int().default(1), httpTokens: z.string().default('required') })
      .prefault({}),
  }),
});
export type Ec2NodeClass = z.infer<typeof Ec2NodeClassSchema> & { readonly file: string };

export const NodePoolSchema = z.looseObject({
  kind: z.literal('NodePool'),
  metadata: z.looseObject({ name: z.string() }),
  spec: z.looseObject({
    template: z.looseObject({
      spec: z.looseObject({
        nodeClassRef: z.looseObject({ name: z.string() }),
        taints: z.array(z.looseObject({ key: z.string(), value: z.string().optional(), effect: z.string() })).default([]),
      }),
    }),
  }),
});
export type NodePool = z.infer<typeof NodePoolSchema> & { readonly file: string };

export interface KarpenterManifests {
  readonly files: readonly string[];
  readonly nodeClasses: readonly Ec2NodeClass[];
  readonly nodePools: readonly NodePool[];
}

/** Reads the EC2NodeClass and NodePool documents of `files`. */
export function loadKarpenter(files: readonly string[]): KarpenterManifests {
  const nodeClasses: Ec2NodeClass[] = [];
  const nodePools: NodePool[] = [];
  for (const file of files) {
    let documents: unknown[];
    try {
      documents = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true }).map((document) => document.toJS() as unknown);
    } catch (error) {
      throw new PreflightInputError(`${file}: cannot read the Karpenter manifests (${(error as Error).message})`, { cause: error });
    }
    documents.forEach((document, index) => {
      const kind = (document as { kind?: unknown } | null)?.kind;
      const where = `${file} (document ${index + 1}, ${String(kind)})`;
      if (kind === 'EC2NodeClass') nodeClasses.push({ ...parseInput(Ec2NodeClassSchema, document, where), file });
      if (kind === 'NodePool') nodePools.push({ ...parseInput(NodePoolSchema, document, where), file });
    });
  }
  return { files, nodeClasses, nodePools };
}
