/** Registers `GET /api/status`: function-level key in Azure (operators, the spot-on CLI), behind the private endpoint. */
import { app } from '@azure/functions';
import { processBrainServices } from '../app-context';
import { createStatusHandler } from '../handlers/status';

export const status = createStatusHandler(processBrainServices);

app.http('status', { methods: ['GET'], authLevel: 'function', route: 'status', handler: status });
