import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LowSync, MemorySync } from 'lowdb';
import { JSONFileSync } from 'lowdb/node';
import { buildSalesforceSeed } from '../seed/salesforce-seed';
import type { FakeSalesforceData, StoredRecord } from '../seed/salesforce-seed';

/** One request as the fake received it; tokens and assertions are never kept. */
export interface SalesforceJournalEntry {
  method: string;
  /** Path relative to where the fake is mounted, e.g. /services/data/v62.0/query. */
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  authorization: 'bearer' | 'none' | 'other';
  /** The If-Unmodified-Since header, when the request was conditional. */
  ifUnmodifiedSince?: string;
  at: string;
}

export interface FakeSalesforceStore {
  /** The lowdb document; mutate it only through the methods below or call save() after. */
  readonly data: FakeSalesforceData;
  /** Request journal, oldest first. */
  readonly requests: SalesforceJournalEntry[];
  /** Finds a record by its 15- or 18-character id, deleted ones included. */
  findRecord(object: string, id: string): StoredRecord | undefined;
  /** Non-deleted records of an object. */
  listRecords(object: string): StoredRecord[];
  save(): void;
  /** Replaces everything with the seed (the sandbox's "reset" action). */
  reset(): void;
}

export interface OpenSalesforceStoreOptions {
  /** JSON file to persist to; without it the data lives in memory only. */
  filePath?: string;
  seed?: () => FakeSalesforceData;
}

function buildEmptyData(): FakeSalesforceData {
  return { records: {}, fieldRestrictions: [] };
}

/**
 * Salesforce accepts the case-sensitive 15-character id and its 18-character form; the extra
 * three characters only encode the case of the first fifteen.
 */
export function sameRecordId(stored: string, given: string): boolean {
  if (given.length === 18) return stored === given;
  if (given.length === 15) return stored.slice(0, 15) === given;
  return false;
}

/** Opens the fake org's lowdb document (synchronous, so the fake can be mounted at boot). */
export function openFakeSalesforceStore(
  options: OpenSalesforceStoreOptions = {},
): FakeSalesforceStore {
  const seed = options.seed ?? buildSalesforceSeed;
  if (options.filePath) mkdirSync(dirname(options.filePath), { recursive: true });
  const adapter = options.filePath
    ? new JSONFileSync<FakeSalesforceData>(options.filePath)
    : new MemorySync<FakeSalesforceData>();
  const db = new LowSync<FakeSalesforceData>(adapter, buildEmptyData());
  db.read();
  db.data = { ...buildEmptyData(), ...db.data };
  if (Object.keys(db.data.records).length === 0) {
    db.data = seed();
    db.write();
  }
  const requests: SalesforceJournalEntry[] = [];
  return {
    get data() {
      return db.data;
    },
    requests,
    findRecord: (object, id) =>
      (db.data.records[object] ?? []).find((record) => sameRecordId(record.Id, id)),
    listRecords: (object) => (db.data.records[object] ?? []).filter((record) => !record.IsDeleted),
    save: () => db.write(),
    reset: () => {
      db.data = seed();
      db.write();
    },
  };
}
