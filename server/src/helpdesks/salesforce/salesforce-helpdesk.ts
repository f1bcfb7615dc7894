import { setTimeout as delay } from 'node:timers/promises';
import type {
  CompiledConfig,
  CompiledConnector,
  CompiledWrite,
} from '../../compile/compiled-model';
import type { TemplateScope } from '../../compile/template';
import { renderJson } from '../../render/render-request';
import { appliesToRecord, RECORD_SOURCE_PREFIX, salesforceWriteOf } from './salesforce-config';
import type {
  DescribedWrites,
  HelpdeskError,
  HelpdeskPort,
  LoadedTarget,
  TargetQueryError,
  WriteErrorCode,
  WriteResult,
} from '../../runs/helpdesk-port';
import type { SalesforceWriteChanges } from '../../../../shared/src/api/answer-schemas';
import type { Result } from '../../../../shared/src/result';
import { readRecordPath } from './client/salesforce-client';
import type { SalesforceClient, SalesforceRecord } from './client/salesforce-client';
import type { SalesforceError } from './client/salesforce-errors';
import type { RecordUpdate } from './client/salesforce-client';
import type { WriteBatcher } from '../../pacing/write-batcher';
import type { BatchChooser } from '../../pacing/choose-batching';
import type { RecordWriteOutcome } from './salesforce-batch-writes';

/**
 * Salesforce as a run target: loads the record (only the fields the connectors read, relationship
 * paths included, plus any `fields` the caller names, such as a workflow's collect steps) and
 * writes a run's `recordFields` back with one update.
 *
 * Who writes: every read and write runs as the server's integration user (the JWT or refresh
 * token credentials), not as the rep, so the integration user's profile decides what can be
 * written. A rep is identified only by the user id that the Apex controller sends. With
 * `onlyEditableFields`, the fields that rep's profile and permission sets could not edit are
 * skipped and listed in the write result, so a run cannot change what the rep could not.
 *
 * Concurrency: Salesforce's PATCH has no conditional form, so there is no safe_update here. The
 * update only touches the mapped fields; `version` (LastModifiedDate) is informational.
 *
 * Applicability: `appliesWhen.objectTypes` filters by object (empty or absent means any).
 * Ticket conditions (tags, brands, groups, forms, statuses) describe Zendesk tickets and are not
 * read here; a connector that sets only them does not apply to a Salesforce record, one that also
 * sets `objectTypes` applies to those objects (runs/applies-when.ts).
 *
 * Only `recordFields` is written; Zendesk keys in the same write spec (customFields, tags,
 * internalNote, status, …) are ignored here.
 */

const USER_CACHE_MS = 5 * 60 * 1000;
const AGENT_SOURCES: Record<string, 'id' | 'name' | 'email'> = {
  'agent.id': 'id',
  'agent.name': 'name',
  'agent.email': 'email',
};

export interface SalesforceHelpdeskOptions {
  /** The loaded config, to know which fields the connectors read. */
  config: () => CompiledConfig | undefined;
  /** Used when a load names no object (default Case). */
  defaultObjectApiName?: string;
  now?: () => number;
  /** Waits before re-reading a record whose update may have been lost (tests make it instant). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * sObject Collections requests for automation's writes (salesforce-batch-writes.ts); reps'
   * writes never wait for one. Without it every write is its own PATCH.
   */
  batchWrites?: {
    batcher: WriteBatcher<RecordUpdate, RecordWriteOutcome>;
    /** Whether a write is worth a batch (several in flight, or the allowance half used). */
    chooser: BatchChooser;
  };
}

/** Long enough for a Salesforce blip or a dropped connection to pass, short for an agent. */
const RECHECK_DELAY_MS = 1_000;

/**
 * Whether a value read back from Salesforce is what the update set. Salesforce answers typed
 * values (42, true) and its own date-time format where the update sent text; anything this
 * cannot match counts as different, which only ever leads to not writing again.
 */
