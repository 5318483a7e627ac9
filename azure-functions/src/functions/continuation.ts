/**
 * Registers the continuation queue trigger on SPOTON_CONTINUATION_QUEUE (a binding expression the host resolves
 * from the app setting), over the identity-based `AzureWebJobsStorage__*` connection.
 */
import { app, type InvocationContext } from '@azure/functions';
import { processBrainServices } from '../app-context';
import { createContinuationHandler } from '../handlers/continuation';

export const continuation = createContinuationHandler(processBrainServices);

app.storageQueue('continuation', {
  queueName: '%SPOTON_CONTINUATION_QUEUE%',
  connection: 'AzureWebJobsStorage',
  // The host would treat a returned value as output: return nothing.
  handler: async (entry: unknown, context: InvocationContext): Promise<void> => {
    await continuation(entry, context);
  },
});
