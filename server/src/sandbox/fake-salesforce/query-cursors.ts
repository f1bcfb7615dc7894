import { randomInt } from 'node:crypto';
import { salesforceErrors } from './salesforce-replies';
import type { SalesforceReply } from './salesforce-replies';

/**
 * Query results in batches, and the server-side cursors (query locators) that hold the rest.
 * From Salesforce's documentation:
 * - REST API Developer Guide, "Query More Results": a query with more records than the batch
 *   answers `done: false` and `nextRecordsUrl: /services/data/vXX.X/query/{locator}`; a GET of
 *   that URL answers the next batch, with a new `nextRecordsUrl` until `done` is true.
 *   `totalSize` is the whole query's count on every batch. Its example locator is
 *   `01gRO0000016PIAYA2-500`: the cursor's id, a hyphen, and the offset of the batch.
 * - REST API Developer Guide, "Query Options Header": `Sforce-Query-Options: batchSize=N`, 200 to
 *   2,000, default 2,000; not a guarantee (Salesforce may answer smaller batches).
 * - SOAP API Developer Guide, "QueryLocator": a locator expires after 15 minutes of inactivity;
 *   a user has at most 10 query cursors open, and opening another releases the oldest.
 * - Knowledge article 000004410: a locator is 18 characters and begins with `0r8`; an invalid or
 *   expired one is refused with INVALID_QUERY_LOCATOR. The same article says a locator's results
 *   are kept two days after the query; the fake follows the stricter 15 minutes.
 * Assumed: the refusal is HTTP 400 with the REST error array, `[{message, errorCode}]`, like the
 * API's other bad-request errors; a batch's URL may be fetched again while its cursor is open.
 */

export const QUERY_CURSOR_IDLE_MS = 15 * 60_000;
export const MAX_OPEN_QUERY_CURSORS = 10;
const DEFAULT_BATCH_SIZE = 2_000;
const MIN_BATCH_SIZE = 200;
const LOCATOR_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface OpenCursor {
  userId: string;
  records: unknown[];
  batchSize: number;
  lastUsedMs: number;
}

export interface QueryCursors {
  /** The first batch of a query's records; opens a cursor when more are left. */
  firstBatch(userId: string, records: unknown[], batchSizeHeader: unknown): SalesforceReply;
  /** The batch a `nextRecordsUrl` names (`{locator}-{offset}`). */
  nextBatch(userId: string, locatorAndOffset: string): SalesforceReply;
}

/** The batch size a `Sforce-Query-Options` header asks for, within Salesforce's bounds. */
function readBatchSize(header: unknown): number {
  const match = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!match) return DEFAULT_BATCH_SIZE;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(match[1])));
}

function createLocator(): string {
  let id = '0r8';
  while (id.length < 18) id += LOCATOR_ALPHABET[randomInt(LOCATOR_ALPHABET.length)];
  return id;
}

export function createQueryCursors(options: { apiPath: string; now: () => Date }): QueryCursors {
  // Insertion order is opening order: the first of a user's entries is their oldest cursor.
  const cursors = new Map<string, OpenCursor>();

  const batch = (locator: string, cursor: OpenCursor, offset: number): SalesforceReply => {
    const end = offset + cursor.batchSize;
    const done = end >= cursor.records.length;
    if (done) cursors.delete(locator);
    return {
      status: 200,
      body: {
        totalSize: cursor.records.length,
        done,
        ...(done ? {} : { nextRecordsUrl: `${options.apiPath}/query/${locator}-${end}` }),
        records: cursor.records.slice(offset, end),
      },
    };
  };

  return {
    firstBatch(userId, records, batchSizeHeader) {
      const batchSize = readBatchSize(batchSizeHeader);
      if (records.length <= batchSize) {
        return { status: 200, body: { totalSize: records.length, done: true, records } };
      }
      const mine = [...cursors].filter(([, cursor]) => cursor.userId === userId);
      // Room for the new one: the user's oldest go first.
      const excess = mine.length - (MAX_OPEN_QUERY_CURSORS - 1);
      for (const [locator] of mine.slice(0, Math.max(0, excess))) cursors.delete(locator);
      const locator = createLocator();
      const cursor = { userId, records, batchSize, lastUsedMs: options.now().getTime() };
      cursors.set(locator, cursor);
      return batch(locator, cursor, 0);
    },

    nextBatch(userId, locatorAndOffset) {
      const match = /^(0r8[0-9A-Za-z]{15})-(\d+)$/.exec(locatorAndOffset);
      const cursor = match ? cursors.get(match[1] as string) : undefined;
      const nowMs = options.now().getTime();
      if (!match || !cursor || cursor.userId !== userId)
        return salesforceErrors.invalidQueryLocator();
      if (nowMs - cursor.lastUsedMs > QUERY_CURSOR_IDLE_MS) {
        cursors.delete(match[1] as string);
        return salesforceErrors.invalidQueryLocator();
      }
      const offset = Number(match[2]);
      if (offset <= 0 || offset >= cursor.records.length)
        return salesforceErrors.invalidQueryLocator();
      cursor.lastUsedMs = nowMs;
      return batch(match[1] as string, cursor, offset);
    },
  };
}
