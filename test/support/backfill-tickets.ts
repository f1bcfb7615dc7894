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
