/**
 * npm 12 skips the install script of any dependency that package.json's `allowScripts` does not approve, and the
 * install still succeeds: the repository's own Node (the `node` package), esbuild's binary and tfjs-node-gpu's
 * libtensorflow would then be missing at run time, breaking `npm install && npm test` with no error at install.
 * Every package in the lockfile that has an install script must be decided on here.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const read = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;

const lock = read('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
const allowScripts = (read('package.json').allowScripts ?? {}) as Record<string, boolean>;
const withScripts = Object.entries(lock.packages)
  .filter(([, entry]) => entry.hasInstallScript === true)
  .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length))
  .sort();

describe('install scripts (package.json allowScripts)', () => {
  it('decides on every dependency that has an install script, and on nothing else', () => {
    expect(withScripts.length).toBeGreaterThan(0);
    expect(Object.keys(allowScripts).sort()).toStrictEqual([...new Set(withScripts)]);
  });

  it('runs the ones the two commands need: the repository\'s Node, esbuild\'s binary, tfjs-node-gpu\'s libtensorflow', () => {
    expect([allowScripts.node, allowScripts.esbuild, allowScripts['@tensorflow/tfjs-node-gpu']]).toStrictEqual([true, true, true]);
  });
});
