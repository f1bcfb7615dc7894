import type { StoredRecord } from '../seed/salesforce-seed';
import { sameRecordId } from './fake-salesforce-store';
import type { FakeSalesforceStore } from './fake-salesforce-store';
import { salesforceErrors } from './salesforce-replies';
import type { SalesforceReply } from './salesforce-replies';
import { findFieldDef, findObjectDef, findRelationship } from './sobject-schemas';
import type { FakeFieldDef, FakeObjectDef } from './sobject-schemas';
import { parseSoql } from './soql-parser';
import type { SoqlLiteral, SoqlQuery } from './soql-parser';

/**
 * Answers the Query resource (`GET /services/data/vXX.X/query?q=`) and, for field-level
 * security, the Tooling API's `UserFieldAccess` object (`…/tooling/query?q=`).
 *
 * Doc facts followed: the result is `{totalSize, done, records}` and every record (including a
 * related record in a relationship path) carries `attributes: {type, url}`; a relationship with
 * no related record is `null`; deleted records are left out (that needs queryAll); string
 * comparisons are case-insensitive; ids match in their 15- and 18-character forms.
 * UserFieldAccess (Tooling API Objects): only equality filters joined by AND are supported and
 * LIMIT is ignored; without a user filter it describes the current user.
 */

export interface QueryContext {
  store: FakeSalesforceStore;
  schemas: readonly FakeObjectDef[];
  /** e.g. /services/data/v62.0 */
  apiPath: string;
  /** The user whose session made the request. */
  currentUserId: string;
}

const ID_PATTERN = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

type Resolved =
  { ok: true; path: string[]; leaf: FakeFieldDef } | { ok: false; reply: SalesforceReply };

function resolvePath(
  schemas: readonly FakeObjectDef[],
  root: FakeObjectDef,
  segments: string[],
): Resolved {
  let current = root;
  const path: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    const relationship = findRelationship(current, segment);
    const target = relationship && findObjectDef(schemas, relationship.referenceTo[0] ?? '');
    if (!relationship || !target) {
      return { ok: false, reply: salesforceErrors.unknownRelationship(segment) };
    }
    path.push(relationship.relationshipName as string);
    current = target;
  }
  const last = segments.at(-1) as string;
  const leaf = findFieldDef(current, last);
  if (!leaf) return { ok: false, reply: salesforceErrors.noSuchColumn(last, current.name) };
  path.push(leaf.name);
  return { ok: true, path, leaf };
}

function readField(def: FakeFieldDef, record: StoredRecord): unknown {
  return def.compute ? def.compute(record) : (record[def.name] ?? null);
}

/** Follows a canonical path through reference fields; null when a link is empty. */
function readPath(
  context: QueryContext,
  objectDef: FakeObjectDef,
  record: StoredRecord,
  path: string[],
): unknown {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) return readField(findFieldDef(objectDef, head) as FakeFieldDef, record);
  const relationship = findRelationship(objectDef, head) as FakeFieldDef;
  const targetDef = findObjectDef(context.schemas, relationship.referenceTo[0] ?? '');
  const targetId = record[relationship.name];
  if (!targetDef || typeof targetId !== 'string') return null;
  const target = context.store.findRecord(targetDef.name, targetId);
  if (!target || target.IsDeleted) return null;
  return readPath(context, targetDef, target, rest);
}

function renderRecord(
  context: QueryContext,
  objectDef: FakeObjectDef,
  record: StoredRecord,
  paths: string[][],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: {
      type: objectDef.name,
      url: `${context.apiPath}/sobjects/${objectDef.name}/${record.Id}`,
    },
  };
  const nested = new Map<string, string[][]>();
  for (const [head, ...rest] of paths as [string, ...string[]][]) {
    if (rest.length === 0) {
      out[head] = readField(findFieldDef(objectDef, head) as FakeFieldDef, record);
    } else {
      nested.set(head, [...(nested.get(head) ?? []), rest]);
    }
  }
  for (const [relationshipName, subPaths] of nested) {
    const relationship = findRelationship(objectDef, relationshipName) as FakeFieldDef;
    const targetDef = findObjectDef(context.schemas, relationship.referenceTo[0] ?? '');
    const targetId = record[relationship.name];
    const target =
      targetDef && typeof targetId === 'string'
        ? context.store.findRecord(targetDef.name, targetId)
        : undefined;
    out[relationshipName] =
      targetDef && target && !target.IsDeleted
        ? renderRecord(context, targetDef, target, subPaths)
        : null;
  }
  return out;
}

