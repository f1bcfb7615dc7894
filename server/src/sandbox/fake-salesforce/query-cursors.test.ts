import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSalesforceSeed, SANDBOX_SALESFORCE_CREDENTIALS } from '../seed/salesforce-seed';
import { startFakeSalesforce } from './fake-salesforce';
import type { RunningFakeSalesforce } from './fake-salesforce';
import { MAX_OPEN_QUERY_CURSORS, QUERY_CURSOR_IDLE_MS } from './query-cursors';

const API = '/services/data/v62.0';
const EXTRA_CONTACTS = 450;
let clock: number;
let fake: RunningFakeSalesforce;

beforeEach(async () => {
  clock = Date.parse('2026-12-04T09:00:00Z');
  fake = await startFakeSalesforce({
    now: () => new Date(clock),
    seed: () => {
      const seed = buildSalesforceSeed();
      for (let n = 1; n <= EXTRA_CONTACTS; n += 1) {
        seed.records.Contact?.push({
          Id: `003QC${String(n).padStart(10, '0')}AAA`,
          LastName: `Contact ${n}`,
          CreatedDate: '2026-01-01T00:00:00.000+0000',
          SystemModstamp: '2026-01-01T00:00:00.000+0000',
          LastModifiedDate: '2026-01-01T00:00:00.000+0000',
          IsDeleted: false,
        });
      }
      return seed;
    },
  });
});
afterEach(() => fake.close());

interface QueryAnswer {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: { Id: string }[];
}

async function get(path: string, batchSize?: number) {
  const response = await fetch(`${fake.instanceUrl}${path}`, {
    headers: {
      authorization: `Bearer ${SANDBOX_SALESFORCE_CREDENTIALS.accessToken}`,
      ...(batchSize ? { 'sforce-query-options': `batchSize=${batchSize}` } : {}),
    },
  });
  return { status: response.status, body: (await response.json()) as QueryAnswer };
}

const SOQL = `${API}/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`;
const TOTAL = EXTRA_CONTACTS + 3; // the sandbox seed has three contacts

describe('query batches and locators (the fake org)', () => {
  it('answers in batches with nextRecordsUrl until done, totalSize on each', async () => {
    const first = await get(SOQL, 200);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ totalSize: TOTAL, done: false });
    expect(first.body.records).toHaveLength(200);
    expect(first.body.nextRecordsUrl).toMatch(
      /^\/services\/data\/v62\.0\/query\/0r8[0-9A-Za-z]{15}-200$/,
    );
    const second = await get(first.body.nextRecordsUrl as string);
    expect(second.body).toMatchObject({ totalSize: TOTAL, done: false });
    const third = await get(second.body.nextRecordsUrl as string);
    expect(third.body).toMatchObject({ totalSize: TOTAL, done: true });
    expect(third.body.nextRecordsUrl).toBeUndefined();
    const ids = [first, second, third].flatMap((page) => page.body.records.map((r) => r.Id));
    expect(ids).toHaveLength(TOTAL);
    expect(new Set(ids).size).toBe(TOTAL);
    // Without the header: one batch of up to 2,000.
    expect((await get(SOQL)).body).toMatchObject({ totalSize: TOTAL, done: true });
  });

  it('refuses a locator unused for 15 minutes with INVALID_QUERY_LOCATOR; each use keeps it alive', async () => {
    const first = await get(SOQL, 200);
    clock += QUERY_CURSOR_IDLE_MS - 1_000;
    const second = await get(first.body.nextRecordsUrl as string);
    expect(second.status).toBe(200);
    clock += QUERY_CURSOR_IDLE_MS + 1;
    const expired = await get(second.body.nextRecordsUrl as string);
    expect(expired).toEqual({
      status: 400,
      body: [{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }],
    });
  });

  it('releases a user’s oldest cursor when an eleventh opens, and refuses made-up locators', async () => {
    const oldest = await get(SOQL, 200);
    for (let n = 0; n < MAX_OPEN_QUERY_CURSORS - 1; n += 1) await get(SOQL, 200);
    expect((await get(oldest.body.nextRecordsUrl as string)).status).toBe(200);
    await get(SOQL, 200);
    expect((await get(oldest.body.nextRecordsUrl as string)).status).toBe(400);
    expect((await get(`${API}/query/0r8AAAAAAAAAAAAAAA-200`)).status).toBe(400);
    expect((await get(`${API}/query/not-a-locator`)).status).toBe(400);
  });
});
