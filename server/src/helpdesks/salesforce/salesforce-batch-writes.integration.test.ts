import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSalesforce } from '../../sandbox/fake-salesforce/fake-salesforce';
import type { RunningFakeSalesforce } from '../../sandbox/fake-salesforce/fake-salesforce';
import { SANDBOX_SALESFORCE_IDS } from '../../sandbox/seed/salesforce-seed';
import { createSandboxSalesforceClient } from '../../test-support/sandbox-salesforce-client';
import type { SalesforceClient } from './client/salesforce-client';
import { createSalesforceRateBudget, DAILY_API_BUCKET } from './client/salesforce-rate-limits';
import { createSalesforceBatchWrites } from './salesforce-batch-writes';

/**
 * Automation's record writes as sObject Collections requests, against the fake Salesforce over
 * HTTP: many records per PATCH, one refused record leaving the others saved, an unanswered
 * request reported unsettled (the helpdesk then reads the records back), and the daily
 * allowance read from every answer.
 */

const { order1001, refund1002, loginProblem, deleted } = SANDBOX_SALESFORCE_IDS.cases;

let fake: RunningFakeSalesforce;
let client: SalesforceClient;
const budget = createSalesforceRateBudget();

beforeEach(async () => {
  fake = await startFakeSalesforce();
  client = createSandboxSalesforceClient(fake.instanceUrl, { budget });
});
afterEach(() => fake.close());

function patches(start: number): number {
  return fake.journal
    .slice(start)
    .filter((entry) => entry.method === 'PATCH' && entry.path.endsWith('/composite/sobjects'))
    .length;
}

async function readTracking(id: string): Promise<unknown> {
  const record = await client.loadRecord('Case', id, ['Tracking_Number__c']);
  if (!record.ok) throw new Error(record.error.message);
  return record.value.Tracking_Number__c;
}

describe('automation record writes as sObject Collections', () => {
  it('saves several records in one request, each with its own result', async () => {
    const batcher = createSalesforceBatchWrites(client, { lingerMs: 20 });
    const start = fake.journal.length;
    const outcomes = await Promise.all([
      batcher.submit({
        objectApiName: 'Case',
        id: order1001,
        fields: { Tracking_Number__c: 'T1' },
      }),
      batcher.submit({
        objectApiName: 'Case',
        id: refund1002,
        fields: { Tracking_Number__c: 'T2' },
      }),
      // Longer than the field's 80 characters: refused on its own.
      batcher.submit({
        objectApiName: 'Case',
        id: loginProblem,
        fields: { Tracking_Number__c: 'x'.repeat(81) },
      }),
      batcher.submit({ objectApiName: 'Case', id: deleted, fields: { Tracking_Number__c: 'T4' } }),
    ]);

    expect(patches(start)).toBe(1);
    expect(outcomes[0]).toEqual({ kind: 'written' });
    expect(outcomes[1]).toEqual({ kind: 'written' });
    expect(outcomes[2]).toMatchObject({ kind: 'rejected', error: { code: 'SALESFORCE_REJECTED' } });
    expect(outcomes[3]).toMatchObject({ kind: 'rejected' });
    expect(await readTracking(order1001)).toBe('T1');
    expect(await readTracking(refund1002)).toBe('T2');
    // The org's allowance, as Sforce-Limit-Info stated it, is known to the budget.
    expect(budget.snapshot().buckets[DAILY_API_BUCKET]?.limit).toBeGreaterThan(0);
  });

  it('coalesces two writes to one record into one entry of the request', async () => {
    const batcher = createSalesforceBatchWrites(client, { lingerMs: 20 });
    const start = fake.journal.length;
    const [first, second] = await Promise.all([
      batcher.submit({ objectApiName: 'Case', id: order1001, fields: { Tracking_Number__c: 'A' } }),
      batcher.submit({ objectApiName: 'Case', id: order1001, fields: { Status: 'Working' } }),
    ]);
    expect(first).toEqual({ kind: 'written' });
    expect(second).toEqual({ kind: 'written' });
    const sent = fake.journal
      .slice(start)
      .find((entry) => entry.path.endsWith('/composite/sobjects'))?.body as {
      allOrNone: boolean;
      records: Record<string, unknown>[];
    };
    expect(sent.allOrNone).toBe(false);
    expect(sent.records).toEqual([
      {
        attributes: { type: 'Case' },
        id: order1001,
        Tracking_Number__c: 'A',
        Status: 'Working',
      },
    ]);
  });

  it('reports every record unsettled when the request gets no answer', async () => {
    const batcher = createSalesforceBatchWrites(client, { lingerMs: 20 });
    fake.faults.enqueue({
      method: 'PATCH',
      pathPattern: '/composite/sobjects',
      loseResponse: true,
    });
    const outcomes = await Promise.all([
      batcher.submit({
        objectApiName: 'Case',
        id: order1001,
        fields: { Tracking_Number__c: 'L1' },
      }),
      batcher.submit({
        objectApiName: 'Case',
        id: refund1002,
        fields: { Tracking_Number__c: 'L2' },
      }),
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['unsettled', 'unsettled']);
    // The request was applied although its answer was lost: what the read-back then finds.
    expect(await readTracking(order1001)).toBe('L1');
  });
});
