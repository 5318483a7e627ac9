import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export interface LambdaBundle {
  readonly lambda: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** The largest inputs by bytes in the output, from esbuild's metafile. */
  readonly largestInputs: readonly { readonly input: string; readonly bytes: number }[];
}

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const HANDLERS = ['interruption', 'signal'] as const;

/** Bundles each Lambda as `cdk synth` does (esbuild, minified, everything bundled) and reports its size. */
export async function benchLambdaBundles(): Promise<LambdaBundle[]> {
  return Promise.all(
    HANDLERS.map(async (lambda) => {
      const result = await build({
        entryPoints: [path.join(REPO_ROOT, 'lambdas', 'handlers', `${lambda}.ts`)],
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        metafile: true,
        write: false,
        logLevel: 'silent',
        outfile: `${lambda}.js`,
      });
      const code = result.outputFiles.find((file) => file.path.endsWith('.js'));
      if (code === undefined) throw new Error(`esbuild produced no JavaScript for ${lambda}`);
      const output = Object.values(result.metafile.outputs)[0];
      const largestInputs = Object.entries(output?.inputs ?? {})
        .map(([input, { bytesInOutput }]) => ({ input: input.replace(/^node_modules\//, ''), bytes: bytesInOutput }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 5);
      return { lambda, bytes: code.contents.byteLength, gzipBytes: gzipSync(code.contents).byteLength, largestInputs };
    }),
  );
}
