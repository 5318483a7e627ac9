/**
 * A local Azure Functions host: loads a v4 Node.js app, captures its registrations through the
 * `@azure/functions-core` stand-in, and serves them as the real host does: HTTP triggers under the host.json
 * route prefix, and storage-queue triggers polled from Azurite with the host's queue semantics (base64 message
 * encoding, batch size, a visibility timeout before a retry, poison queue after maxDequeueCount). The handlers
 * are the production ones, unchanged. (No Functions host can run here: azure-functions-core-tools downloads its
 * binary at install time, which this environment forbids.)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { QueueServiceClient } from '@azure/storage-queue';
import { z } from 'zod';
import { installCoreApi, registeredFunctions, type BindingMetadata, type Registration } from './core-api';
import { listen } from '../net';

const HostJsonSchema = z.looseObject({
  extensions: z
    .looseObject({
      http: z.looseObject({ routePrefix: z.string().optional() }).optional(),
      queues: z
        .looseObject({
          messageEncoding: z.enum(['base64', 'none']).optional(),
          maxDequeueCount: z.number().int().positive().optional(),
          visibilityTimeout: z.string().optional(),
          batchSize: z.number().int().positive().optional(),
        })
        .optional(),
    })
    .optional(),
});

/** hh:mm:ss (host.json TimeSpan) in milliseconds. */
function timeSpanMs(value: string | undefined, fallbackMs: number): number {
  const match = /^(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value ?? '');
  if (!match) return fallbackMs;
  return ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000;
}

/** What the host did, for the drill's timeline and for tests. */
export interface HostInvocation {
  readonly functionName: string;
  readonly trigger: 'http' | 'queue';
  readonly startedAt: number;
  readonly durationMs: number;
  readonly outcome: 'ok' | 'error' | 'poisoned';
  readonly status?: number;
  readonly detail?: string;
}

export interface FunctionsHostOptions {
  /** Module that registers the functions (e.g. azure-functions/src/index.ts); loaded once per process. */
  readonly appEntry: string;
  /** host.json of the app. */
  readonly hostJsonPath: string;
  /** Connection string of the storage account the queue triggers use (Azurite locally). */
  readonly storageConnectionString: string;
  /** App settings: resolves %NAME% binding expressions. They must already be in process.env for the app's own reads. */
  readonly settings: Readonly<Record<string, string | undefined>>;
  /** Longest wait between polls of an empty queue. @default 1000 (the real host's default is a minute) */
  readonly maxPollingIntervalMs?: number;
  /** @default 0 (a free port) */
  readonly port?: number;
}

export interface FunctionsHost {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly functions: readonly string[];
  invocations(): readonly HostInvocation[];
  onInvocation(listener: (invocation: HostInvocation) => void): () => void;
  stop(): Promise<void>;
}

function resolveSetting(value: string, settings: FunctionsHostOptions['settings']): string {
  return value.replace(/%([A-Za-z0-9_]+)%/g, (_whole, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined) throw new Error(`binding expression %${name}% names an app setting that is not set`);
    return resolved;
  });
}