function sameFieldValue(stored: unknown, sent: unknown): boolean {
  if (stored === undefined || stored === null || sent === null || sent === '') {
    return (stored ?? null) === null && (sent === null || sent === '');
  }
  if (typeof sent === 'object' || typeof stored === 'object') return false;
  if (String(stored) === String(sent)) return true;
  if (typeof sent === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(sent)) {
    const a = Date.parse(String(stored));
    return !Number.isNaN(a) && a === Date.parse(sent);
  }
  return false;
}

interface WriteContext {
  userId: string | undefined;
  onlyEditableFields: boolean;
}

/** A record as this adapter loads it: the rep's write limits come with it. */
interface SalesforceLoadedTarget extends LoadedTarget {
  readonly writeContext: WriteContext;
}

/** Whether a connector's `appliesWhen` holds for a record of `objectApiName` (runs/applies-when.ts). */
export function connectorAppliesToRecord(
  connector: CompiledConnector,
  objectApiName: string,
): boolean {
  return appliesToRecord(connector.appliesWhen, objectApiName);
}

/** The record fields (`record.X`) among input sources, first spelling kept. */
function recordFieldsOf(sources: Iterable<string>): string[] {
  return mergeFieldPaths(
    [...sources]
      .filter((source) => source.startsWith(RECORD_SOURCE_PREFIX))
      .map((source) => source.slice(RECORD_SOURCE_PREFIX.length)),
  );
}

/**
 * The record fields (`record.X` sources) the given connectors read, first spelling kept: every
 * `record.*` entry of an input's list, since which one has a value is only known once loaded.
 */
export function recordFieldsRead(connectors: Iterable<CompiledConnector>): string[] {
  return recordFieldsOf(
    [...connectors].flatMap((connector) => connector.inputs.flatMap((input) => input.sources)),
  );
}

/** The field paths of every list, once each (Salesforce field names ignore case). */
function mergeFieldPaths(...lists: (readonly string[])[]): string[] {
  const fields = new Map<string, string>();
  for (const path of lists.flat()) {
    if (!fields.has(path.toLowerCase())) fields.set(path.toLowerCase(), path);
  }
  return [...fields.values()];
}

const NOT_SOQL: TargetQueryError = {
  code: 'QUERY_REFUSED',
  message: 'Salesforce is queried with --soql.',
};

/**
 * A query Salesforce will not run (MALFORMED_QUERY, an unknown object or field, a bad id) is the
 * admin's to fix; a limit, an outage or refused credentials are not.
 */
function queryErrorFor(error: SalesforceError): TargetQueryError {
  switch (error.code) {
    case 'SALESFORCE_REJECTED':
    case 'SALESFORCE_UNKNOWN_FIELD':
    case 'SALESFORCE_UNKNOWN_OBJECT':
    case 'SALESFORCE_INVALID_ID':
      return { code: 'QUERY_REFUSED', message: error.message };
    case 'SALESFORCE_AUTH_FAILED':
      return { code: 'HELPDESK_AUTH_FAILED', message: error.message };
    default:
      return { code: 'HELPDESK_UNAVAILABLE', message: `Salesforce: ${error.message}` };
  }
}

function loadError(error: SalesforceError): HelpdeskError {
  switch (error.code) {
    case 'SALESFORCE_NOT_FOUND':
    case 'SALESFORCE_INVALID_ID':
      return { code: 'RECORD_NOT_FOUND', message: error.message };
    case 'SALESFORCE_AUTH_FAILED':
      return { code: 'HELPDESK_AUTH_FAILED', message: error.message };
    case 'SALESFORCE_UNKNOWN_FIELD':
    case 'SALESFORCE_UNKNOWN_OBJECT':
      return {
        code: 'HELPDESK_UNAVAILABLE',
        message: `The connector configuration names something Salesforce does not have: ${error.message}`,
      };
    default:
      return { code: 'HELPDESK_UNAVAILABLE', message: `Salesforce: ${error.message}` };
  }
}

function renderFields(
  write: CompiledWrite | undefined,
  scope: TemplateScope,
): Record<string, unknown> {
  return Object.fromEntries(
    (salesforceWriteOf(write)?.recordFields ?? []).map(([name, value]) => [
      name,
      renderJson(value, scope),
    ]),
  );
}