function literalMatches(def: FakeFieldDef, actual: unknown, expected: SoqlLiteral): boolean {
  if (expected === null) return actual === null || actual === undefined;
  if (def.type === 'id' || def.type === 'reference') {
    return typeof actual === 'string' && typeof expected === 'string'
      ? sameRecordId(actual, expected)
      : false;
  }
  if (typeof actual === 'string' && typeof expected === 'string') {
    return actual.toLowerCase() === expected.toLowerCase();
  }
  return actual === expected;
}

function findDuplicate(paths: string[][]): string | undefined {
  const seen = new Set<string>();
  for (const path of paths) {
    const key = path.join('.').toLowerCase();
    if (seen.has(key)) return path.join('.');
    seen.add(key);
  }
  return undefined;
}

function parse(
  text: unknown,
): { ok: true; query: SoqlQuery } | { ok: false; reply: SalesforceReply } {
  if (typeof text !== 'string' || text.trim() === '') {
    return { ok: false, reply: salesforceErrors.malformedQuery('A query string is required (q).') };
  }
  const parsed = parseSoql(text);
  return parsed.ok ? parsed : { ok: false, reply: salesforceErrors.malformedQuery(parsed.message) };
}

/** Runs `SELECT … FROM <Object> [WHERE …] [LIMIT n]` against the fake org's records. */
export function runRecordQuery(context: QueryContext, text: unknown): SalesforceReply {
  const parsed = parse(text);
  if (!parsed.ok) return parsed.reply;
  const { query } = parsed;
  const objectDef = findObjectDef(context.schemas, query.from);
  if (!objectDef) return salesforceErrors.invalidType(query.from);
  const paths: string[][] = [];
  for (const field of query.fields) {
    const resolved = resolvePath(context.schemas, objectDef, field.segments);
    if (!resolved.ok) return resolved.reply;
    paths.push(resolved.path);
  }
  const duplicate = findDuplicate(paths);
  if (duplicate) return salesforceErrors.malformedQuery(`duplicate field selected: ${duplicate}`);
  const filters: { path: string[]; leaf: FakeFieldDef; value: SoqlLiteral }[] = [];
  for (const condition of query.where) {
    const resolved = resolvePath(context.schemas, objectDef, condition.path.segments);
    if (!resolved.ok) return resolved.reply;
    const { leaf } = resolved;
    if (
      (leaf.type === 'id' || leaf.type === 'reference') &&
      typeof condition.value === 'string' &&
      !ID_PATTERN.test(condition.value)
    ) {
      return salesforceErrors.invalidIdFilter(condition.value);
    }
    filters.push({ path: resolved.path, leaf, value: condition.value });
  }
  let rows = context.store
    .listRecords(objectDef.name)
    .filter((record) =>
      filters.every((filter) =>
        literalMatches(
          filter.leaf,
          readPath(context, objectDef, record, filter.path),
          filter.value,
        ),
      ),
    );
  if (query.limit !== undefined) rows = rows.slice(0, query.limit);
  return {
    status: 200,
    body: {
      totalSize: rows.length,
      done: true,
      records: rows.map((record) => renderRecord(context, objectDef, record, paths)),
    },
  };
}

/** The UserFieldAccess columns the fake knows, by lower-cased path, with their canonical path. */
const FIELD_ACCESS_PATHS = new Map(
  [
    ['DurableId'],
    ['UserId'],
    ['IsAccessible'],
    ['IsCreatable'],
    ['IsUpdatable'],
    ['EntityDefinitionId'],
    ['FieldDefinitionId'],
    ['FieldDefinition', 'QualifiedApiName'],
    ['FieldDefinition', 'EntityDefinition', 'QualifiedApiName'],
    ['EntityDefinition', 'QualifiedApiName'],
  ].map((path) => [path.join('.').toLowerCase(), path]),
);

const NESTED_TYPES: Record<string, string> = {
  FieldDefinition: 'FieldDefinition',
  EntityDefinition: 'EntityDefinition',
};

