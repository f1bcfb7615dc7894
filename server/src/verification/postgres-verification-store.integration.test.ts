import { afterEach, describe, expect, it } from 'vitest';
import { describeVerificationStoreContract } from '../storage/contracts/verification-store-contract';
import { createTestSchema } from '../test-support/postgres-test-schema';
import type { TestSchema } from '../test-support/postgres-test-schema';
import { openOnTestSchema } from '../test-support/open-on-test-schema';
import { openPostgresVerificationStore } from './postgres-verification-store';

describeVerificationStoreContract('PostgreSQL', (now) =>
  openOnTestSchema(
    ({ pool, schema }) => openPostgresVerificationStore({ pool, schema, now }),
    'verification',
  ),
);

let shared: TestSchema | undefined;
afterEach(async () => {
  await shared?.drop();
  shared = undefined;
});

const ann = { ticketKey: 'zendesk:101', requesterEmail: 'ann@example.com' };
const limits = [{ windowMs: 10 * 60_000, max: 3 }];

describe('the PostgreSQL verification store across instances', () => {
  it('checks on one instance a code another issued, with one hashing key for all', async () => {
    shared = await createTestSchema('verification');
    const { pool, schema } = shared;
    // Started together: both race to draw the hashing key, one wins for both.
    const [issuer, checker] = await Promise.all([
      openPostgresVerificationStore({ pool, schema }),
      openPostgresVerificationStore({ pool, schema }),
    ]);
    const codeHash = await issuer.hashCode(ann, '123456');
    await issuer.replaceCode(ann, { codeHash, expiresAt: Date.now() + 600_000 });
    const taken = await checker.takeTry(ann, 3);
    expect(taken.state === 'try' && taken.codeHash.equals(codeHash)).toBe(true);
    expect((await checker.hashCode(ann, '123456')).equals(codeHash)).toBe(true);
    await checker.markVerified(ann, Date.now() + 1_800_000);
    expect(await issuer.verifiedUntil(ann)).toBeGreaterThan(Date.now());
  });

  it('counts tries and sends made on two instances against one limit', async () => {
    shared = await createTestSchema('verification');
    const { pool, schema } = shared;
    const one = await openPostgresVerificationStore({ pool, schema });
    const other = await openPostgresVerificationStore({ pool, schema });
    const codeHash = await one.hashCode(ann, '123456');
    await one.replaceCode(ann, { codeHash, expiresAt: Date.now() + 600_000 });
    const tries = await Promise.all(
      Array.from({ length: 8 }, (_, index) => (index % 2 ? one : other).takeTry(ann, 3)),
    );
    expect(tries.filter((result) => result.state === 'try')).toHaveLength(3);
    const at = Date.now();
    const sends = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        (index % 2 ? one : other).reserveSend('ann@example.com', at, limits),
      ),
    );
    expect(sends.filter((result) => result.reserved)).toHaveLength(3);
  });
});
