/** Registers `POST /api/signals`. Anonymous at the HTTP level on purpose: the HMAC signature is the authentication (and the app is reachable only through its private endpoint). */
import { app } from '@azure/functions';
import { processBrainServices } from '../app-context';
import { createSignalsHandler } from '../handlers/signals';

export const signals = createSignalsHandler(processBrainServices);

app.http('signals', { methods: ['POST'], authLevel: 'anonymous', route: 'signals', handler: signals });
