import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { buildEndpointPath } from '../../../../shared/src/api/define-endpoint';
import { SALESFORCE_ENDPOINTS } from '../../../../shared/src/api/endpoints';
import type { Result } from '../../../../shared/src/result';
import type { SalesforceClient } from '../../helpdesks/salesforce/client/salesforce-client';

/**
 * What DataConnectorsController.cls does, for the preview's record page: it checks what the
 * component sent, checks the record, adds the connector key and the running user's id, and calls
 * the server's /api/salesforce endpoints over HTTP as the Named Credential would. The component
 * in the browser never sees the key. Keep its checks and messages in step with the Apex class.
 */

// The Apex class's patterns (DataConnectorsController.cls).
const CONNECTOR_ID = /^[a-z][a-z0-9_-]{1,63}$/;
const MACRO_ID = /^[a-z][a-z0-9_]{0,63}$/;
const RUN_ID = /^run_[0-9A-HJKMNP-TV-Z]{26}$/;
const OBJECT_API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,200}$/;
/** A record id as Salesforce writes it: 15 characters, or 18 with the case-safe suffix. */
export const SALESFORCE_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;
const MAX_INPUTS_JSON_LENGTH = 100_000;

// Apex's callout timeouts for each kind of call.
const READ_TIMEOUT_MS = 10_000;
const RUN_TIMEOUT_MS = 60_000;
const MACRO_TIMEOUT_MS = 110_000;

/** Salesforce's key prefixes of the objects the sandbox org holds (Apex: Id.getSObjectType()). */
const OBJECT_BY_KEY_PREFIX: Readonly<Record<string, string>> = {
  '001': 'Account',
  '003': 'Contact',
  '500': 'Case',
};

/** The object a record id names, from its key prefix; undefined for objects the org lacks. */
export function objectOfRecordId(recordId: string): string | undefined {
  return OBJECT_BY_KEY_PREFIX[recordId.slice(0, 3)];
}

const optionalText = z.string().nullish();
const recordParams = {
  objectApiName: optionalText,
  recordId: z.string().nullish(),
};

/** The parameters of each @AuraEnabled method, as Lightning sends them. */
const apexCallSchemas = {
  listConnectors: z.strictObject(recordParams),
  listMacros: z.strictObject(recordParams),
  runConnector: z.strictObject({
    ...recordParams,
    connectorId: optionalText,
    inputsJson: optionalText,
    confirmed: z.boolean().nullish(),
    idempotencyKey: optionalText,
  }),
  runMacro: z.strictObject({
    ...recordParams,
    macroId: optionalText,
    confirmed: z.boolean().nullish(),
    idempotencyKey: optionalText,
  }),
  getRun: z.strictObject({ runId: optionalText }),
} as const;

export type ApexMethodName = keyof typeof apexCallSchemas;

export const apexMethodNameSchema = z.enum(
  Object.keys(apexCallSchemas) as [ApexMethodName, ...ApexMethodName[]],
);

export interface PreviewApexDeps {
  /** The server's own base URL: the Named Credential's URL. */
  serverUrl: () => string;
  /** What the External Credential adds as X-Connector-Key. */
  connectorKey: string;
  /** Reads records as the integration user (the record access check). */
  salesforce: Pick<SalesforceClient, 'loadRecord'>;
}

/** An AuraHandledException as Lightning hands it to the component. */
export interface ApexFailure {
  message: string;
}

type ApexResult = Result<unknown, ApexFailure>;

const fail = (message: string): { ok: false; error: ApexFailure } => ({
  ok: false,
  error: { message },
});

/**
 * Runs one method of the controller as `userId` (the preview's running user).
 *
 * @example
 * await callPreviewApex('listConnectors', { objectApiName: 'Case', recordId }, userId, deps);
 * // { ok: true, value: { recordId, objectApiName, connectors: [...] } }
 */
