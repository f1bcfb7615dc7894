import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Jira-like upstream for the scale-out tests, counting every side effect:
 * - `POST /lookup` answers at once (a call without an idempotency key: counted per ticket);
 * - `POST /issues` creates one issue per distinct `Idempotency-Key`; the same key again gets the
 *   same issue back, as an API that deduplicates on it does (a call without a key creates one). With `hold` on, the issue is
 *   created and the answer held back, as from a slow API, until `release()`.
 */
export interface FakeIssueTracker {
  url: string;
  lookupCalls: Map<string, number>;
  createCalls: Map<string, number>;
  /** The issues created, by idempotency key. */
  issues: Map<string, { key: string; ticket: string }>;
  hold: boolean;
  /** Resolves once `n` answers are held. */
  heldCount(n: number): Promise<void>;
  /** Stops holding and answers every held call whose caller is still connected. */
  release(): void;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

export async function startFakeIssueTracker(): Promise<FakeIssueTracker> {
  const held: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const tracker = {
    lookupCalls: new Map<string, number>(),
    createCalls: new Map<string, number>(),
    issues: new Map<string, { key: string; ticket: string }>(),
    hold: false,
  };
  const reply = (res: ServerResponse, json: unknown) => {
    if (res.destroyed) return;
    res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify(json));
  };
  const server: Server = createServer((req, res) => {
    void readJson(req).then((body) => {
      const ticket = String(body.ticket);
      if (req.url === '/lookup') {
        bump(tracker.lookupCalls, ticket);
        reply(res, { customer: `customer-${ticket}` });
        return;
      }
      bump(tracker.createCalls, ticket);
      // Without a key every call creates an issue, as an API that does not deduplicate would.
      const idempotencyKey = String(req.headers['idempotency-key'] || `unkeyed-${randomUUID()}`);
      const issue = tracker.issues.get(idempotencyKey) ?? {
        key: `JIRA-${tracker.issues.size + 1}`,
        ticket,
      };
      tracker.issues.set(idempotencyKey, issue);
      if (!tracker.hold) {
        reply(res, issue);
        return;
      }
      held.push(() => reply(res, issue));
      for (const waiter of waiters.filter((w) => held.length >= w.n)) waiter.resolve();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(tracker, {
    url: `http://127.0.0.1:${port}`,
    heldCount: (n: number) =>
      new Promise<void>((resolve) => {
        if (held.length >= n) resolve();
        else waiters.push({ n, resolve });
      }),
    release: () => {
      tracker.hold = false;
      for (const answer of held.splice(0)) answer();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  });
}
