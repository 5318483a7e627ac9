/**
 * The tests run on the Node.js major the Lambdas deploy with: `npm install` fetches that Node (the `node` package
 * in devDependencies puts its binary first on the PATH of every npm script), whatever Node ran npm itself.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REFLEX_RUNTIME } from '../../../cdk/lib/reflex-functions';

const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const lambdaMajor = Number(/^nodejs(\d+)\.x$/.exec(REFLEX_RUNTIME.name)?.[1]);
const major = (version: string) => Number(/(\d+)/.exec(version)?.[1]);

describe('the Node.js the tests run on', () => {
  it('is pinned to the Lambda runtime\'s major', () => {
    expect(major(pkg.devDependencies.node ?? '')).toBe(lambdaMajor);
  });

  const viaNpm = process.env.npm_lifecycle_event === 'test' ? it : it.skip;
  viaNpm(`is the one running this test under npm test (this process: ${process.version})`, () => {
    expect(major(process.version)).toBe(lambdaMajor);
  });
});
