import { z } from 'zod';
import type { StoredRecord } from '../seed/salesforce-seed';
import type { FakeSalesforceStore } from './fake-salesforce-store';
import { applyRecordUpdate } from './record-changes';
import type { FakeValidationRule } from './record-changes';
import { salesforceErrors } from './salesforce-replies';
import type { SalesforceErrorItem, SalesforceReply } from './salesforce-replies';
import { findObjectDef } from './sobject-schemas';
import type { FakeObjectDef } from './sobject-schemas';

/**
 * `PATCH /services/data/vXX.X/composite/sobjects` as the REST API Developer Guide's "Update
 * Records Using sObject Collections" describes it: `{allOrNone?, records: [...]}` with up to 200
 * records of any types, each with `attributes.type` and an `id`; records are updated in order and
 * the SaveResults `[{id, success, errors: [{statusCode, message, fields}]}]` come back in request
 * order with 200 OK; a malformed request is 400. With `allOrNone: true` one failure rolls back
 * the whole request, and the records that would have succeeded carry
 * ALL_OR_NONE_OPERATION_ROLLED_BACK ("Record rolled back because not all records were valid and
 * the request was using AllOrNone header", the AllOrNoneHeader docs and responses seen in the
 * wild). Each record goes through the same checks as a single-record PATCH (record-changes.ts),
 * so its errors are the ones that PATCH would give.
 * [UNCONFIRMED]: the 400 body for more than 200 records (EXCEEDED_ID_LIMIT, the SOAP API's code
 * for it), the errors for a missing id or type, and NOT_FOUND for an
 * id that names no record. Not modelled: the limit of 10 type chunks per request.
 */

export const MAX_COLLECTION_RECORDS = 200;
const ID_PATTERN = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const ROLLED_BACK: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message:
    'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

const collectionBodySchema = z.looseObject({
  allOrNone: z.boolean().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});

export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface SaveResult {
  id?: string;
  success: boolean;
  errors: SaveError[];
}

export interface CollectionContext {
  store: FakeSalesforceStore;
  schemas: FakeObjectDef[];
  rules: readonly FakeValidationRule[];
  now: Date;
}

function toSaveErrors(reply: SalesforceReply): SaveError[] {
  const items = Array.isArray(reply.body) ? (reply.body as SalesforceErrorItem[]) : [];
  return items.map((item) => ({
    statusCode: item.errorCode,
    message: item.message,
    fields: item.fields ?? [],
  }));
}

// SaveResult (SOAP API reference, shared by the REST collections): `id` is set only for a
// record that was updated; an empty id means it was not. So failed results carry no id and a
// client matches them to its records by position.
const failure = (errors: SaveError[]): SaveResult => ({ success: false, errors });

/** Updates a collection of records; the reply is a SaveResult array or a request-level error. */
export function updateRecordCollection(ctx: CollectionContext, body: unknown): SalesforceReply {
  const parsed = collectionBodySchema.safeParse(body);
  if (!parsed.success) {
    return salesforceErrors.jsonParser(
      'The request body must be {"allOrNone": boolean, "records": [sObject, ...]}',
    );
  }
  const { records, allOrNone = false } = parsed.data;
  if (records.length > MAX_COLLECTION_RECORDS) {
    return {
      status: 400,
      body: [
        {
          message: `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
          errorCode: 'EXCEEDED_ID_LIMIT',
        },
      ],
    };
  }

  // Working copies keyed by type and id, so a record listed twice builds on its first update.
  const drafts = new Map<
    string,
    { objectDef: FakeObjectDef; original: StoredRecord; next: StoredRecord }
  >();
  const results: SaveResult[] = records.map((input) => {
    const attributes = input.attributes as { type?: unknown } | undefined;
    const type = typeof attributes?.type === 'string' ? attributes.type : undefined;
    const rawId = input.id ?? input.Id;
    const id = typeof rawId === 'string' ? rawId : undefined;
    if (type === undefined) {
      return failure([
        { statusCode: 'INVALID_TYPE', message: 'Must send a concrete entity type.', fields: [] },
      ]);
    }
    const objectDef = findObjectDef(ctx.schemas, type);
    if (!objectDef) return failure(toSaveErrors(salesforceErrors.invalidType(type)));
    if (id === undefined) {
      return failure([
        {
          statusCode: 'MISSING_ARGUMENT',
          message: 'Id not specified in an update call',
          fields: [],
        },
      ]);
    }
    if (!ID_PATTERN.test(id)) {
      return failure([
        {
          statusCode: 'MALFORMED_ID',
          message: `${objectDef.label} ID: id value of incorrect type: ${id}`,
          fields: ['Id'],
        },
      ]);
    }
    const stored = ctx.store.findRecord(objectDef.name, id);
    if (!stored) return failure(toSaveErrors(salesforceErrors.notFound()));
    if (stored.IsDeleted) return failure(toSaveErrors(salesforceErrors.entityIsDeleted()));
    const key = `${objectDef.name}:${String(stored.Id)}`;
    const current = drafts.get(key)?.next ?? stored;
    const fields = Object.fromEntries(
      Object.entries(input).filter(([name]) => name !== 'id' && name !== 'Id'),
    );
    const outcome = applyRecordUpdate(objectDef, current, fields, ctx.rules, ctx.now);
    if (!outcome.ok) return failure(toSaveErrors(outcome.reply));
    drafts.set(key, { objectDef, original: stored, next: outcome.record });
    return { id: String(stored.Id), success: true, errors: [] };
  });

  const anyFailed = results.some((result) => !result.success);
  if (allOrNone && anyFailed) {
    return {
      status: 200,
      body: results.map((result) => (result.success ? failure([{ ...ROLLED_BACK }]) : result)),
    };
  }
  for (const { objectDef, original, next } of drafts.values()) {
    const list = ctx.store.data.records[objectDef.name] as StoredRecord[];
    list[list.indexOf(original)] = next;
  }
  if (drafts.size > 0) ctx.store.save();
  return { status: 200, body: results };
}
