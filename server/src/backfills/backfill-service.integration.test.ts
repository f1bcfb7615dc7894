import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompiledConfig } from '../compile/compiled-model';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import type { HelpdeskPort, TargetQuery } from '../runs/helpdesk-port';
import type { RunDeps } from '../runs/run-connector';
import type { DeliveryQueue } from '../workflows/delivery-queue';
import { openSqliteDeliveryQueue } from '../workflows/sqlite-delivery-queue';
import type { BackfillStore } from './backfill-store';
import { createBackfillService } from './backfill-service';
import type { BackfillService } from './backfill-service';
import { openSqliteBackfillStore } from './sqlite-backfill-store';

/**
 * The enumeration's crash safety, without a server: the process dies after a page's deliveries
 * are queued and before its cursor is saved. The next process reads that page again from the
 * saved cursor, and the queue answers each of its deliveries with the one it has.
 */

const TICKETS = Array.from({ length: 250 }, (_, index) => String(index + 1));
const PAGE = 100;
let dir: string;
let opened: { close(): Promise<void> }[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dc-backfill-service-'));
  opened = [];
});
afterEach(async () => {
  for (const each of opened.reverse()) await each.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A Zendesk whose search pages the 250 tickets, 100 at a time (the cursor is an offset). */
function fakeZendesk(): { port: HelpdeskPort; pagesRead: number[] } {
  const pagesRead: number[] = [];
  const port = {
    system: 'zendesk',
    countTargets: async () => ({ ok: true, value: TICKETS.length }),
    findTargets: async (_query: TargetQuery, cursor: string | undefined) => {
      const start = Number(cursor ?? 0);
      pagesRead.push(start);
      const end = start + PAGE;
      return {
        ok: true,
        value: {
          ids: TICKETS.slice(start, end),
          cursor: end < TICKETS.length ? String(end) : undefined,
        },
      };
    },
  } as unknown as HelpdeskPort;
  return { port, pagesRead };
}

function openService(
  store: BackfillStore,
  queue: DeliveryQueue,
  port: HelpdeskPort,
  /** A process that dies is never closed (its last write never returns). */
  dies = false,
): BackfillService {
  const config = {
    connectors: new Map([
      [
        'lookup',
        { id: 'lookup', def: { enabled: true, surfaces: ['automation'] }, appliesWhen: {} },
      ],
    ]),
  } as unknown as CompiledConfig;
  const service = createBackfillService({
    store,
    queue,
    config: () => config,
    run: { helpdesks: new Map([['zendesk', port]]) } as unknown as RunDeps,
    kick: () => undefined,
    logger: createLogger({ level: 'silent', redactor: createRedactor(() => []) }),
    pollMs: 5,
    // No workers run here: let the enumeration queue everything.
    backlog: 10_000,
  });
  if (!dies) opened.push(service);
  return service;
}

function openQueue(): DeliveryQueue {
  const result = openSqliteDeliveryQueue({ path: join(dir, 'workflows.sqlite') });
  if (!result.ok) throw new Error(result.error.message);
  opened.push(result.value);
  return result.value;
}

describe('backfill enumeration', () => {
  it('queues every match once though a crash lost the cursor of a queued page', async () => {
    const queue = openQueue();
    const store = openSqliteBackfillStore({ path: join(dir, 'backfills.sqlite') });
    opened.push(store);
    // The second page's cursor is never saved: the process "dies" right after queuing it.
    let saves = 0;
    let crashed!: () => void;
    const crash = new Promise<void>((resolve) => (crashed = resolve));
    const dying: BackfillStore = {
      ...store,
      savePage: async (...args) => {
        saves += 1;
        if (saves === 2) {
          crashed();
          return new Promise<void>(() => undefined);
        }
        return store.savePage(...args);
      },
    };
    const first = fakeZendesk();
    const started = await openService(dying, queue, first.port, true).start({
      connectorId: 'lookup',
      search: 'tags:order',
      dryRun: false,
    });
    if (!started.ok || 'dryRun' in started.value) throw new Error('not started');
    const id = started.value.id;
    await crash;
    expect(first.pagesRead).toEqual([0, 100]);
    expect((await queue.countByState(`backfill:${id}`)).queued).toBe(200);

    const second = fakeZendesk();
    const service = openService(store, queue, second.port);
    await service.continueRunning();
    const until = Date.now() + 5_000;
    while (!(await store.get(id))?.enumerated) {
      if (Date.now() > until) throw new Error('enumeration did not finish');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // It continued from the saved cursor (page 2), not from the start.
    expect(second.pagesRead).toEqual([100, 200]);
    expect(await queue.countByState(`backfill:${id}`)).toMatchObject({ queued: 250 });
    const progress = await service.progress(id);
    expect(progress).toMatchObject({ ok: true, value: { total: 250, found: 250 } });
  });
});
