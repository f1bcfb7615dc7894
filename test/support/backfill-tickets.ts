import request from 'supertest';
import { expect } from 'vitest';
import type { StoredTicket } from '../../server/src/sandbox/seed/zendesk-seed';
import type { TestStack } from './start-test-stack';

/**
 * Tickets for backfill tests: open tickets tagged "order" and "bulk", each with its own order
 * number (#50001…), so the demo upstream's journal tells how many times each one was run.
 */
export const ORDER_FIELD = 360001000001;
export const BACKFILL_SEARCH = 'tags:bulk status<solved';

/** Adds `count` matching tickets and 20 solved ones (which must not match); answers their ids. */
export function seedTickets(
  target: TestStack,
  count: number,
  withoutOrder: number[] = [],
): number[] {
  const store = target.zendesk.store;
  const template = store.findTicket(1) as StoredTicket;
  const ids: number[] = [];
  for (let index = 0; index < count + 20; index += 1) {
    const id = store.nextId('tickets');
    const open = index < count;
    store.data.tickets.push({
      ...structuredClone(template),
      id,
      subject: `Backfill ticket ${index}`,
      status: open ? 'open' : 'solved',
      tags: ['order', 'bulk'],
      custom_fields: withoutOrder.includes(index)
        ? []
        : [{ id: ORDER_FIELD, value: `#${50_001 + index}` }],
    });
    if (open) ids.push(id);
  }
  return ids;
}

/** Order lookups the upstream received, by order number. */
export function lookupsByOrder(target: TestStack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of target.upstream.journal) {
    const name = entry.query.name;
    if (typeof name === 'string' && name.startsWith('#5')) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  return counts;
}

export interface BackfillProgressBody {
  state: string;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  found: number;
  error: string | null;
}

/** A backfill's progress as the admin API answers it, from the server at `url`. */
export async function progressOf(
  url: string,
  adminAuth: Record<string, string>,
  id: string,
): Promise<BackfillProgressBody> {
  const response = await request(url).get(`/api/admin/backfills/${id}`).set(adminAuth);
  expect(response.status).toBe(200);
  return response.body.backfill as BackfillProgressBody;
}

/** Polls `check` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
