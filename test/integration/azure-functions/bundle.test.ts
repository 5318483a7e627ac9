/**
 * The published artifact: builds the bundle (as `npm run build:functions` does) into a temporary folder and loads it
 * in a separate Node process whose `@azure/functions-core` is a fake worker (the real one only exists inside the
 * Functions host), to check that the bundle loads on its own and registers the three functions with the right
 * triggers. No `func` CLI exists here, so this is as close to the host as this machine gets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { bundleFunctionsApp } from '../../../azure-functions/scripts/build';

const FAKE_WORKER = `
const Module = require('node:module');
const registrations = [];
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === '@azure/functions-core' ? request : resolve.call(this, request, ...rest);
};
const core = new Module('@azure/functions-core');
core.loaded = true;
core.exports = {
  setProgrammingModel: () => undefined,
  registerFunction: (metadata, handler) => (registrations.push({ metadata, handler: typeof handler }), { dispose() {} }),
  registerHook: () => ({ dispose() {} }),
  log: () => undefined,
};
Module._cache['@azure/functions-core'] = core;
require(process.argv[2]);
process.stdout.write(JSON.stringify(registrations));
`;

interface Registration {
  metadata: { name: string; bindings: Record<string, Record<string, unknown>> };
  handler: string;
}

describe('the function app bundle', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'spot-on-bundle-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads without node_modules and registers signals, continuation and status', async () => {
    const report = await bundleFunctionsApp(path.join(dir, 'dist'));
    expect(report.bytes).toBeLessThan(4 * 1024 * 1024);
    expect([...report.packages.keys()]).toEqual(expect.arrayContaining(['(app)', '(protocol)', '@azure/functions', '@azure/arm-containerservice', 'zod']));

    writeFileSync(path.join(dir, 'worker.js'), FAKE_WORKER);
    // Run from an empty folder so that nothing can come from the repository's node_modules.
    const output = execFileSync(process.execPath, [path.join(dir, 'worker.js'), report.outfile], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
    const registrations = JSON.parse(output) as Registration[];
    const triggers = registrations.map(({ metadata, handler }) => {
      const trigger = Object.values(metadata.bindings).find((binding) => binding.direction === 'in') ?? {};
      const { name: _generated, properties: _properties, ...rest } = trigger;
      return { name: metadata.name, handler, trigger: rest };
    });
    expect(triggers).toStrictEqual([
      { name: 'signals', handler: 'function', trigger: { type: 'httpTrigger', direction: 'in', methods: ['POST'], authLevel: 'anonymous', route: 'signals' } },
      {
        name: 'continuation',
        handler: 'function',
        trigger: { type: 'queueTrigger', direction: 'in', queueName: '%SPOTON_CONTINUATION_QUEUE%', connection: 'AzureWebJobsStorage' },
      },
      { name: 'status', handler: 'function', trigger: { type: 'httpTrigger', direction: 'in', methods: ['GET'], authLevel: 'function', route: 'status' } },
    ]);
  });
});
