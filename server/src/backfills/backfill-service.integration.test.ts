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
import type { BackfillService, BackfillServiceOptions } from './backfill-service';
import { openSqliteBackfillStore } from './sqlite-backfill-store';

/**
 * The enumeration's crash safety, without a server: the process dies after a page's deliveries
 * are queued and before its cursor is saved. The next process reads that page again from the
 * saved cursor, and the queue answers each of its deliveries with the one it has.
 */

const ECHOED_SECRET = 'zd-api-token-0123456789';
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

/**
 * A Zendesk whose search pages the 250 tickets, 100 at a time (the cursor is an offset). It
 * refuses the cursors in `refused`, in their order, as a helpdesk refuses a stale one;
 * `first` there refuses the first page, as it refuses a query that no longer holds.
 */
function fakeZendesk(refused: string[] = []): {
  port: HelpdeskPort;
  pagesRead: number[];
  /** When each page was asked for (Date.now()), in the order of pagesRead. */
  readAt: number[];
} {
  const pagesRead: number[] = [];
  const readAt: number[] = [];
  const port = {
    system: 'zendesk',
    countTargets: async () => ({ ok: true, value: TICKETS.length }),
    findTargets: async (_query: TargetQuery, cursor: string | undefined) => {
      const start = Number(cursor ?? 0);
      pagesRead.push(start);
      readAt.push(Date.now());
      if (refused[0] === (cursor ?? 'first')) {
        refused.shift();
        // The first page's refusal echoes a secret, as an upstream may: it must not be stored.
        const message =
          cursor === undefined
            ? `Unknown field: custom_field_360 (${ECHOED_SECRET})`
            : 'Invalid page[after] cursor';
        return { ok: false, error: { code: 'QUERY_REFUSED', message } };
      }
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
  return { port, pagesRead, readAt };
}

function openService(
  store: BackfillStore,
  queue: DeliveryQueue,
  port: HelpdeskPort,
  /** A process that dies is never closed (its last write never returns). */
  dies = false,
  readerLeaseMs?: number,
  onEnded?: BackfillServiceOptions['onEnded'],
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
    run: {
      helpdesks: new Map([['zendesk', port]]),
      redactor: createRedactor(() => [ECHOED_SECRET]),
    } as unknown as RunDeps,
    kick: () => undefined,
    logger: createLogger({ level: 'silent', redactor: createRedactor(() => []) }),
    pollMs: 5,
    // No workers run here: let the enumeration queue everything.
    backlog: 10_000,
    ...(readerLeaseMs === undefined ? {} : { readerLeaseMs }),
    ...(onEnded === undefined ? {} : { onEnded }),
  });
  if (!dies) opened.push(service);
  return service;
}

function openStore(): BackfillStore {
  const store = openSqliteBackfillStore({ path: join(dir, 'backfills.sqlite') });
  opened.push(store);
  return store;
}

