/**
 * Picks the tfjs backend once per process: `tensorflow` (native, from @tensorflow/tfjs-node-gpu, an optional
 * dependency that only the GPU image has), else `wasm` (loaded offline from node_modules), else `cpu`.
 * SPOTON_TF_BACKEND forces one (tests use it to compare backends).
 */
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
const ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

let chosen: Promise<BackendName> | undefined;

async function tryBackend(name: BackendName, log: (line: string) => void): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // Registers the native backend as a side effect; absent or broken (no CUDA) on most machines.
      createRequire(__filename)('@tensorflow/tfjs-node-gpu');
      if (!tf.findBackend('tensorflow')) {
        log('tfjs-node-gpu loaded but registered with another @tensorflow/tfjs-core copy; skipping it');
        return false;
      }
    }
    if (name === 'wasm') setWasmPaths(`${path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}${path.sep}`);
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch (error) {
    log(`tfjs backend ${name} unavailable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return false;
  }
}

/** Initialises the best available backend (once) and logs which one runs. */
export function initBackend(log: (line: string) => void = console.log, forced = process.env.SPOTON_TF_BACKEND): Promise<BackendName> {
  chosen ??= (async () => {
    const order = forced ? ORDER.filter((b) => b === forced) : ORDER;
    if (order.length === 0) throw new Error(`SPOTON_TF_BACKEND=${forced} is not one of ${ORDER.join(', ')}`);
    for (const name of order) {
      if (await tryBackend(name, log)) {
        log(`tfjs backend: ${name}`);
        return name;
      }
    }
    throw new Error(`no tfjs backend could start (tried ${order.join(', ')})`);
  })();
  return chosen;
}
