/**
 * Bundles the function app: azure-functions/src/index.ts -> azure-functions/dist/index.js (CommonJS, Node 22), with
 * protocol/ and every runtime dependency inside, so the published app needs no node_modules. `@azure/functions-core`
 * stays external: it is not an npm package but a module the Functions Node.js worker provides at run time.
 * Fails if anything from the root devDependencies ends up in the bundle. Run with `npm run build:functions`.
 */
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile } from 'esbuild';

const appDir = path.resolve(__dirname, '..');
const repoDir = path.resolve(appDir, '..');

/** The npm package an input path belongs to (`node_modules/@scope/name/...` -> `@scope/name`). */
function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input.split(path.sep).join('/'));
  return match?.[1];
}

function bytesByPackage(metafile: Metafile): Map<string, number> {
  const sizes = new Map<string, number>();
  const output = Object.values(metafile.outputs).find((entry) => entry.entryPoint !== undefined);
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input) ?? (input.startsWith('protocol/') ? '(protocol)' : '(app)');
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
  }
  return sizes;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** What a build produced. */
export interface BundleReport {
  readonly outfile: string;
  readonly bytes: number;
  /** Bytes in the bundle per npm package ('(app)' and '(protocol)' for our own code). */
  readonly packages: ReadonlyMap<string, number>;
}

/** Bundles the app into `outDir/index.js` (emptying `outDir` first). Throws if a devDependency got in. */
export async function bundleFunctionsApp(outDir = path.join(appDir, 'dist')): Promise<BundleReport> {
  const outfile = path.join(outDir, 'index.js');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: repoDir,
    entryPoints: [path.join(appDir, 'src', 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@azure/functions-core'],
    // Some dependencies ship only ESM builds to esbuild's `import` condition and read `import.meta.url` (e.g. the
    // inlined-wasm CRC64 of @azure/storage-common); in a CommonJS bundle that is the bundle file's own URL.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });

  const rootPackage = JSON.parse(readFileSync(path.join(repoDir, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
  const devDependencies = new Set(Object.keys(rootPackage.devDependencies ?? {}));
  const sizes = bytesByPackage(result.metafile);
  const leaked = [...sizes.keys()].filter((name) => devDependencies.has(name));
  if (leaked.length > 0) throw new Error(`devDependencies in the bundle: ${leaked.join(', ')}`);

  return { outfile, bytes: statSync(outfile).size, packages: sizes };
}

async function main(): Promise<void> {
  const report = await bundleFunctionsApp();
  const top = [...report.packages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(`${path.relative(repoDir, report.outfile)}: ${kib(report.bytes)} (${report.bytes} bytes), ${report.packages.size} packages bundled`);
  for (const [name, bytes] of top) console.log(`  ${name.padEnd(36)} ${kib(bytes)}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
