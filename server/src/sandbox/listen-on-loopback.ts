import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';

/**
 * Serves a sandbox app on its own port of 127.0.0.1 (0 = any free port), so tests can run the
 * fakes as separate systems the way a deployment talks to real ones.
 */
export async function listenOnLoopback(
  app: RequestListener,
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Runs a fake (the fake helpdesks, the demo upstream) on its own loopback port: the fake as it
 * is, its `url`, and a `close` that stops the server and then the fake.
 */
export async function startOnLoopback<F extends { app: RequestListener; close?(): Promise<void> }>(
  fake: F,
  port?: number,
): Promise<F & { url: string; close(): Promise<void> }> {
  const listening = await listenOnLoopback(fake.app, port);
  return {
    ...fake,
    url: listening.url,
    close: async () => {
      await listening.close();
      await fake.close?.();
    },
  };
}
