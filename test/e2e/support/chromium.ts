/**
 * The browser the e2e tests drive: the Chromium build that ships inside the `@sparticuz/chromium` npm package,
 * so `npm install` is all the set-up (no apt, no browser download). `SPOTON_CHROMIUM` names another binary.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** Where the package's compressed binary is unpacked once and reused: inside node_modules, never the temp folder. */
const UNPACK_DIR = resolve(__dirname, '../../../node_modules/.cache/spot-on-chromium');

// The machine has no network: without these Chromium keeps trying (and failing) to reach Google services.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Path of the Chromium executable. The package is ESM-only and unpacks into `os.tmpdir()`, so it runs in a child
 * Node process whose TMPDIR is our cache folder; that keeps jest in CommonJS and the temp folder clean.
 */
export function chromiumExecutable(): string {
  const own = process.env.SPOTON_CHROMIUM;
  if (own) return own;
  mkdirSync(UNPACK_DIR, { recursive: true });
  const script = "import c from '@sparticuz/chromium'; process.stdout.write(await c.executablePath());";
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, TMPDIR: UNPACK_DIR },
    encoding: 'utf8',
  });
}
