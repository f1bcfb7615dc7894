import type { CompiledConfig, CompiledConnector, CompiledWrite } from '../compile/compile-config';
import type { TemplateScope } from '../compile/template';
import { renderJson } from '../render/render-request';
import { appliesToRecord } from '../runs/applies-when';
import type { HelpdeskError, HelpdeskPort, LoadedTarget, WriteResult } from '../runs/helpdesk-port';
import { readRecordPath } from '../salesforce/salesforce-client';
import type { SalesforceClient, SalesforceRecord } from '../salesforce/salesforce-client';
import type { SalesforceError } from '../salesforce/salesforce-errors';

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
const RECORD_SOURCE_PREFIX = 'record.';
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
}

interface WriteContext {
  userId: string | undefined;
  onlyEditableFields: boolean;
}

/** Whether a connector's `appliesWhen` holds for a record of `objectApiName` (runs/applies-when.ts). */
export function connectorAppliesToRecord(
  connector: CompiledConnector,
  objectApiName: string,
): boolean {
  return appliesToRecord(connector.def.appliesWhen, objectApiName);
}

/**
 * The record fields (`record.X` sources) the given connectors read, first spelling kept: every
 * `record.*` entry of an input's list, since which one has a value is only known once loaded.
 */
export function recordFieldsRead(connectors: Iterable<CompiledConnector>): string[] {
  const fields = new Map<string, string>();
  for (const connector of connectors) {
    for (const input of connector.inputs) {
      for (const source of input.sources) {
        if (!source.startsWith(RECORD_SOURCE_PREFIX)) continue;
        const path = source.slice(RECORD_SOURCE_PREFIX.length);
        if (!fields.has(path.toLowerCase())) fields.set(path.toLowerCase(), path);
      }
    }
  }
  return [...fields.values()];
}

/** The field paths of every list, once each (Salesforce field names ignore case). */
function mergeFieldPaths(...lists: (readonly string[])[]): string[] {
  const fields = new Map<string, string>();
  for (const path of lists.flat()) {
    if (!fields.has(path.toLowerCase())) fields.set(path.toLowerCase(), path);
  }
  return [...fields.values()];
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
    (write?.recordFields ?? []).map(([name, value]) => [name, renderJson(value, scope)]),
  );
}

function describeChanges(
  fields: Record<string, unknown>,
  skipped: { field: string; reason: string }[] = [],
): unknown {
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
  const defaultObject = options.defaultObjectApiName ?? 'Case';
  const users = new Map<string, { at: number; agent: NonNullable<LoadedTarget['agent']> }>();
  const writeContexts = new WeakMap<LoadedTarget, WriteContext>();

  async function loadAgent(
    userId: string,
  ): Promise<
    { ok: true; agent: NonNullable<LoadedTarget['agent']> } | { ok: false; error: HelpdeskError }
  > {
    const cached = users.get(userId);
    if (cached && now() - cached.at < USER_CACHE_MS) return { ok: true, agent: cached.agent };
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
    return { ok: true, agent };
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
    async load(recordId, loadOptions) {
      const objectApiName = loadOptions.objectApiName ?? defaultObject;
      const { userId, onlyEditableFields = false } = loadOptions;
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
        loadOptions.fields ?? [],
        ['LastModifiedDate'],
      );
      const loaded = await client.loadRecord(objectApiName, recordId, fields);
      if (!loaded.ok) return { ok: false, error: loadError(loaded.error) };
      let agent: LoadedTarget['agent'];
      if (userId !== undefined) {
        const found = await loadAgent(userId);
        if (!found.ok) return found;
        agent = found.agent;
      }
      const record: SalesforceRecord = loaded.value;
      const target: LoadedTarget = {
        target: { system: 'salesforce', type: objectApiName, id: String(record.Id ?? recordId) },
        read: (source) => {
          if (source.startsWith(RECORD_SOURCE_PREFIX)) {
            return readRecordPath(record, source.slice(RECORD_SOURCE_PREFIX.length));
          }
          const agentKey = AGENT_SOURCES[source];
          return agentKey && agent ? agent[agentKey] : undefined;
        },
        applies: (connector) => connectorAppliesToRecord(connector, objectApiName),
        agent,
        version: typeof record.LastModifiedDate === 'string' ? record.LastModifiedDate : undefined,
      };
      writeContexts.set(target, { userId, onlyEditableFields });
      return { ok: true, value: target };
    },

    preview(write, scope): WriteResult {
      return { ok: true, written: false, changes: describeChanges(renderFields(write, scope)) };
    },

    async write(loaded, write, scope) {
      const fields = renderFields(write, scope);
      if (Object.keys(fields).length === 0) return { ok: true, written: false, changes: null };
      const objectApiName = loaded.target.type;
      const context = writeContexts.get(loaded) ?? { userId: undefined, onlyEditableFields: false };
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
      const result = await client.updateRecord(objectApiName, loaded.target.id, fields);
      if (result.ok) return { ok: true, written: true, changes: describeChanges(fields, skipped) };
      const { error } = result;
      const code =
        error.code === 'SALESFORCE_AUTH_FAILED' ||
        error.code === 'SALESFORCE_RATE_LIMITED' ||
        error.code === 'SALESFORCE_UNAVAILABLE'
          ? 'WRITE_BACK_UNAVAILABLE'
          : 'WRITE_BACK_REJECTED';
      return {
        ok: false,
        changes: describeChanges(fields, skipped),
        error: { code, message: `Salesforce did not save the ${objectApiName}: ${error.message}` },
      };
    },
  };
}
