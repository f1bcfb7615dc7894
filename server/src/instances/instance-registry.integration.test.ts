import { afterEach, describe, expect, it } from 'vitest';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { startInstanceRegistry } from './instance-registry';
import type { InstanceRegistry } from './instance-registry';

let schema: TestSchema | undefined;
const registries: InstanceRegistry[] = [];
afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.close();
  await schema?.drop();
  schema = undefined;
});

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i += 1) await new Promise((r) => setTimeout(r, 50));
  return check();
};

describe('the instance registry', () => {
  it('counts the live instances, and stops counting one that closed or stopped beating', async () => {
    schema = await createTestSchema('inst');
    const start = async (instanceId: string) => {
      const registry = await startInstanceRegistry({
        pool: schema!.pool,
        instanceId,
        heartbeatMs: 100,
        // Long enough that a busy machine (CI runs the browser suites alongside) still sees the
        // killed row live for a beat or two before it goes stale; 400 ms was missed once.
        staleMs: 2_000,
      });
      registries.push(registry);
      return registry;
    };
    const a = await start('a');
    expect(a.count()).toBe(1);
    const b = await start('b');
    expect(b.count()).toBe(2);
    expect(await waitFor(() => a.count() === 2)).toBe(true);
    await b.close();
    expect(await waitFor(() => a.count() === 1)).toBe(true);
    // An instance killed without closing: its row stays until its heartbeat is stale.
    await schema.pool.query(`INSERT INTO instances (id, host) VALUES ('killed', 'h')`);
    expect(await waitFor(() => a.count() === 2)).toBe(true);
    expect(await waitFor(() => a.count() === 1)).toBe(true);
  });
});
