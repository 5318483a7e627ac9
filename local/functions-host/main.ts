/**
 * Runs the local Functions host as its own process, as Azure runs a function app: the app's settings are this
 * process's environment. Prints one JSON line `{"url": ...}` on stdout once it serves, then one JSON line per
 * invocation (for the drill's timeline); stops on SIGTERM.
 *
 *   SPOTON_FUNCTIONS_APP      module registering the functions   (default: azure-functions/src/index.ts)
 *   SPOTON_FUNCTIONS_HOST_JSON host.json                          (default: azure-functions/host.json)
 *   AzureWebJobsStorage        storage connection string for the queue triggers (Azurite)
 *   SPOTON_FUNCTIONS_PORT      port to listen on                   (default: a free one)
 */
import * as path from 'node:path';
import { startFunctionsHost } from './host';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const storage = process.env.AzureWebJobsStorage;
  if (!storage) throw new Error('AzureWebJobsStorage (a storage connection string) is required');
  const host = await startFunctionsHost({
    appEntry: process.env.SPOTON_FUNCTIONS_APP ?? path.join(REPO_ROOT, 'azure-functions', 'src', 'index.ts'),
    hostJsonPath: process.env.SPOTON_FUNCTIONS_HOST_JSON ?? path.join(REPO_ROOT, 'azure-functions', 'host.json'),
    storageConnectionString: storage,
    settings: process.env,
    maxPollingIntervalMs: Number(process.env.SPOTON_FUNCTIONS_MAX_POLLING_MS ?? 500),
    port: Number(process.env.SPOTON_FUNCTIONS_PORT ?? 0),
  });
  host.onInvocation((invocation) => process.stdout.write(`${JSON.stringify({ invocation })}\n`));
  process.stdout.write(`${JSON.stringify({ url: host.url, functions: host.functions })}\n`);
  const stop = () => void host.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`functions host: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
