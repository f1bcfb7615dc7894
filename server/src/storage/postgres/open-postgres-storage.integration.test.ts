import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestSchema } from '../../test-support/postgres-test-schema';
import type { TestSchema } from '../../test-support/postgres-test-schema';
import type { Storage } from '../storage';
import { openPostgresStorage } from './open-postgres-storage';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openInstance(database: TestSchema): Promise<Storage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dc-pg-storage-'));
  const opened = await openPostgresStorage({
    dataDir,
    runLogRetentionDays: 7,
    database: { url: database.url, schema: database.schema },
  });
  if (!opened.ok) throw new Error(opened.error.message);
  cleanups.push(async () => {
    await opened.value.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return opened.value;
}

describe('openPostgresStorage', () => {
  it('shares the smaller stores between two instances on one database', async () => {
    const database = await createTestSchema('storage');
    cleanups.push(() => database.drop());
    const one = await openInstance(database);
    const other = await openInstance(database);

    await one.agentKeys.insert(
      { name: 'Fin bot', connectorIds: ['*'], prefix: 'dcak_abcd', createdAt: 'now' },
      'hash-1',
    );
    expect((await other.agentKeys.findByHash('hash-1'))?.name).toBe('Fin bot');
    expect(await one.idempotency.begin('admin', 'k', 'fp')).toEqual({ state: 'new' });
    expect(await other.idempotency.begin('admin', 'k', 'fp')).toEqual({ state: 'in_progress' });
    const subject = { ticketKey: 'zendesk:1', requesterEmail: 'ann@example.com' };
    expect(
      (await one.verification.hashCode(subject, '123456')).equals(
        await other.verification.hashCode(subject, '123456'),
      ),
    ).toBe(true);
    await one.configVersions.record({ author: 'file', connectors: 0, files: [] });
    expect(await other.configVersions.list(5)).toHaveLength(1);
    await one.alerts.openIncident('orders', { since: 's', reason: 'r' }, true);
    expect((await other.alerts.get('orders'))?.paused).toEqual({ since: 's' });
    expect(await other.oauthTokens.list()).toEqual([]);
  });
});
