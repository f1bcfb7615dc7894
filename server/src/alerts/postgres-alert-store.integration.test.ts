import { afterEach, describe, expect, it } from 'vitest';
import { describeAlertStoreContract } from '../storage/contracts/alert-store-contract';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { openOnTestSchema } from '../test-support/open-on-test-schema';
import { openPostgresAlertStore } from './postgres-alert-store';

describeAlertStoreContract('PostgreSQL', () =>
  openOnTestSchema(({ pool }) => openPostgresAlertStore({ pool }), 'alerts'),
);

let shared: TestSchema | undefined;
afterEach(async () => {
  await shared?.drop();
  shared = undefined;
});

const T0 = Date.UTC(2026, 0, 1, 9);
const failure = (runId: string) => ({
  runId,
  errorCode: 'UPSTREAM_TIMEOUT',
  message: 'The other system did not answer in time.',
  at: new Date(T0).toISOString(),
});

describe('the PostgreSQL alert store across instances', () => {
  it('loses no failure counted by two instances at once, in a row or in the window', async () => {
    shared = await createTestSchema('alerts');
    const one = openPostgresAlertStore({ pool: shared.pool });
    const other = openPostgresAlertStore({ pool: shared.pool });
    const counted = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 === 0 ? one : other).countRun(
          'orders',
          { atMs: T0 + index, failure: failure(`run_${index}`) },
          T0 - 60_000,
        ),
      ),
    );
    expect((await one.get('orders'))?.failuresInARow).toBe(20);
    // Each count saw the ones before it: the window totals are 1..20, each once.
    const totals = counted.map((result) => result.window?.failures).sort((a, b) => a! - b!);
    expect(totals).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it('opens an incident once when two instances trip the rule together', async () => {
    shared = await createTestSchema('alerts');
    const one = openPostgresAlertStore({ pool: shared.pool });
    const other = openPostgresAlertStore({ pool: shared.pool });
    const incident = { since: new Date(T0).toISOString(), reason: '3 failures in a row' };
    const opened = await Promise.all([
      one.openIncident('orders', incident, true),
      other.openIncident('orders', incident, true),
    ]);
    expect(opened.filter(Boolean)).toHaveLength(1);
    const closed = await Promise.all([one.closeIncident('orders'), other.closeIncident('orders')]);
    expect(closed.filter((value) => value !== undefined)).toEqual([incident]);
  });
});
