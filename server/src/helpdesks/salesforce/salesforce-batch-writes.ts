import { createWriteBatcher } from '../../pacing/write-batcher';
import type { WriteBatcher } from '../../pacing/write-batcher';
import { MAX_RECORDS_PER_COLLECTION } from './client/salesforce-client';
import type { RecordUpdate, SalesforceClient } from './client/salesforce-client';
import type { SalesforceError } from './client/salesforce-errors';

/**
 * Automation's record writes as sObject Collections requests: up to 200 records of any objects
 * per PATCH with `allOrNone: false`, so one refused record (a validation rule) does not take the
 * others down with it, and the org's daily allowance is spent once per 200 writes.
 *
 * - `written` / `rejected`: Salesforce's result for that record.
 * - `unsettled`: the request got no answer (a timeout, a 5xx): any record may or may not have
 *   been saved. The caller reads each record back before sending it again, as for a single
 *   write (salesforce-helpdesk.ts, recoverUnanswered).
 */

export type RecordWriteOutcome =
  | { kind: 'written' }
  | { kind: 'rejected'; error: SalesforceError }
  | { kind: 'unsettled'; error: SalesforceError };

export interface SalesforceBatchWriteOptions {
  /** How long a write waits for others to share its request (default 100 ms). */
  lingerMs?: number;
  /** Requests running at once (default 4). */
  maxInFlight?: number;
}

export function createSalesforceBatchWrites(
  client: SalesforceClient,
  options: SalesforceBatchWriteOptions = {},
): WriteBatcher<RecordUpdate, RecordWriteOutcome> {
  return createWriteBatcher<RecordUpdate, RecordWriteOutcome>({
    maxBatch: MAX_RECORDS_PER_COLLECTION,
    lingerMs: options.lingerMs ?? 100,
    maxInFlight: options.maxInFlight ?? 4,
    // Salesforce ids are unique across objects (the key prefix names the object).
    keyOf: (update) => update.id,
    // Later values win; a record update has no part that cannot be combined.
    merge: (earlier, later) => ({ ...earlier, fields: { ...earlier.fields, ...later.fields } }),
    flush: async (updates) => {
      const saved = await client.updateRecords(updates);
      if (!saved.ok) {
        const kind = saved.error.code === 'SALESFORCE_UNAVAILABLE' ? 'unsettled' : 'rejected';
        return updates.map(() => ({ kind, error: saved.error }));
      }
      return saved.value.map((result): RecordWriteOutcome =>
        result.success ? { kind: 'written' } : { kind: 'rejected', error: result.error },
      );
    },
  });
}
