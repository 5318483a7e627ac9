/**
 * A stand-in for `@azure/functions-core`, the module the Azure Functions Node.js worker injects into every app.
 * `@azure/functions` calls `registerFunction(metadata, handler)` on it for each `app.http(...)` /
 * `app.storageQueue(...)`; the local host captures those registrations exactly as the worker would. Like the
 * real worker, it is made resolvable by wrapping `Module._load` (the module is never installed from npm).
 */
import Module from 'node:module';

/** One binding of a registered function, as `@azure/functions` describes it (toCoreFunctionMetadata). */
export interface BindingMetadata {
  readonly type: string;
  readonly direction: 'in' | 'out';
  readonly name?: string;
  readonly route?: string;
  readonly methods?: readonly string[];
  readonly authLevel?: string;
  readonly queueName?: string;
  readonly connection?: string;
  readonly [key: string]: unknown;
}

export interface FunctionMetadata {
  readonly name: string;
  readonly bindings: Readonly<Record<string, BindingMetadata>>;
}

export type RegisteredHandler = (trigger: unknown, context: unknown) => unknown;

export interface Registration {
  readonly metadata: FunctionMetadata;
  readonly handler: RegisteredHandler;
}

const registrations: Registration[] = [];
const hooks = new Map<string, ((context: unknown) => unknown)[]>();

/** The object `require('@azure/functions-core')` returns inside the local host. */
export const coreApi = {
  version: 'spot-on-local',
  hostVersion: '4.0.0-local',
  setProgrammingModel(_model: unknown): void {
    // The local host invokes handlers directly; the programming model's RPC conversion is not needed.
  },
  getProgrammingModel(): undefined {
    return undefined;
  },
  registerFunction(metadata: FunctionMetadata, handler: RegisteredHandler): { dispose(): void } {
    const registration = { metadata, handler };
    registrations.push(registration);
    return { dispose: () => void registrations.splice(registrations.indexOf(registration), 1) };
  },
  registerHook(name: string, callback: (context: unknown) => unknown): { dispose(): void } {
    const list = hooks.get(name) ?? [];
    list.push(callback);
    hooks.set(name, list);
    return { dispose: () => void list.splice(list.indexOf(callback), 1) };
  },
  log(level: string, category: string, message: string): void {
    if (level === 'error' || level === 'critical') process.stderr.write(`[functions ${category}] ${message}\n`);
  },
};

type ModuleLoad = (request: string, parent: unknown, isMain: boolean) => unknown;
let installed = false;

/** Makes `@azure/functions-core` resolve to the stand-in for this process (idempotent). */
export function installCoreApi(): void {
  if (installed) return;
  installed = true;
  const moduleWithLoad = Module as unknown as { _load: ModuleLoad };
  const originalLoad = moduleWithLoad._load;
  moduleWithLoad._load = function load(request, parent, isMain) {
    if (request === '@azure/functions-core') return coreApi;
    return originalLoad.call(this, request, parent, isMain);
  };
}

/** Everything registered so far in this process. */
export function registeredFunctions(): readonly Registration[] {
  return registrations;
}
