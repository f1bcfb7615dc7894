import {
  recordConnectorsAnswerSchema,
  recordMacrosAnswerSchema,
  macroResultViewSchema,
  runEntryAnswerSchema,
  runResultViewSchema,
  runsPageAnswerSchema,
  sessionAnswerSchema,
  ticketConnectorsAnswerSchema,
  ticketMacrosAnswerSchema,
} from './answer-schemas';
import type { ApiErrorCode } from './api-errors';
import { defineEndpoint } from './define-endpoint';
import {
  listConnectorsQuerySchema,
  listMacrosQuerySchema,
  listRunsQuerySchema,
  runConnectorBodySchema,
  runMacroBodySchema,
  salesforceListQuerySchema,
  salesforceRunBodySchema,
  salesforceRunMacroBodySchema,
} from './request-schemas';

/**
 * One contract per endpoint the apps call (docs/architecture.md, "Endpoint contracts"): the
 * Zendesk sidebar's under /api, the Salesforce Apex controller's under /api/salesforce. The
 * answers are docs/api.md's; the error lists name every code each one can answer with.
 */

const codes = <const Codes extends readonly ApiErrorCode[]>(...list: Codes): Codes => list;

/** Any /api call: the sandbox's Host check, authentication, rate limit, a server bug. */
const ZENDESK_CALL_ERRORS = codes(
  'HOST_NOT_ALLOWED',
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'SESSION_EXPIRED',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  'DATABASE_UNAVAILABLE',
);
/** A call with a JSON body. */
const BODY_ERRORS = codes('BODY_INVALID', 'BODY_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
/** Loading the ticket from Zendesk as the session's agent (or the agent an admin names). */
const TICKET_LOAD_ERRORS = codes(
  'HELPDESK_NOT_CONFIGURED',
  'TICKET_NOT_FOUND',
  'AGENT_NOT_FOUND',
  'HELPDESK_UNAVAILABLE',
  'HELPDESK_AUTH_FAILED',
);
/** The Idempotency-Key of a run (server/src/api/run-with-idempotency.ts). */
const IDEMPOTENCY_ERRORS = codes(
  'IDEMPOTENCY_KEY_INVALID',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_IN_PROGRESS',
  'IDEMPOTENCY_OUTCOME_UNKNOWN',
);
/** What stops a connector run before anything is sent, whatever the helpdesk. */
const CONNECTOR_REFUSALS = codes(
  'CONFIG_UNAVAILABLE',
  'CONNECTOR_NOT_FOUND',
  'CONNECTOR_DISABLED',
  'CONNECTOR_PAUSED',
  'CONNECTOR_SURFACE_MISMATCH',
  'CONNECTOR_NOT_APPLICABLE',
  'CONFIRMATION_REQUIRED',
  'TICKET_EDIT_FORBIDDEN',
  'INPUT_INVALID',
  'CONNECTION_BUSY',
);
/**
 * What stops a macro before its first step (server/src/workflows/run-macro.ts). An unknown
 * macro is NOT_FOUND, which each endpoint lists with its other reasons for it.
 */
const MACRO_REFUSALS = codes(
  'CONFIG_UNAVAILABLE',
  'CONNECTOR_NOT_APPLICABLE',
  'CONFIRMATION_REQUIRED',
  'TICKET_EDIT_FORBIDDEN',
);

export const listConnectorsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/connectors',
  query: listConnectorsQuerySchema,
  answer: ticketConnectorsAnswerSchema,
  errors: [
    ...ZENDESK_CALL_ERRORS,
    'QUERY_INVALID',
    'CONFIG_UNAVAILABLE',
    // A sidebar session asking for the automation surface.
    'FORBIDDEN',
    ...TICKET_LOAD_ERRORS,
  ],
});

export const runConnectorEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/connectors/:connectorId/run',
  body: runConnectorBodySchema,
  answer: runResultViewSchema,
  errors: [
    ...ZENDESK_CALL_ERRORS,
    ...BODY_ERRORS,
    // A sidebar session naming another agent or the automation surface.
    'FORBIDDEN',
    ...IDEMPOTENCY_ERRORS,
    ...CONNECTOR_REFUSALS,
    ...TICKET_LOAD_ERRORS,
    'COMMENT_NOT_FOUND',
  ],
});

export const listMacrosEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/macros',
  query: listMacrosQuerySchema,
  answer: ticketMacrosAnswerSchema,
  errors: [
    ...ZENDESK_CALL_ERRORS,
    // A server without automations has no macro endpoints.
    'NOT_FOUND',
    'QUERY_INVALID',
    'CONFIG_UNAVAILABLE',
    ...TICKET_LOAD_ERRORS,
  ],
});

export const runMacroEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/macros/:macroId/run',
  body: runMacroBodySchema,
  answer: macroResultViewSchema,
  errors: [
    ...ZENDESK_CALL_ERRORS,
    ...BODY_ERRORS,
    // An unknown macro, or a server without automations.
    'NOT_FOUND',
    'FORBIDDEN',
    ...IDEMPOTENCY_ERRORS,
    ...MACRO_REFUSALS,
    ...TICKET_LOAD_ERRORS,
  ],
});

