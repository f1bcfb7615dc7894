/**
 * The API's error catalogue: every code an endpoint answers with, and its HTTP status. No zod
 * here: the sidebar bundles this module, and the endpoint contracts name their codes from it.
 */

/** Every error the API answers with: `{ error: { code, message, details? } }`. */
export const API_ERROR_CODES = {
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  /** The sidebar's session ran out: the app renews it, or the agent reopens the ticket. */
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  /** A console edit the config would not load with: nothing was saved (details.issues says why). */
  CONFIG_INVALID: 422,
  /** The file changed on disk since the console opened it. */
  CONFIG_CHANGED: 409,
  CONNECTOR_EXISTS: 409,
  /** A connector's new connection would replace a different one under the same id. */
  CONNECTION_EXISTS: 409,
  /** No template by that id in templates/. */
  TEMPLATE_NOT_FOUND: 404,
  /** A template blank was missing or not of the right shape. */
  TEMPLATE_VALUE_INVALID: 400,
  /** The curl command, OpenAPI document or sample given for a draft could not be read. */
  DRAFT_SOURCE_INVALID: 400,
  CONFIG_WRITE_FAILED: 500,
  /** A console change without the session's CSRF token, or from another origin. */
  CSRF_INVALID: 403,
  /** The agent's Zendesk role may not edit tickets, and the run would write to one. */
  TICKET_EDIT_FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONNECTOR_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  TICKET_NOT_FOUND: 404,
  RECORD_NOT_FOUND: 404,
  HELPDESK_NOT_CONFIGURED: 503,
  COMMENT_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 403,
  BODY_INVALID: 400,
  /** Sandbox mode answers only requests addressed to a loopback name (DNS rebinding). */
  HOST_NOT_ALLOWED: 421,
  QUERY_INVALID: 400,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CONFIRMATION_REQUIRED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  /** The key's request was sent and the server stopped before it finished: never sent again. */
  IDEMPOTENCY_OUTCOME_UNKNOWN: 409,
  IDEMPOTENCY_KEY_INVALID: 400,
  CONNECTOR_DISABLED: 409,
  /** An alert paused the connector (docs/connectors.md, "Alerts"); an admin resumes it. */
  CONNECTOR_PAUSED: 409,
  CONNECTOR_NOT_APPLICABLE: 422,
  CONNECTOR_SURFACE_MISMATCH: 422,
  INPUT_INVALID: 422,
  /** Salesforce: the org's Data Connectors settings do not allow this connector on this object. */
  CONNECTOR_NOT_ALLOWED: 403,
  CONNECTION_BUSY: 503,
  /** The caller went over its rate limit; `Retry-After` says when to come back. */
  RATE_LIMITED: 429,
  CONFIG_UNAVAILABLE: 503,
  HELPDESK_UNAVAILABLE: 502,
  HELPDESK_AUTH_FAILED: 502,
  INTERNAL_ERROR: 500,
  /** Several instances: this one cannot reach PostgreSQL right now; `Retry-After` says when to retry. */
  DATABASE_UNAVAILABLE: 503,
  /** An AI agent's tool reveals personal data: the ticket's requester must verify by email code first. */
  VERIFICATION_REQUIRED: 403,
  /** Customer verification by email code: the service's refusals (docs/ai-agents.md). */
  VERIFICATION_CODE_WRONG: 422,
  VERIFICATION_CODE_EXPIRED: 422,
  VERIFICATION_NO_CODE: 422,
  VERIFICATION_LOCKED: 423,
  VERIFICATION_SEND_LIMITED: 429,
  VERIFICATION_SEND_FAILED: 502,
  VERIFICATION_INVALID_REQUEST: 422,
  /** A tool needs customer verification, and no mail server is set up (SMTP_HOST). */
  VERIFICATION_UNAVAILABLE: 503,
  /** The connection is not an `oauth2AuthorizationCode` one, or does not exist. */
  CONNECTION_NOT_FOUND: 404,
  /** OAuth connect needs a console session (the flow is bound to it), not the bare admin token. */
  CONSOLE_SESSION_REQUIRED: 403,
  /** A live server without TOKEN_ENCRYPTION_KEY cannot store OAuth tokens. */
  TOKEN_ENCRYPTION_KEY_MISSING: 503,
  /** An agent key with that name exists already (revoked keys keep their names). */
  AGENT_KEY_NAME_TAKEN: 409,
  /** A backfill names no query, or both a search and a SOQL query, or one for the other helpdesk. */
  BACKFILL_QUERY_REQUIRED: 400,
  /** The helpdesk refused the backfill's query (bad search syntax, bad SOQL). */
  BACKFILL_QUERY_INVALID: 400,
  /** A backfill's SOQL is not a SELECT of Id from the connector's object. */
  BACKFILL_SOQL_INVALID: 400,
  /** The connector cannot be backfilled: disabled, or not offered to automations. */
  BACKFILL_CONNECTOR_UNSUITABLE: 400,
  /** No backfill has that id. */
  BACKFILL_NOT_FOUND: 404,
  /** Stop, resume or retry asked of a backfill in a state that cannot do it. */
  BACKFILL_STATE_CONFLICT: 409,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: unknown };
}
