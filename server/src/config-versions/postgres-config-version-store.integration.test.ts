import { afterEach, describe, expect, it } from 'vitest';
import { describeConfigVersionStoreContract } from '../storage/contracts/config-version-store-contract';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { openOnTestSchema } from '../test-support/open-on-test-schema';
import { openPostgresConfigVersionStore } from './postgres-config-version-store';

describeConfigVersionStoreContract('PostgreSQL', (now) =>
  openOnTestSchema(({ pool }) => openPostgresConfigVersionStore({ pool, now }), 'config_versions'),
);

let shared: TestSchema | undefined;
afterEach(async () => {
  await shared?.drop();
  shared = undefined;
});

describe('the PostgreSQL config version store across instances', () => {
  it('records a config that several instances load together once', async () => {
    shared = await createTestSchema('config_versions');
    const { pool } = shared;
    const files = [{ file: 'config/shopify.json', text: '{"connectors":[]}\n' }];
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        openPostgresConfigVersionStore({ pool }).record({ author: 'file', connectors: 1, files }),
      ),
    );
    expect(results.filter((result) => result.added)).toHaveLength(1);
    expect(new Set(results.map((result) => result.version.id))).toEqual(new Set([1]));
  });
});
