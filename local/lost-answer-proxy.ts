/**
 * An HTTP relay in front of Azurite's blob endpoint that can lose the answer to one request: it forwards the
 * request, lets the upstream commit it, then cuts the caller's connection instead of answering. That is the
 * ambiguous write a storage outage or a dropped connection leaves behind (the SDK retries a write that has in fact
 * landed). It can also hold one request and never forward it: the caller is then stopped at exactly that step (a
 * process killed mid-commit). Toxiproxy and other maintained fault proxies work on TCP streams and cannot pick one
 * HTTP request.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { listen } from './net';

export interface LostAnswerProxy {
  /** The relayed endpoint: the upstream URL with this proxy's host and port. */
  readonly url: string;
  /** Loses the answer to the next request `matches` accepts (once). */
  loseNext(matches: (request: IncomingMessage) => boolean): void;
  /**
   * Holds the next request `matches` accepts: never forwarded, never answered. Resolves with its method and path
   * when it arrives; `releaseHeld` then drops its connection.
   */
  holdNext(matches: (request: IncomingMessage) => boolean): Promise<string>;
  releaseHeld(): void;
  /** Answers lost so far. */
  readonly lost: number;
  stop(): Promise<void>;
}

/** Relays 127.0.0.1:<free port> to `upstream` (an http URL, path kept). */
export async function startLostAnswerProxy(upstream: string): Promise<LostAnswerProxy> {
  const target = new URL(upstream);
  let armed: ((request: IncomingMessage) => boolean) | undefined;
  let hold: { matches: (request: IncomingMessage) => boolean; arrived: (what: string) => void } | undefined;
  const held: IncomingMessage[] = [];
  let lost = 0;
  const server: Server = createServer((req, res) => {
    if (hold?.matches(req)) {
      const { arrived } = hold;
      hold = undefined;
      held.push(req);
      arrived(`${req.method} ${req.url}`);
      return;
    }
    const loseThis = armed?.(req) ?? false;
    if (loseThis) armed = undefined;
    const forward = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (!loseThis) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        // The write has landed upstream; read its answer to the end, then hang up on the caller.
        answer.resume();
        answer.once('end', () => {
          lost++;
          req.socket.destroy();
        });
      },
    );
    forward.once('error', () => req.socket.destroy());
    req.pipe(forward);
  });
  const port = await listen(server);
  return {
    url: `${target.protocol}//127.0.0.1:${port}${target.pathname === '/' ? '' : target.pathname}`,
    loseNext: (matches) => {
      armed = matches;
    },
    holdNext: (matches) => new Promise<string>((arrived) => (hold = { matches, arrived })),
    releaseHeld: () => {
      for (const req of held.splice(0)) req.socket.destroy();
    },
    get lost() {
      return lost;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