type PlainRow = { [key: string]: unknown };

function pick(row: PlainRow, path: string[]): unknown {
  let value: unknown = row;
  for (const segment of path) value = (value as PlainRow | null)?.[segment] ?? null;
  return value;
}

function renderPlain(apiPath: string, type: string, row: PlainRow, paths: string[][]): PlainRow {
  const out: PlainRow = {
    attributes: { type, url: `${apiPath}/tooling/sobjects/${type}/${String(row.DurableId)}` },
  };
  const nested = new Map<string, string[][]>();
  for (const [head, ...rest] of paths as [string, ...string[]][]) {
    if (rest.length === 0) out[head] = row[head] ?? null;
    else nested.set(head, [...(nested.get(head) ?? []), rest]);
  }
  for (const [head, subPaths] of nested) {
    out[head] = renderPlain(apiPath, NESTED_TYPES[head] ?? head, row[head] as PlainRow, subPaths);
  }
  return out;
}

/** Runs a Tooling API query; the fake's tooling surface is the UserFieldAccess object. */
export function runToolingQuery(context: QueryContext, text: unknown): SalesforceReply {
  const parsed = parse(text);
  if (!parsed.ok) return parsed.reply;
  const { query } = parsed;
  if (query.from.toLowerCase() !== 'userfieldaccess')
    return salesforceErrors.invalidType(query.from);
  const resolve = (raw: string) => FIELD_ACCESS_PATHS.get(raw.toLowerCase());
  const paths: string[][] = [];
  for (const field of query.fields) {
    const path = resolve(field.raw);
    if (!path) return salesforceErrors.noSuchColumn(field.raw, 'UserFieldAccess');
    paths.push(path);
  }
  const filters: { path: string[]; value: SoqlLiteral }[] = [];
  for (const condition of query.where) {
    const path = resolve(condition.path.raw);
    if (!path) return salesforceErrors.noSuchColumn(condition.path.raw, 'UserFieldAccess');
    filters.push({ path, value: condition.value });
  }
  const hasUserFilter = filters.some(
    (filter) => filter.path[0] === 'UserId' || filter.path[0] === 'DurableId',
  );
  const users = hasUserFilter
    ? context.store.listRecords('User').map((user) => user.Id)
    : [context.currentUserId];
  const rows: PlainRow[] = [];
  for (const userId of users) {
    for (const objectDef of context.schemas) {
      for (const def of objectDef.fields) {
        const restriction = context.store.data.fieldRestrictions.find(
          (entry) =>
            sameRecordId(entry.userId, userId) &&
            entry.object === objectDef.name &&
            entry.field === def.name,
        );
        const isUpdatable = def.updateable && (restriction?.isUpdatable ?? true);
        const fieldDurableId = `${objectDef.name}.${def.name}`;
        const entity = { DurableId: objectDef.name, QualifiedApiName: objectDef.name };
        rows.push({
          DurableId: `${fieldDurableId}.${userId}`,
          UserId: userId,
          IsAccessible: true,
          IsCreatable: def.createable && isUpdatable,
          IsUpdatable: isUpdatable,
          EntityDefinitionId: objectDef.name,
          FieldDefinitionId: fieldDurableId,
          FieldDefinition: {
            DurableId: fieldDurableId,
            QualifiedApiName: def.name,
            EntityDefinition: entity,
          },
          EntityDefinition: entity,
        });
      }
    }
  }
  const matching = rows.filter((row) =>
    filters.every((filter) => {
      const actual = pick(row, filter.path);
      if (filter.path[0] === 'UserId') {
        return typeof actual === 'string' && typeof filter.value === 'string'
          ? sameRecordId(actual, filter.value)
          : false;
      }
      return typeof actual === 'string' && typeof filter.value === 'string'
        ? actual.toLowerCase() === filter.value.toLowerCase()
        : actual === filter.value;
    }),
  );
  return {
    status: 200,
    body: {
      size: matching.length,
      totalSize: matching.length,
      done: true,
      queryLocator: null,
      entityTypeName: 'UserFieldAccess',
      records: matching.map((row) => renderPlain(context.apiPath, 'UserFieldAccess', row, paths)),
    },
  };
}
