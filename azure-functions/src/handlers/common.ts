/** Small pieces the handlers share: logging onto the invocation context, JSON answers, lazy services. */
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import type { BrainLog, BrainServices } from '../use-cases/services';

/** Where handlers get their services: built once per process in production, injected in tests. */
export type ServicesProvider = () => BrainServices | Promise<BrainServices>;

/** The invocation context as a BrainLog (the host forwards it to Application Insights). */
export function logFrom(context: InvocationContext): BrainLog {
  const format = (message: string, data?: Record<string, unknown>) => (data === undefined ? message : `${message} ${JSON.stringify(data)}`);
  return {
    info: (message, data) => context.log(format(message, data)),
    warn: (message, data) => context.warn(format(message, data)),
    error: (message, data) => context.error(format(message, data)),
  };
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store', ...headers } };
}
