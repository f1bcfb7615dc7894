import { z } from 'zod';

/** Outcome of every client call: expected failures are values, not exceptions. */

export type SalesforceErrorCode =
  | 'SALESFORCE_INVALID_ID'
  | 'SALESFORCE_NOT_FOUND'
  | 'SALESFORCE_UNKNOWN_OBJECT'
  | 'SALESFORCE_UNKNOWN_FIELD'
  | 'SALESFORCE_AUTH_FAILED'
  | 'SALESFORCE_RATE_LIMITED'
  | 'SALESFORCE_REJECTED'
  /** A conditional update (If-Unmodified-Since) found the record changed: nothing was written. */
  | 'SALESFORCE_PRECONDITION_FAILED'
  | 'SALESFORCE_UNAVAILABLE';

/** One entry of Salesforce's error body: `[{message, errorCode, fields}]`. */
export const salesforceApiErrorSchema = z.looseObject({
  message: z.string(),
  errorCode: z.string(),
  fields: z.array(z.string()).optional(),
});
export type SalesforceApiError = z.infer<typeof salesforceApiErrorSchema>;

export interface SalesforceError {
  code: SalesforceErrorCode;
  /** Readable, built from Salesforce's messages; never holds tokens. */
  message: string;
  /** The field or relationship path an unknown-field error is about, as the caller gave it. */
  field?: string;
  /** The object an unknown-object or unknown-field error is about. */
  object?: string;
  /** Salesforce's parsed error body, kept for the log. */
  details?: SalesforceApiError[];
}

const MAX_MESSAGE_LENGTH = 500;

/**
 * Turns Salesforce's error array into one line a rep can act on:
 * `Tracking_Number__c: value too long (FIELD_CUSTOM_VALIDATION_EXCEPTION)`.
 */
export function describeSalesforceErrors(items: readonly SalesforceApiError[]): string {
  const text = items
    .map((item) => {
      const fields = item.fields?.length ? `${item.fields.join(', ')}: ` : '';
      return `${fields}${item.message} (${item.errorCode})`;
    })
    .join('; ');
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}

const UNAVAILABLE_CODES = new Set([
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'REQUEST_RUNNING_TOO_LONG',
]);
const AUTH_CODES = new Set([
  'INVALID_SESSION_ID',
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
  'INVALID_AUTH_HEADER',
]);

function readApiErrors(data: unknown): SalesforceApiError[] | undefined {
  const list = Array.isArray(data) ? data : [data];
  const parsed = z.array(salesforceApiErrorSchema).safeParse(list);
  return parsed.success && parsed.data.length > 0 ? parsed.data : undefined;
}

/**
 * Whether jsforce threw for a rejected session: Salesforce's 401, whose body names
 * INVALID_SESSION_ID (REST API guide, Status Codes and Error Responses), or a 401 whose body is
 * not Salesforce's. Salesforce acted on nothing, so the call may go again on a new session.
 */
export function isSessionRejected(error: unknown): boolean {
  const thrown = error as { errorCode?: unknown; data?: unknown } | null;
  if (thrown?.errorCode === 'INVALID_SESSION_ID' || thrown?.errorCode === 'ERROR_HTTP_401') {
    return true;
  }
  if (thrown?.errorCode !== 'MULTIPLE_API_ERRORS') return false;
  return (readApiErrors(thrown.data) ?? []).some((item) => item.errorCode === 'INVALID_SESSION_ID');
}

/**
 * Classifies whatever jsforce threw. jsforce raises an HttpApiError whose `errorCode` is
 * Salesforce's (or `ERROR_HTTP_<status>` for a body that is not Salesforce's error array, or
 * `MULTIPLE_API_ERRORS` with the array in `data`); network failures and timeouts come as plain
 * errors. Anything this does not recognise becomes SALESFORCE_UNAVAILABLE, never a throw.
 */
export function toSalesforceError(error: unknown): SalesforceError {
  const thrown = error as {
    name?: unknown;
    errorCode?: unknown;
    data?: unknown;
    message?: unknown;
  };
  const message = typeof thrown?.message === 'string' ? thrown.message : String(error);
  if (typeof thrown?.errorCode !== 'string') {
    if (thrown?.name === 'AbortError') {
      return { code: 'SALESFORCE_UNAVAILABLE', message: 'Salesforce did not answer in time.' };
    }
    return {
      code: 'SALESFORCE_UNAVAILABLE',
      message: `Salesforce could not be reached: ${message}`,
    };
  }
  const errorCode = thrown.errorCode;
  const httpStatus = /^ERROR_HTTP_(\d{3})$/.exec(errorCode)?.[1];
  if (httpStatus === '412') {
    return {
      code: 'SALESFORCE_PRECONDITION_FAILED',
      message: 'Salesforce refused the update because the record changed since it was read (412).',
    };
  }
  if (httpStatus) {
    return {
      code: Number(httpStatus) >= 500 ? 'SALESFORCE_UNAVAILABLE' : 'SALESFORCE_REJECTED',
      message: `Salesforce answered HTTP ${httpStatus}.`,
    };
  }
  const items = readApiErrors(thrown.data) ?? [{ message, errorCode }];
  const codes = new Set(items.map((item) => item.errorCode));
  const readable = describeSalesforceErrors(items);
  if (codes.has('REQUEST_LIMIT_EXCEEDED')) {
    return {
      code: 'SALESFORCE_RATE_LIMITED',
      message: `Salesforce's API request limit for the org is used up; runs resume when the 24-hour window frees requests (${readable}).`,
      details: items,
    };
  }
  if ([...codes].some((code) => AUTH_CODES.has(code))) {
    return {
      code: 'SALESFORCE_AUTH_FAILED',
      message: `Salesforce refused the server's session: ${readable}`,
      details: items,
    };
  }
  if ([...codes].some((code) => UNAVAILABLE_CODES.has(code))) {
    return {
      code: 'SALESFORCE_UNAVAILABLE',
      message: `Salesforce failed: ${readable}`,
      details: items,
    };
  }
  if (codes.has('NOT_FOUND') || codes.has('ENTITY_IS_DELETED')) {
    return { code: 'SALESFORCE_NOT_FOUND', message: readable, details: items };
  }
  return { code: 'SALESFORCE_REJECTED', message: readable, details: items };
}