async function waitForEnumerated(store: BackfillStore, id: string): Promise<void> {
  const until = Date.now() + 5_000;
  while (!(await store.get(id))?.enumerated) {
    if (Date.now() > until) throw new Error('enumeration did not finish');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The first process's savePage: saves the first page, then "dies" before saving the second. */
function dyingAfterOnePage(store: BackfillStore): { store: BackfillStore; crash: Promise<void> } {
  let saves = 0;
  let crashed!: () => void;
  const crash = new Promise<void>((resolve) => (crashed = resolve));
  return {
    crash,
    store: {
      ...store,
      savePage: async (...args) => {
        saves += 1;
        if (saves === 2) {
          crashed();
          return new Promise<boolean>(() => undefined);
        }
        return store.savePage(...args);
      },
    },
  };
}

/** Starts a backfill of the tickets tagged `order`; its id. */
async function startBackfill(service: BackfillService): Promise<string> {
  const started = await service.start({
    connectorId: 'lookup',
    search: 'tags:order',
    dryRun: false,
  });
  if (!started.ok || 'dryRun' in started.value) throw new Error('not started');
  return started.value.id;
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
    // The second page's cursor is never saved: the process "dies" right after queuing it.
    const { store: dying, crash } = dyingAfterOnePage(openStore());
    const first = fakeZendesk();
    const id = await startBackfill(openService(dying, queue, first.port, true));
    await crash;
    expect(first.pagesRead).toEqual([0, 100]);
    expect((await queue.countByState(`backfill:${id}`)).queued).toBe(200);

    // The restarted server opens the file again; the dead process's reader lease goes with it.
    const store = openStore();
    const second = fakeZendesk();
    const service = openService(store, queue, second.port);
    await service.continueRunning();
    await waitForEnumerated(store, id);
    // It continued from the saved cursor (page 2), not from the start.
    expect(second.pagesRead).toEqual([100, 200]);
    expect(await queue.countByState(`backfill:${id}`)).toMatchObject({ queued: 250 });
    const progress = await service.progress(id);
    expect(progress).toMatchObject({ ok: true, value: { total: 250, found: 250 } });
  });

  it('reads each page once when several instances continue the same backfill', async () => {
    const queue = openQueue();
    const store = openStore();
    const starter = fakeZendesk();
    const id = await startBackfill(openService(store, queue, starter.port));
    // Two more instances on the same database, started as the first one reads.
    const others = [fakeZendesk(), fakeZendesk()];
    await Promise.all(
      others.map((other) => openService(store, queue, other.port).continueRunning()),
    );
    await waitForEnumerated(store, id);
    const reads = [starter, ...others].flatMap((each) => each.pagesRead).sort((a, b) => a - b);
    expect(reads).toEqual([0, 100, 200]);
    expect(await queue.countByState(`backfill:${id}`)).toMatchObject({ queued: 250 });
  });

  it('reads from the first page again when the helpdesk refuses the saved cursor', async () => {
    const queue = openQueue();
    const store = openStore();
    const zendesk = fakeZendesk(['100']);
    const id = await startBackfill(openService(store, queue, zendesk.port));
    await waitForEnumerated(store, id);
    // The refused cursor, then the first page again: nothing is queued twice.
    expect(zendesk.pagesRead).toEqual([0, 100, 0, 100, 200]);
    expect(await queue.countByState(`backfill:${id}`)).toMatchObject({ queued: 250 });
  });

  it('reads from the first page only once while every cursor is refused', async () => {
    const queue = openQueue();
    const store = openStore();
    // The second refusal comes right after the re-read: the service waits and asks again.
    const zendesk = fakeZendesk(['100', '100']);
    const id = await startBackfill(openService(store, queue, zendesk.port));
    await waitForEnumerated(store, id);
    expect(zendesk.pagesRead).toEqual([0, 100, 0, 100, 100, 200]);
    expect(await queue.countByState(`backfill:${id}`)).toMatchObject({ queued: 250 });
  });

  it("fails with the helpdesk's reason when it refuses the query itself, and resumes once mended", async () => {
    const queue = openQueue();
    const store = openStore();
    // The third page's cursor is refused, and then the first page too: the query no longer holds.
    const zendesk = fakeZendesk(['200', 'first']);
    const told: unknown[] = [];
    const service = openService(store, queue, zendesk.port, false, undefined, (event) =>
      told.push(event),
    );
    const id = await startBackfill(service);
    const until = Date.now() + 5_000;
    while ((await store.get(id))?.state !== 'failed') {
      if (Date.now() > until) throw new Error('the backfill did not fail');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Not retried: one read of the first page after the refused cursor, then nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(zendesk.pagesRead).toEqual([0, 100, 200, 0]);
    const failed = await service.progress(id);
    expect(failed).toMatchObject({
      ok: true,
      value: {
        state: 'failed',
        error:
          "The Zendesk helpdesk refused the backfill's query: Unknown field: custom_field_360 ([secret])",
        // What it found before still runs, and is all that will.
        found: 200,
        total: 200,
        counts: { queued: 200 },
      },
    });
    expect(failed.ok && failed.value.finishedAt).toEqual(expect.any(String));
    // Told once, for the alert notice.
    expect(told).toEqual([
      {
        outcome: 'failed',
        backfillId: id,
        connectorId: 'lookup',
        reason:
          "The Zendesk helpdesk refused the backfill's query: Unknown field: custom_field_360 ([secret])",
        at: failed.ok ? failed.value.finishedAt : undefined,
      },
    ]);

    // Mended in the helpdesk: resuming reads from the first page; nothing is queued twice.
    expect(await service.resume(id)).toMatchObject({
      ok: true,
      value: { state: 'running', error: null },
    });
    await waitForEnumerated(store, id);
    expect(zendesk.pagesRead).toEqual([0, 100, 200, 0, 0, 100, 200]);
    expect(await service.progress(id)).toMatchObject({
      ok: true,
      value: { total: 250, found: 250, counts: { queued: 250 } },
    });
  });

  it('tells once when the last of its matches has run, with how many completed and failed', async () => {
    const queue = openQueue();
    const store = openStore();
    const told: unknown[] = [];
    // Two instances follow the same backfill: only the one that moves it to done tells.
    const follow = () =>
      openService(store, queue, fakeZendesk().port, false, undefined, (event) => told.push(event));
    const service = follow();
    const other = follow();
    const id = await startBackfill(service);
    await other.continueRunning();
    await waitForEnumerated(store, id);
    // The workers' part, done here: two runs fail for good, the rest complete.
    let ended = 0;
    for (
      let claimed = await queue.claimNext(60_000);
      claimed;
      claimed = await queue.claimNext(60_000)
    ) {
      if (ended < 2) await queue.bury(claimed.id, claimed.lease.token, { code: 'X', message: 'x' });
      else
        await queue.complete(claimed.id, claimed.lease.token, { outcome: 'success', message: '' });
      ended += 1;
    }
    expect(ended).toBe(TICKETS.length);
    const until = Date.now() + 5_000;
    while ((await store.get(id))?.state !== 'done') {
      if (Date.now() > until) throw new Error('the backfill did not finish');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const done = await store.get(id);
    expect(told).toEqual([
      {
        outcome: 'finished',
        backfillId: id,
        connectorId: 'lookup',
        completed: TICKETS.length - 2,
        dead: 2,
        at: done?.updatedAt,
      },
    ]);
  });

  it('takes the reading over from an instance that died, once its lease runs out', async () => {
    const queue = openQueue();
    const shared = openStore();
    const { store: dying, crash } = dyingAfterOnePage(shared);
    const first = fakeZendesk();
    const id = await startBackfill(openService(dying, queue, first.port, true, 200));
    await crash;
    // Another instance, already running: it waits while the lease is live, then reads on.
    const second = fakeZendesk();
    await openService(shared, queue, second.port, false, 200).continueRunning();
    await waitForEnumerated(shared, id);
    // The dying instance claimed its last 200 ms lease after reading page 0 (a claim comes
    // before each page), so the second may read no sooner than 200 ms after that read; timed
    // from the crash instead, a slow machine made the wait look shorter than it was.
    expect((second.readAt[0] ?? 0) - (first.readAt[0] ?? 0)).toBeGreaterThanOrEqual(200);
    expect(first.pagesRead).toEqual([0, 100]);
    expect(second.pagesRead).toEqual([100, 200]);
    expect(await queue.countByState(`backfill:${id}`)).toMatchObject({ queued: 250 });
  });
});
