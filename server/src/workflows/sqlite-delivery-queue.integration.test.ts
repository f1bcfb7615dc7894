import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryQueue, NewDelivery } from './delivery-queue';
import { openSqliteDeliveryQueue } from './sqlite-delivery-queue';

let dir: string;
let clock: number;
const opened: DeliveryQueue[] = [];

function open(): DeliveryQueue {
  const result = openSqliteDeliveryQueue({ path: join(dir, 'workflows.sqlite'), now: () => clock });
  if (!result.ok) throw new Error(result.error.message);
  opened.push(result.value);
  return result.value;
}

function delivery(overrides: Partial<NewDelivery> = {}): NewDelivery {
  return {
    system: 'zendesk',
    workflowId: 'feature_request_to_jira',
    dedupeKey: 'zendesk:feature_request_to_jira:invocation:1',
    target: { type: 'ticket', id: '4' },
    payload: { ticket_id: '4' },
    ...overrides,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dc-queue-'));
  clock = Date.parse('2026-03-01T10:00:00Z');
});
afterEach(async () => {
  for (const queue of opened.splice(0)) await queue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite delivery queue', () => {
  it('keeps an accepted delivery across a reopen of the file', async () => {
    const first = open();
    const enqueued = await first.enqueue(delivery());
    if (!enqueued.ok) throw new Error('not enqueued');
    await first.close();
    const again = await open().get(enqueued.delivery.id);
    expect(again).toMatchObject({ state: 'queued', attempts: 0, payload: { ticket_id: '4' } });
  });

  it('answers a second delivery with the same key with the first one', async () => {
    const queue = open();
    const first = await queue.enqueue(delivery());
    const second = await queue.enqueue(delivery({ payload: { ticket_id: '4', other: 'x' } }));
    expect(first).toMatchObject({ ok: true, duplicate: false });
    expect(second).toMatchObject({ ok: true, duplicate: true });
    if (!first.ok || !second.ok) throw new Error('not enqueued');
    expect(second.delivery.id).toBe(first.delivery.id);
    expect((await queue.countByState()).queued).toBe(1);
  });

  it('treats the same signature as the same delivery, and refuses it for another workflow', async () => {
    const queue = open();
    const guard = { signature: 'sig-1', expiresAtMs: clock + 60_000 };
    const first = await queue.enqueue(delivery({ replayGuard: guard }));
    const sameWorkflow = await queue.enqueue(
      delivery({ dedupeKey: 'zendesk:feature_request_to_jira:invocation:2', replayGuard: guard }),
    );
    const otherWorkflow = await queue.enqueue(
      delivery({ workflowId: 'handover', dedupeKey: 'zendesk:handover:x', replayGuard: guard }),
    );
    if (!first.ok || !sameWorkflow.ok) throw new Error('not enqueued');
    expect(sameWorkflow).toMatchObject({ duplicate: true, delivery: { id: first.delivery.id } });
    expect(otherWorkflow).toMatchObject({ ok: false, error: { code: 'DELIVERY_REPLAYED' } });
  });

  it('hands a due delivery to one claimer only, and counts the attempt', async () => {
    const queue = open();
    await queue.enqueue(delivery());
    const [a, b] = await Promise.all([queue.claimNext(), queue.claimNext()]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(a ?? b).toMatchObject({ state: 'running', attempts: 1 });
  });

  it('waits until a retried delivery is due', async () => {
    const queue = open();
    const enqueued = await queue.enqueue(delivery());
    if (!enqueued.ok) throw new Error('not enqueued');
    await queue.claimNext();
    await queue.retryLater(enqueued.delivery.id, { code: 'X', message: 'later' }, clock + 5_000);
    expect(await queue.claimNext()).toBeUndefined();
    expect(await queue.nextDueAtMs()).toBe(clock + 5_000);
    clock += 5_000;
    expect(await queue.claimNext()).toMatchObject({ attempts: 2 });
  });

  it('queues again what a dead process left running, with its step progress', async () => {
    const queue = open();
    const enqueued = await queue.enqueue(delivery());
    if (!enqueued.ok) throw new Error('not enqueued');
    await queue.claimNext();
    await queue.recordStep(enqueued.delivery.id, 'read_ticket', 'done', {
      type: 'collect',
      outcome: 'success',
      message: 'Collected.',
      values: { subject: 'Hi' },
    });
    await queue.recordStep(enqueued.delivery.id, 'create_issue', 'started', {
      type: 'run',
      outcome: 'failed',
      message: 'Started',
    });
    await queue.close();
    const reopened = open();
    expect(await reopened.recoverInterrupted()).toBe(1);
    expect(await reopened.get(enqueued.delivery.id)).toMatchObject({ state: 'queued' });
    expect(await reopened.steps(enqueued.delivery.id)).toMatchObject([
      { stepId: 'read_ticket', state: 'done', result: { values: { subject: 'Hi' } } },
      { stepId: 'create_issue', state: 'started' },
    ]);
  });

  it('re-runs a dead delivery with fresh attempts and keeps its finished steps', async () => {
    const queue = open();
    const enqueued = await queue.enqueue(delivery());
    if (!enqueued.ok) throw new Error('not enqueued');
    const id = enqueued.delivery.id;
    expect(await queue.requeueDead(id)).toBeUndefined();
    await queue.claimNext();
    await queue.recordStep(id, 'read_ticket', 'done', {
      type: 'collect',
      outcome: 'success',
      message: 'Collected.',
    });
    await queue.bury(id, { code: 'HELPDESK_UNAVAILABLE', message: 'down' });
    expect(await queue.get(id)).toMatchObject({
      state: 'dead',
      lastError: { code: 'HELPDESK_UNAVAILABLE' },
    });
    expect(await queue.requeueDead(id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(await queue.steps(id)).toHaveLength(1);
  });

  it('lists newest first, filtered and paged', async () => {
    const queue = open();
    for (const n of [1, 2, 3]) {
      clock += 1;
      await queue.enqueue(
        delivery({ dedupeKey: `k${n}`, target: { type: 'ticket', id: String(n) } }),
      );
    }
    const page = await queue.list({ limit: 2 });
    expect(page.deliveries.map((d) => d.target.id)).toEqual(['3', '2']);
    const next = await queue.list({
      limit: 2,
      ...(page.nextBefore ? { before: page.nextBefore } : {}),
    });
    expect(next.deliveries.map((d) => d.target.id)).toEqual(['1']);
    expect(next.nextBefore).toBeUndefined();
    expect((await queue.list({ limit: 10, targetId: '2' })).deliveries).toHaveLength(1);
  });
});
