import express from 'express';
import type { Express, Request, Response } from 'express';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for one service's API, answering as its documentation shows. Each fixture
 * (test/templates/fixtures/<service>-fixture.ts) gives the routes it serves, how the service
 * checks credentials, and the service's own documented answers for a refused credential and for
 * too many requests. Tests switch the whole fixture into those answers with `setMode`, the way a
 * revoked token or an exhausted rate limit looks from outside.
 */
export type FixtureMode = 'normal' | 'unauthorized' | 'rateLimited';

export interface FixtureRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FixtureAnswer {
  status: number;
  headers?: Record<string, string>;
  /** A JSON value, or a string sent as is (with its own Content-Type in `headers`). */
  body?: unknown;
}

export interface FixtureSpec {
  /** The service, for messages. */
  name: string;
  /** True when the request carries the credential the service would accept. */
  isAuthorized(req: Request): boolean;
  /** The service's documented answer to a missing, wrong or revoked credential. */
  unauthorized: FixtureAnswer;
  /** The service's documented answer when a rate limit is exhausted (429 and its headers). */
  rateLimited: FixtureAnswer;
  routes(app: Express): void;
}

export interface FixtureServer {
  baseUrl: string;
  /** Every request received, in order. */
  journal: FixtureRequest[];
  setMode(mode: FixtureMode): void;
  close(): Promise<void>;
}

export function sendFixtureAnswer(res: Response, answer: FixtureAnswer): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  if (answer.body === undefined) res.end();
  else if (typeof answer.body === 'string') res.send(answer.body);
  else res.json(answer.body);
}

export async function startFixtureServer(spec: FixtureSpec): Promise<FixtureServer> {
  let mode: FixtureMode = 'normal';
  const journal: FixtureRequest[] = [];
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ extended: true }));
  app.use((req, res, next) => {
    journal.push({
      method: req.method,
      path: req.path,
      query: { ...req.query },
      headers: { ...req.headers },
      body: req.body as unknown,
    });
    if (mode === 'rateLimited') return sendFixtureAnswer(res, spec.rateLimited);
    if (mode === 'unauthorized' || !spec.isAuthorized(req)) {
      return sendFixtureAnswer(res, spec.unauthorized);
    }
    next();
  });
  spec.routes(app);
  app.use((req, res) => {
    res
      .status(500)
      .json({ fixture: `${spec.name} fixture has no route for ${req.method} ${req.path}` });
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    journal,
    setMode: (next) => {
      mode = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
