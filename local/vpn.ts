/**
 * The site-to-site VPN, locally: a TCP relay between the AWS side and an Azure endpoint that the drill can take
 * down (established connections are cut, new ones refused) and bring back, as a tunnel outage does.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { listen } from './net';

export interface VpnTunnel {
  /** Where the AWS side connects: http://127.0.0.1:<port> for an http target. */
  readonly url: string;
  readonly isUp: boolean;
  setUp(up: boolean): void;
  stop(): Promise<void>;
}

/** Relays 127.0.0.1:<free port> to `target` (an http(s) URL's host and port) while the tunnel is up. */
export async function startVpnTunnel(target: string): Promise<VpnTunnel> {
  const to = new URL(target);
  const targetPort = Number(to.port || (to.protocol === 'https:' ? 443 : 80));
  const sockets = new Set<Socket>();
  let up = true;
  const server: Server = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: to.hostname, port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await listen(server);
  return {
    url: `${to.protocol}//127.0.0.1:${port}`,
    get isUp() {
      return up;
    },
    setUp(value) {
      up = value;
      if (!value) for (const socket of sockets) socket.destroy();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