function describeChanges(
  fields: Record<string, unknown>,
  skipped: { field: string; reason: string }[] = [],
): SalesforceWriteChanges | null {
  if (Object.keys(fields).length === 0 && skipped.length === 0) return null;
  return { fields, ...(skipped.length ? { skipped } : {}) };
}

/**
 * @example
 * const helpdesk = createSalesforceHelpdesk(salesforceClient, { config: () => store.current() });
 * const loaded = await helpdesk.load('500…', { objectApiName: 'Case', userId: '005…' });
 */
export function createSalesforceHelpdesk(
  client: SalesforceClient,
  options: SalesforceHelpdeskOptions,
): HelpdeskPort {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const defaultObject = options.defaultObjectApiName ?? 'Case';
  const users = new Map<string, { at: number; agent: NonNullable<LoadedTarget['agent']> }>();

  async function loadAgent(
    userId: string,
  ): Promise<Result<NonNullable<LoadedTarget['agent']>, HelpdeskError>> {
    const cached = users.get(userId);
    if (cached && now() - cached.at < USER_CACHE_MS) return { ok: true, value: cached.agent };
    const user = await client.loadRecord('User', userId, ['Name', 'Email']);
    if (!user.ok) {
      return user.error.code === 'SALESFORCE_NOT_FOUND' ||
        user.error.code === 'SALESFORCE_INVALID_ID'
        ? {
            ok: false,
            error: { code: 'AGENT_NOT_FOUND', message: `Salesforce has no user ${userId}.` },
          }
        : { ok: false, error: loadError(user.error) };
    }
    const agent = {
      id: String(user.value.Id ?? userId),
      name: typeof user.value.Name === 'string' ? user.value.Name : '',
      email: typeof user.value.Email === 'string' ? user.value.Email : '',
    };
    users.set(userId, { at: now(), agent });
    return { ok: true, value: agent };
  }

  function connectorsFor(objectApiName: string, connectorId: string | undefined) {
    const config = options.config();
    if (connectorId !== undefined) {
      // A named connector gets its fields whatever its surfaces: the run pipeline has already
      // checked that it may run here (an automation-only connector in a workflow, for one).
      const connector = config?.connectors.get(connectorId);
      return connector && connectorAppliesToRecord(connector, objectApiName) ? [connector] : [];
    }
    return [...(config?.connectors.values() ?? [])].filter(
      (connector) =>
        connector.def.surfaces.includes('salesforce') &&
        connectorAppliesToRecord(connector, objectApiName),
    );
  }

  return {
    system: 'salesforce',
    label: 'Salesforce',
    editForbiddenMessage: (subject, targetType) =>
      `${subject} writes to the ${targetType}, and you cannot edit this record in Salesforce.`,
    // Salesforce sessions are Apex's: a record the rep cannot see never gets here, so `viewer`
    // does not apply; `commentId` neither.
    async load(recordId, loadOptions) {
      const objectApiName = loadOptions.targetType ?? defaultObject;
      const userId = loadOptions.actorId;
      const onlyEditableFields = loadOptions.callerRights?.onlyEditableFields ?? false;
      if (onlyEditableFields && userId === undefined) {
        return {
          ok: false,
          error: {
            code: 'AGENT_NOT_FOUND',
            message: 'Writing only fields the rep can edit needs the Salesforce user id.',
          },
        };
      }
      const fields = mergeFieldPaths(
        recordFieldsRead(connectorsFor(objectApiName, loadOptions.connectorId)),
        recordFieldsOf(loadOptions.sources ?? []),
        ['LastModifiedDate'],
      );
      const loaded = await client.loadRecord(objectApiName, recordId, fields);
      if (!loaded.ok) return { ok: false, error: loadError(loaded.error) };
      let agent: LoadedTarget['agent'];
      if (userId !== undefined) {
        const found = await loadAgent(userId);
        if (!found.ok) return found;
        agent = found.value;
      }
      const record: SalesforceRecord = loaded.value;
      // What the write needs to know about the rep travels on the target this adapter loaded,
      // not in a side table: the object is never changed after it is made.
      const target: SalesforceLoadedTarget = {
        target: { system: 'salesforce', type: objectApiName, id: String(record.Id ?? recordId) },
        read: (source) => {
          if (source.startsWith(RECORD_SOURCE_PREFIX)) {
            return readRecordPath(record, source.slice(RECORD_SOURCE_PREFIX.length));
          }
          const agentKey = AGENT_SOURCES[source];
          return agentKey && agent ? agent[agentKey] : undefined;
        },
        applies: (when) => appliesToRecord(when, objectApiName),
        agent,
        // Apex checks the rep's access to the record (UserRecordAccess) and says so; with
        // onlyEditableFields the fields are checked here too, one by one.
        viewerMayEdit: loadOptions.callerRights?.mayEdit ?? true,
        version: typeof record.LastModifiedDate === 'string' ? record.LastModifiedDate : undefined,
        writeContext: { userId, onlyEditableFields },
      };
      return { ok: true, value: target };
    },

    async describeWrites(changes: unknown, targetType: string): Promise<DescribedWrites> {
      const described = (changes ?? { fields: {} }) as SalesforceWriteChanges;
      const entries = Object.entries(described.fields ?? {});
      if (entries.length === 0) return { fields: [] };
      const description = await client.describe(targetType);
      const labels = new Map(
        description.ok ? description.value.fields.map((field) => [field.name, field.label]) : [],
      );
      return {
        fields: entries.map(([field, value]) => ({
          field,
          label: labels.get(field) ?? field,
          value,
        })),
        ...(description.ok
          ? {}
          : {
              note: `Salesforce's describe of ${targetType} failed (${description.error.message}); API names are shown.`,
            }),
      };
    },

    async listFields(targetType: string) {
      const description = await client.describe(targetType);
      if (!description.ok) return { ok: false, error: description.error.message };
      return {
        ok: true,
        value: description.value.fields.map((field) => ({
          key: field.name,
          label: field.label,
          type: field.type,
          writable: field.updateable,
        })),
      };
    },

    preview(write, scope): WriteResult {
      return { ok: true, written: false, changes: describeChanges(renderFields(write, scope)) };
    },

    async write(loaded, write, scope) {
      const fields = renderFields(write, scope);
      if (Object.keys(fields).length === 0) return { ok: true, written: false, changes: null };
      const objectApiName = loaded.target.type;
      const context =
        'writeContext' in loaded
          ? (loaded as SalesforceLoadedTarget).writeContext
          : { userId: undefined, onlyEditableFields: false };
      const skipped: { field: string; reason: string }[] = [];
      if (context.onlyEditableFields && context.userId !== undefined) {
        const editable = await client.editableFields(objectApiName, context.userId);
        if (!editable.ok) {
          return {
            ok: false,
            changes: describeChanges(fields),
            error: {
              code: 'WRITE_BACK_UNAVAILABLE',
              message: `Could not check which fields the rep may edit: ${editable.error.message}`,
            },
          };
        }
        const allowed = new Set([...editable.value].map((name) => name.toLowerCase()));
        for (const name of Object.keys(fields)) {
          if (allowed.has(name.toLowerCase())) continue;
          skipped.push({
            field: name,
            reason: `user ${context.userId} cannot edit ${objectApiName}.${name}`,
          });
          delete fields[name];
        }
        if (Object.keys(fields).length === 0) {
          return { ok: true, written: false, changes: describeChanges(fields, skipped) };
        }
      }
      const changes = describeChanges(fields, skipped);
      const bulk = options.batchWrites;
      const gate = bulk?.chooser.enter();
      try {
        if (bulk && gate?.batch) {
          const batched = await bulk.batcher.submit({
            objectApiName,
            id: loaded.target.id,
            fields,
          });
          if (batched.kind === 'written') return { ok: true, written: true, changes };
          if (batched.kind === 'unsettled') {
            return await recoverUnanswered(loaded, fields, changes, batched.error);
          }
          return { ok: false, changes, error: writeError(objectApiName, batched.error) };
        }
        const result = await client.updateRecord(objectApiName, loaded.target.id, fields);
        if (result.ok) return { ok: true, written: true, changes };
        if (result.error.code === 'SALESFORCE_UNAVAILABLE') {
          return await recoverUnanswered(loaded, fields, changes, result.error);
        }
        return { ok: false, changes, error: writeError(objectApiName, result.error) };
      } finally {
        // Single writes count too: the chooser batches once enough writes are in flight.
        gate?.leave();
      }
    },

    async findTargets(query, cursor) {
      if (query.kind !== 'soql') return { ok: false, error: NOT_SOQL };
      const page = await client.queryIds(query.text, cursor);
      if (!page.ok) return { ok: false, error: queryErrorFor(page.error) };
      return {
        ok: true,
        value: {
          ids: page.value.ids,
          cursor: page.value.next,
          ...(page.value.restarted ? { restarted: true } : {}),
        },
      };
    },

    async countTargets(query) {
      if (query.kind !== 'soql') return { ok: false, error: NOT_SOQL };
      // The first page's totalSize is Salesforce's count of the whole query.
      const page = await client.queryIds(query.text);
      return page.ok
        ? { ok: true, value: page.value.totalSize }
        : { ok: false, error: queryErrorFor(page.error) };
    },
  };

  /**
   * The update failed in a way that can hide an applied write (a timeout, a dropped
   * connection, a 5xx). Updating again blindly could run the record's triggers and flows twice;
   * giving up could drop a write that never happened. So read the record back: the values
   * already there mean it landed; an untouched record (same LastModifiedDate as loaded) means it
   * did not, and it is sent once more, on condition that the record is still untouched
   * (If-Unmodified-Since); a record someone else changed meanwhile is left alone and reported.
   */
  async function recoverUnanswered(
    loaded: LoadedTarget,
    fields: Record<string, unknown>,
    changes: unknown,
    first: SalesforceError,
  ): Promise<WriteResult> {
    const objectApiName = loaded.target.type;
    const id = loaded.target.id;
    const unknown = (why: string): WriteResult => ({
      ok: false,
      changes,
      error: {
        code: 'WRITE_BACK_UNAVAILABLE',
        message: `Salesforce did not confirm the ${objectApiName} update (${first.message}), and ${why}`,
      },
    });
    await sleep(RECHECK_DELAY_MS);
    const names = Object.keys(fields);
    const check = await client.loadRecord(objectApiName, id, [...names, 'LastModifiedDate']);
    if (!check.ok) return unknown(`reading it back failed too: ${check.error.message}`);
    const record = check.value;
    if (names.every((name) => sameFieldValue(readRecordPath(record, name), fields[name]))) {
      return { ok: true, written: true, changes };
    }
    if (loaded.version === undefined) {
      return unknown(
        'the record has no LastModifiedDate to tell whether it landed; not sent again.',
      );
    }
    if (record.LastModifiedDate !== loaded.version) {
      return {
        ok: false,
        changes,
        error: {
          code: 'WRITE_BACK_CONFLICT',
          message: `Salesforce did not confirm the ${objectApiName} update (${first.message}), and the record has changed since it was read, so it was not sent again.`,
        },
      };
    }
    const again = await client.updateRecord(objectApiName, id, fields, {
      ifUnmodifiedSince: loaded.version,
    });
    if (again.ok) return { ok: true, written: true, changes };
    return { ok: false, changes, error: writeError(objectApiName, again.error) };
  }
}

function writeError(
  objectApiName: string,
  error: SalesforceError,
): { code: WriteErrorCode; message: string } {
  const code =
    error.code === 'SALESFORCE_AUTH_FAILED' ||
    error.code === 'SALESFORCE_RATE_LIMITED' ||
    error.code === 'SALESFORCE_UNAVAILABLE'
      ? 'WRITE_BACK_UNAVAILABLE'
      : error.code === 'SALESFORCE_PRECONDITION_FAILED'
        ? 'WRITE_BACK_CONFLICT'
        : 'WRITE_BACK_REJECTED';
  return { code, message: `Salesforce did not save the ${objectApiName}: ${error.message}` };
}