export const listRunsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/runs',
  query: listRunsQuerySchema,
  answer: runsPageAnswerSchema,
  errors: [
    ...ZENDESK_CALL_ERRORS,
    // Also a cursor this server did not hand out.
    'QUERY_INVALID',
    // Listing without a ticketId needs the admin token.
    'FORBIDDEN',
    // Also a ticket the session's agent cannot see.
    ...TICKET_LOAD_ERRORS,
  ],
});

export const getRunEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/runs/:runId',
  answer: runEntryAnswerSchema,
  errors: [
    ...ZENDESK_CALL_ERRORS,
    // Also a run on a ticket the session's agent cannot see.
    'RUN_NOT_FOUND',
    'HELPDESK_NOT_CONFIGURED',
    'AGENT_NOT_FOUND',
    'HELPDESK_UNAVAILABLE',
    'HELPDESK_AUTH_FAILED',
  ],
});

/** The sidebar renews its session before it runs out (server/src/zendesk-identity). */
export const refreshSessionEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/session/refresh',
  answer: sessionAnswerSchema,
  errors: [
    ...ZENDESK_CALL_ERRORS,
    // The admin token has no session to renew.
    'FORBIDDEN',
    // The agent was suspended or lost the role that may use the app.
    'AGENT_NOT_FOUND',
    'HELPDESK_UNAVAILABLE',
    'HELPDESK_AUTH_FAILED',
  ],
});

/**
 * Any /api/salesforce call: the Host check, the X-Connector-Key (or admin token), the per-user
 * rate limit, a server bug, and NOT_FOUND from a server where Salesforce is not set up (and for
 * an unknown macro).
 */
const SALESFORCE_CALL_ERRORS = codes(
  'HOST_NOT_ALLOWED',
  'AUTH_REQUIRED',
  'AUTH_INVALID',
  'RATE_LIMITED',
  'NOT_FOUND',
  'INTERNAL_ERROR',
  'DATABASE_UNAVAILABLE',
);
/** Loading the record through the integration user, as the rep Apex names. */
const RECORD_LOAD_ERRORS = codes(
  'HELPDESK_NOT_CONFIGURED',
  'RECORD_NOT_FOUND',
  'AGENT_NOT_FOUND',
  'HELPDESK_UNAVAILABLE',
  'HELPDESK_AUTH_FAILED',
);

export const salesforceListConnectorsEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/salesforce/connectors',
  query: salesforceListQuerySchema,
  answer: recordConnectorsAnswerSchema,
  errors: [...SALESFORCE_CALL_ERRORS, 'QUERY_INVALID', 'CONFIG_UNAVAILABLE', ...RECORD_LOAD_ERRORS],
});

export const salesforceRunConnectorEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/salesforce/connectors/:connectorId/run',
  body: salesforceRunBodySchema,
  answer: runResultViewSchema,
  errors: [
    ...SALESFORCE_CALL_ERRORS,
    ...BODY_ERRORS,
    // Outside the admin's allowed connectors for the object.
    'CONNECTOR_NOT_ALLOWED',
    ...IDEMPOTENCY_ERRORS,
    ...CONNECTOR_REFUSALS,
    ...RECORD_LOAD_ERRORS,
  ],
});

export const salesforceListMacrosEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/salesforce/macros',
  query: salesforceListQuerySchema,
  answer: recordMacrosAnswerSchema,
  errors: [...SALESFORCE_CALL_ERRORS, 'QUERY_INVALID', 'CONFIG_UNAVAILABLE', ...RECORD_LOAD_ERRORS],
});

export const salesforceRunMacroEndpoint = defineEndpoint({
  method: 'POST',
  path: '/api/salesforce/macros/:macroId/run',
  body: salesforceRunMacroBodySchema,
  answer: macroResultViewSchema,
  errors: [
    ...SALESFORCE_CALL_ERRORS,
    ...BODY_ERRORS,
    // A step outside the admin's allowed connectors for the object.
    'CONNECTOR_NOT_ALLOWED',
    ...IDEMPOTENCY_ERRORS,
    ...MACRO_REFUSALS,
    ...RECORD_LOAD_ERRORS,
  ],
});

export const salesforceGetRunEndpoint = defineEndpoint({
  method: 'GET',
  path: '/api/salesforce/runs/:runId',
  answer: runEntryAnswerSchema,
  // Also a run on a Zendesk ticket: Apex reads Salesforce runs only.
  errors: [...SALESFORCE_CALL_ERRORS, 'RUN_NOT_FOUND'],
});

/** The Zendesk sidebar's endpoints, by the name its client uses. */
export const ZENDESK_ENDPOINTS = {
  listConnectors: listConnectorsEndpoint,
  runConnector: runConnectorEndpoint,
  listMacros: listMacrosEndpoint,
  runMacro: runMacroEndpoint,
  listRuns: listRunsEndpoint,
  getRun: getRunEndpoint,
  refreshSession: refreshSessionEndpoint,
} as const;

/** The Salesforce Apex controller's endpoints, by the name of its @AuraEnabled method. */
export const SALESFORCE_ENDPOINTS = {
  listConnectors: salesforceListConnectorsEndpoint,
  runConnector: salesforceRunConnectorEndpoint,
  listMacros: salesforceListMacrosEndpoint,
  runMacro: salesforceRunMacroEndpoint,
  getRun: salesforceGetRunEndpoint,
} as const;