export async function callPreviewApex(
  method: ApexMethodName,
  rawParams: unknown,
  userId: string,
  deps: PreviewApexDeps,
): Promise<ApexResult> {
  const parsed = apexCallSchemas[method].safeParse(rawParams ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(
      `Apex could not read the parameters: ${issue?.path.join('.') || 'params'} ${issue?.message ?? ''}`.trim(),
    );
  }
  const params: Record<string, unknown> = parsed.data;
  const text = (name: string): string | undefined => {
    const value = params[name];
    return typeof value === 'string' ? value : undefined;
  };

  if (method === 'getRun') {
    const runId = text('runId');
    if (runId === undefined || !RUN_ID.test(runId)) return fail('This is not a valid run id.');
    const answer = await send(
      deps,
      'GET',
      buildEndpointPath(SALESFORCE_ENDPOINTS.getRun, { params: { runId } }),
      READ_TIMEOUT_MS,
    );
    if (!answer.ok) return answer;
    const run = (answer.value as { run?: unknown }).run;
    return typeof run === 'object' && run !== null
      ? { ok: true, value: run }
      : fail('The Data Connectors server sent an answer this page cannot read.');
  }

  if (method === 'runConnector') {
    const connectorId = text('connectorId');
    if (connectorId === undefined || !CONNECTOR_ID.test(connectorId)) {
      return fail('This is not a valid connector id.');
    }
  }
  if (method === 'runMacro') {
    const macroId = text('macroId');
    if (macroId === undefined || !MACRO_ID.test(macroId))
      return fail('This is not a valid macro id.');
  }
  let idempotencyKey: string | undefined;
  if (method === 'runConnector' || method === 'runMacro') {
    const key = text('idempotencyKey');
    if (key !== undefined && key.trim() !== '' && !IDEMPOTENCY_KEY.test(key)) {
      return fail('This is not a valid Idempotency-Key.');
    }
    idempotencyKey = key === undefined || key.trim() === '' ? randomUUID() : key;
  }
  let inputs: Record<string, unknown> = {};
  if (method === 'runConnector') {
    const read = parseInputs(text('inputsJson'));
    if (!read.ok) return read;
    inputs = read.value;
  }

  const record = await checkRecordAccess(text('objectApiName'), text('recordId'), deps);
  if (!record.ok) return record;
  const { objectApiName, recordId } = record.value;

  if (method === 'listConnectors' || method === 'listMacros') {
    const endpoint =
      method === 'listConnectors'
        ? SALESFORCE_ENDPOINTS.listConnectors
        : SALESFORCE_ENDPOINTS.listMacros;
    return send(
      deps,
      'GET',
      buildEndpointPath(endpoint, { query: { objectApiName, recordId, userId } }),
      READ_TIMEOUT_MS,
    );
  }

  // The preview org has no Data_Connectors_Setting__mdt records: the default applies (every
  // connector, only the fields the rep may edit), and every sandbox rep may edit every record.
  const body = {
    objectApiName,
    recordId,
    userId,
    confirmed: params.confirmed === true,
    onlyEditableFields: true,
    recordEditable: true,
  };
  if (method === 'runConnector') {
    const path = buildEndpointPath(SALESFORCE_ENDPOINTS.runConnector, {
      params: { connectorId: text('connectorId') ?? '' },
    });
    return send(deps, 'POST', path, RUN_TIMEOUT_MS, { ...body, inputs }, idempotencyKey);
  }
  const path = buildEndpointPath(SALESFORCE_ENDPOINTS.runMacro, {
    params: { macroId: text('macroId') ?? '' },
  });
  return send(deps, 'POST', path, MACRO_TIMEOUT_MS, body, idempotencyKey);
}

function parseInputs(inputsJson: string | undefined): Result<Record<string, unknown>, ApexFailure> {
  if (inputsJson === undefined || inputsJson.trim() === '') return { ok: true, value: {} };
  if (inputsJson.length > MAX_INPUTS_JSON_LENGTH) return fail('The inputs are too long.');
  let value: unknown;
  try {
    value = JSON.parse(inputsJson);
  } catch {
    return fail('The inputs are not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('The inputs must be a JSON object.');
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** Apex: the object comes from the record id, and the record must exist for the user. */
async function checkRecordAccess(
  objectApiName: string | undefined,
  recordId: string | undefined,
  deps: PreviewApexDeps,
): Promise<Result<{ objectApiName: string; recordId: string }, ApexFailure>> {
  if (recordId === undefined || recordId === '')
    return fail('Open a record to use data connectors.');
  if (!SALESFORCE_ID.test(recordId)) return fail('Invalid id: ' + recordId);
  const actualName = objectOfRecordId(recordId);
  if (actualName === undefined)
    return fail('This record does not exist or you do not have access to it.');
  if (
    objectApiName !== undefined &&
    objectApiName.trim() !== '' &&
    (!OBJECT_API_NAME.test(objectApiName) ||
      objectApiName.toLowerCase() !== actualName.toLowerCase())
  ) {
    return fail(`The record ${recordId} is not a ${objectApiName} record.`);
  }
  const visible = await deps.salesforce.loadRecord(actualName, recordId, ['Id']);
  if (!visible.ok) {
    return visible.error.code === 'SALESFORCE_NOT_FOUND'
      ? fail('This record does not exist or you do not have access to it.')
      : fail(`Could not read the record: ${visible.error.message}`);
  }
  return { ok: true, value: { objectApiName: actualName, recordId } };
}

const serverErrorSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().optional(),
    details: z.array(z.unknown()).optional(),
  }),
});

/** The Named Credential's callout: the key header, JSON both ways, Apex's timeout. */
async function send(
  deps: PreviewApexDeps,
  method: 'GET' | 'POST',
  path: string,
  timeoutMs: number,
  body?: object,
  idempotencyKey?: string,
): Promise<ApexResult> {
  let response: Response;
  try {
    response = await fetch(new URL(path, deps.serverUrl()), {
      method,
      headers: {
        Accept: 'application/json',
        'X-Connector-Key': deps.connectorKey,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (error) {
    return fail(`Could not reach the Data Connectors server: ${(error as Error).message}`);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // A proxy's HTML error page, for example; the status still says what happened.
  }
  if (response.status >= 200 && response.status < 300) {
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? { ok: true, value: parsed }
      : fail('The Data Connectors server sent an answer this page cannot read.');
  }
  return fail(describeServerError(response.status, parsed));
}

/** Apex's describeServerError: the server's message, each input's problem, a hint on 401. */
function describeServerError(status: number, parsed: unknown): string {
  const error = serverErrorSchema.safeParse(parsed);
  let message =
    error.success && error.data.error.message !== undefined
      ? error.data.error.message
      : `The Data Connectors server answered with HTTP ${status}.`;
  const details = (error.success ? (error.data.error.details ?? []) : []).flatMap((entry) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const detail = entry as Record<string, unknown>;
    if (typeof detail.message !== 'string') return [];
    return [
      typeof detail.input === 'string' ? `${detail.input}: ${detail.message}` : detail.message,
    ];
  });
  if (details.length > 0) message += ` ${details.join(' ')}`;
  if (status === 401) {
    message +=
      ' Ask your Salesforce admin to check the key of the Data_Connectors external credential.';
  }
  return message;
}