function triggerOf(registration: Registration): BindingMetadata {
  const trigger = Object.values(registration.metadata.bindings).find((binding) => /trigger$/i.test(binding.type));
  if (trigger === undefined) throw new Error(`function ${registration.metadata.name} has no trigger binding`);
  return trigger;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function toHeaders(raw: IncomingMessage['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** Starts the host on 127.0.0.1; the app module is imported here, so set its environment first. */
export async function startFunctionsHost(options: FunctionsHostOptions): Promise<FunctionsHost> {
  const hostJson = HostJsonSchema.parse(JSON.parse(readFileSync(options.hostJsonPath, 'utf8')));
  const routePrefix = hostJson.extensions?.http?.routePrefix ?? 'api';
  const queueSettings = hostJson.extensions?.queues ?? {};
  const maxDequeueCount = queueSettings.maxDequeueCount ?? 5;
  const retryVisibilityMs = timeSpanMs(queueSettings.visibilityTimeout, 0);
  const batchSize = queueSettings.batchSize ?? 16;
  const base64 = (queueSettings.messageEncoding ?? 'base64') === 'base64';
  const maxPollingIntervalMs = options.maxPollingIntervalMs ?? 1000;

  installCoreApi();
  const before = registeredFunctions().length;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the app registers its functions on import
  require(options.appEntry);
  const registrations = registeredFunctions().slice(before);
  if (registrations.length === 0) throw new Error(`${options.appEntry} registered no functions (was it already loaded in this process?)`);

  const log: HostInvocation[] = [];
  const listeners = new Set<(invocation: HostInvocation) => void>();
  const record = (invocation: HostInvocation) => {
    log.push(invocation);
    for (const listener of listeners) listener(invocation);
  };
  const context = (functionName: string, triggerMetadata?: Record<string, unknown>) =>
    new InvocationContext({
      invocationId: randomUUID(),
      functionName,
      triggerMetadata,
      logHandler: (level, ...args) => {
        if (level === 'error' || level === 'critical') process.stderr.write(`[${functionName}] ${args.map(String).join(' ')}\n`);
      },
    });

  const httpRoutes = registrations
    .map((registration) => ({ registration, trigger: triggerOf(registration) }))
    .filter(({ trigger }) => trigger.type.toLowerCase() === 'httptrigger')
    .map(({ registration, trigger }) => ({
      registration,
      path: `/${routePrefix}/${trigger.route ?? registration.metadata.name}`.replace(/\/+/g, '/'),
      methods: (trigger.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
    }));

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const startedAt = Date.now();
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = httpRoutes.find((r) => r.path === url.pathname);
      if (route === undefined || !route.methods.includes(req.method ?? '')) {
        res.writeHead(route === undefined ? 404 : 405).end();
        return;
      }
      const name = route.registration.metadata.name;
      try {
        const body = await readBody(req);
        const request = new HttpRequest({
          method: req.method ?? 'GET',
          url: `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`,
          headers: toHeaders(req.headers),
          ...(body.length > 0 ? { body: { bytes: body } } : {}),
        });
        const result = (await route.registration.handler(request, context(name))) as HttpResponseInit | HttpResponse | undefined;
        const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
        const payload = Buffer.from(await response.arrayBuffer());
        const headers: Record<string, string> = {};
        response.headers.forEach((value, key) => (headers[key] = value));
        res.writeHead(response.status, headers).end(payload);
        record({ functionName: name, trigger: 'http', startedAt, durationMs: Date.now() - startedAt, outcome: 'ok', status: response.status });
      } catch (error) {
        // The real host answers 500 for an unhandled error and logs it.
        res.writeHead(500).end();
        record({ functionName: name, trigger: 'http', startedAt, durationMs: Date.now() - startedAt, outcome: 'error', status: 500, detail: (error as Error).message });
      }
    })();
  });
  const port = await listen(server, '127.0.0.1', options.port ?? 0);

  const service = QueueServiceClient.fromConnectionString(options.storageConnectionString);
  const pollers = registrations
    .map((registration) => ({ registration, trigger: triggerOf(registration) }))
    .filter(({ trigger }) => trigger.type.toLowerCase() === 'queuetrigger')
    .map(({ registration, trigger }) => {
      const queueName = resolveSetting(String(trigger.queueName), options.settings);
      return { name: registration.metadata.name, handler: registration.handler, queue: service.getQueueClient(queueName), poison: service.getQueueClient(`${queueName}-poison`) };
    });

  let running = true;
  const sleeps = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleeps.add(wake);
    });

  async function processMessage(
    poller: (typeof pollers)[number],
    message: { messageId: string; popReceipt: string; messageText: string; dequeueCount: number; insertedOn: Date; expiresOn: Date; nextVisibleOn: Date },
  ): Promise<void> {
    const startedAt = Date.now();
    if (message.dequeueCount > maxDequeueCount) {
      await poller.poison.createIfNotExists();
      await poller.poison.sendMessage(message.messageText);
      await poller.queue.deleteMessage(message.messageId, message.popReceipt);
      record({ functionName: poller.name, trigger: 'queue', startedAt, durationMs: 0, outcome: 'poisoned', detail: `dequeued ${message.dequeueCount} times` });
      return;
    }
    const text = base64 ? Buffer.from(message.messageText, 'base64').toString('utf8') : message.messageText;
    let entry: unknown = text;
    try {
      entry = JSON.parse(text);
    } catch {
      // Not JSON: the host passes the string as it is.
    }
    try {
      await poller.handler(
        entry,
        context(poller.name, {
          id: message.messageId,
          dequeueCount: message.dequeueCount,
          insertionTime: message.insertedOn,
          expirationTime: message.expiresOn,
          nextVisibleTime: message.nextVisibleOn,
          popReceipt: message.popReceipt,
        }),
      );
      await poller.queue.deleteMessage(message.messageId, message.popReceipt);
      record({ functionName: poller.name, trigger: 'queue', startedAt, durationMs: Date.now() - startedAt, outcome: 'ok' });
    } catch (error) {
      // As the host does: leave the message, visible again after the configured visibility timeout.
      await poller.queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.round(retryVisibilityMs / 1000)).catch(() => undefined);
      record({ functionName: poller.name, trigger: 'queue', startedAt, durationMs: Date.now() - startedAt, outcome: 'error', detail: (error as Error).message });
    }
  }

  const loops = pollers.map(async (poller) => {
    await poller.queue.createIfNotExists();
    let idleMs = 50;
    while (running) {
      try {
        // Invisible for longer than any invocation while it runs, as the host's lease does.
        const { receivedMessageItems } = await poller.queue.receiveMessages({ numberOfMessages: batchSize, visibilityTimeout: 300 });
        if (receivedMessageItems.length === 0) {
          await sleep(idleMs);
          idleMs = Math.min(idleMs * 2, maxPollingIntervalMs);
          continue;
        }
        idleMs = 50;
        await Promise.all(receivedMessageItems.map((message) => processMessage(poller, message)));
      } catch (error) {
        if (running) process.stderr.write(`[functions host] polling ${poller.queue.name} failed: ${(error as Error).message}\n`);
        await sleep(maxPollingIntervalMs);
      }
    }
  });

  return {
    url: `http://127.0.0.1:${port}`,
    functions: registrations.map((r) => r.metadata.name),
    invocations: () => log,
    onInvocation: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop: async () => {
      running = false;
      for (const wake of [...sleeps]) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(loops);
    },
  };
}
