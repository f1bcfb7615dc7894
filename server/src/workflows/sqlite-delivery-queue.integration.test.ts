import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  delivery,
  describeDeliveryQueueContract,
} from '../storage/contracts/delivery-queue-contract';
import type { DeliveryQueue } from './delivery-queue';
import { openSqliteDeliveryQueue } from './sqlite-delivery-queue';

describeDeliveryQueueContract('SQLite', async (now) => {
  const result = openSqliteDeliveryQueue({ path: ':memory:', now });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
});

let dir: string;
let clock: number;
const opened: DeliveryQueue[] = [];

function open(): { queue: DeliveryQueue; interrupted: number } {
  const result = openSqliteDeliveryQueue({ path: join(dir, 'workflows.sqlite'), now: () => clock });
  if (!result.ok) throw new Error(result.error.message);
  opened.push(result.value);
  return { queue: result.value, interrupted: result.interrupted };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dc-queue-'));
  clock = Date.parse('2026-03-01T10:00:00Z');
});
afterEach(async () => {
  for (const queue of opened.splice(0)) await queue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the SQLite delivery queue file', () => {
  it('keeps an accepted delivery across a reopen of the file', async () => {
    const first = open().queue;
    const enqueued = await first.enqueue(delivery());
    if (!enqueued.ok) throw new Error('not enqueued');
    await first.close();
    const again = await open().queue.get(enqueued.delivery.id);
    expect(again).toMatchObject({ state: 'queued', attempts: 0, payload: { ticket_id: '4' } });
  });

  it('upgrades a file written before leases, keeping its deliveries claimable', async () => {
    const first = open().queue;
    const enqueued = await first.enqueue(delivery());
    if (!enqueued.ok) throw new Error('not enqueued');
    await first.close();
    const db = new Database(join(dir, 'workflows.sqlite'));
    db.exec('ALTER TABLE deliveries DROP COLUMN lease_token');
    db.exec('ALTER TABLE deliveries DROP COLUMN lease_until');
    db.pragma('user_version = 1');
    db.close();
    const claimed = await open().queue.claimNext(60_000);
    expect(claimed).toMatchObject({ id: enqueued.delivery.id, state: 'running', attempts: 1 });
  });

  it('on reopen, makes what a dead process left running due at once, with its step progress', async () => {
    const { queue } = open();
    const enqueued = await queue.enqueue(delivery());
    if (!enqueued.ok) throw new Error('not enqueued');
    await queue.claimNext(60_000);
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
    // One process owns the file, so its old leases are void: no waiting for them to run out.
    const reopened = open();
    expect(reopened.interrupted).toBe(1);
    expect(await reopened.queue.claimNext(60_000)).toMatchObject({
      id: enqueued.delivery.id,
      attempts: 2,
    });
    expect(await reopened.queue.steps(enqueued.delivery.id)).toMatchObject([
      { stepId: 'read_ticket', state: 'done', result: { values: { subject: 'Hi' } } },
      { stepId: 'create_issue', state: 'started' },
    ]);
  });
});
