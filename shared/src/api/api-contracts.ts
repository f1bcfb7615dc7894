import * as z from 'zod';

/**
 * The HTTP API between the server and the apps (Zendesk sidebar, Salesforce component, scripts).
 * docs/api.md describes it for people; these schemas are what both sides check against.
 */

/** Every error the API answers with: `{ error: { code, message, details? } }`. */
export const API_ERROR_CODES = {
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  /** The sidebar's session ran out: the app renews it, or the agent reopens the ticket. */
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
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
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: unknown };
}

const inputValueSchema = z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()]);
// Zendesk ids are whole numbers; the server handles them as JavaScript numbers, so an id past
// Number.MAX_SAFE_INTEGER (16 digits) could not name one ticket exactly and is refused here.
export const idSchema = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(/^[0-9]{1,16}$/, 'must be a numeric id')
    .refine((id) => Number(id) >= 1 && Number.isSafeInteger(Number(id)), {
      message: `must be a numeric id from 1 to ${Number.MAX_SAFE_INTEGER}`,
    }),
]);

/**
 * Body of `POST /api/connectors/:connectorId/run`.
 *
 * @example
 * { "ticketId": 1, "inputs": { "order_number": "#1001" }, "confirmed": true }
 */
export const runConnectorBodySchema = z.strictObject({
  ticketId: idSchema,
  commentId: idSchema.optional(),
  /** Only inputs marked `prompt` may be given; the others come from the ticket. */
  inputs: z.record(z.string().max(64), inputValueSchema).default({}),
  confirmed: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  /**
   * Admin token only: the Zendesk user to run it as (looked up, role checked). A sidebar
   * session always runs as its own agent, and may only repeat that agent's id here.
   */
  agentId: idSchema.optional(),
  surface: z.enum(['zendesk', 'automation']).default('zendesk'),
});
export type RunConnectorBody = z.infer<typeof runConnectorBodySchema>;

const salesforceIdSchema = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');
const objectApiNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'must be an object API name such as Case');

/** Query of `GET /api/salesforce/connectors`, sent by the Apex controller. */
const allowedConnectorIdsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a connector id'))
  .max(500);

/**
 * Query of `GET /api/salesforce/connectors` and `/macros`. `allowedConnectorIds` (comma-separated)
 * is the admin's setting for this object, which Apex reads from Data_Connectors_Setting__mdt:
 * only those connectors, and macros made only of them, are listed. Absent: every connector.
 */
export const salesforceListQuerySchema = z.strictObject({
  objectApiName: objectApiNameSchema,
  recordId: salesforceIdSchema,
  userId: salesforceIdSchema.optional(),
  allowedConnectorIds: z
    .string()
    .max(33_000)
    .transform((value) => value.split(',').filter((id) => id !== ''))
    .pipe(allowedConnectorIdsSchema)
    .optional(),
});

/**
 * Body of `POST /api/salesforce/connectors/:connectorId/run`, sent by the Apex controller.
 *
 * @example
 * { "objectApiName": "Case", "recordId": "500SB0000000001AAA", "userId": "005SB0000000001AAA",
 *   "inputs": {}, "confirmed": false }
 */
export const salesforceRunBodySchema = z.strictObject({
  objectApiName: objectApiNameSchema,
  recordId: salesforceIdSchema,
  userId: salesforceIdSchema.optional(),
  inputs: z.record(z.string().max(64), inputValueSchema).default({}),
  confirmed: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  /** Write only the record fields the user's profile may edit (needs userId). */
  onlyEditableFields: z.boolean().default(false),
  /**
   * Whether the user may edit the record (Apex: UserRecordAccess.HasEditAccess); `false`
   * refuses runs that write to it with 403 TICKET_EDIT_FORBIDDEN. Absent: not checked.
   */
  recordEditable: z.boolean().optional(),
  /** The admin's allowed connectors for this object (see the list query); others get 403. */
  allowedConnectorIds: allowedConnectorIdsSchema.optional(),
});

/** Query of `GET /api/salesforce/macros`, sent by the Apex controller. */
export const salesforceListMacrosQuerySchema = salesforceListQuerySchema;

/**
 * Body of `POST /api/salesforce/macros/:macroId/run`, sent by the Apex controller.
 *
 * @example
 * { "objectApiName": "Case", "recordId": "500SB0000000001AAA", "userId": "005SB0000000002AAA",
 *   "confirmed": true }
 */
export const salesforceRunMacroBodySchema = z.strictObject({
  objectApiName: objectApiNameSchema,
  recordId: salesforceIdSchema,
  userId: salesforceIdSchema.optional(),
  confirmed: z.boolean().default(false),
  /** As for connector runs: every step writes only fields the user may edit. */
  onlyEditableFields: z.boolean().default(false),
  /** As for connector runs: `false` refuses a macro whose steps write to the record. */
  recordEditable: z.boolean().optional(),
  /** As for connector runs: a macro with a step outside this list gets 403. */
  allowedConnectorIds: allowedConnectorIdsSchema.optional(),
});
export type SalesforceRunMacroBody = z.infer<typeof salesforceRunMacroBodySchema>;

export const listConnectorsQuerySchema = z.strictObject({
  ticketId: idSchema,
  surface: z.enum(['zendesk', 'automation']).default('zendesk'),
});

export const listRunsQuerySchema = z.strictObject({
  connectorId: z.string().max(64).optional(),
  ticketId: idSchema.optional(),
  outcome: z.enum(['success', 'empty', 'failed']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export type RunOutcome = 'success' | 'empty' | 'failed';

export interface RunOutputView {
  name: string;
  label: string;
  value: unknown;
  redacted: boolean;
}

export interface RunWritesView {
  status: 'none' | 'written' | 'failed' | 'skipped';
  changes: unknown;
  error?: { code: string; message: string };
}

/** What the run endpoint answers with (200 for every run that reached the external system). */
export interface RunResultView {
  runId: string;
  connectorId: string;
  outcome: RunOutcome;
  /** What the external call alone came to; differs from `outcome` when the write-back failed. */
  upstreamOutcome: RunOutcome;
  message: string;
  error?: { code: string; message: string };
  outputs: RunOutputView[];
  writes: RunWritesView;
  dryRun: boolean;
  durationMs: number;
  attempts: number;
  /** Set when this answer is the stored result of an earlier request with the same key. */
  replayed?: boolean;
}

export interface ConnectorInputView {
  name: string;
  label: string;
  description: string;
  type: string;
  required: boolean;
  prompt: boolean;
  /**
   * The first of the input's sources that this helpdesk reads (`record.*` or `agent.*` on
   * Salesforce, the others on Zendesk); null when it has none there.
   */
  source: string | null;
  pattern: string | null;
  maxLength: number | null;
  /** Whether spaces around a typed value are dropped before it is checked (the input's `trim`). */
  trim: boolean;
  value: unknown;
}

export interface ConnectorView {
  id: string;
  name: string;
  description: string;
  confirm: boolean;
  method: string;
  inputs: ConnectorInputView[];
  outputs: { name: string; label: string; redacted: boolean }[];
  unavailable: { code: string; message: string } | null;
  lastRun: { runId: string; outcome: RunOutcome; message: string; startedAt: string } | null;
}

/** A macro offered on a ticket or record (`GET …/macros`). */
export interface MacroView {
  id: string;
  name: string;
  description: string;
  confirm: boolean;
  connectors: { id: string; name: string }[];
  unavailable: { code: string; message: string } | null;
}

/** One step of a macro run as the server reports it. */
export interface MacroStepView {
  stepId: string;
  type: string;
  outcome: RunOutcome;
  message: string;
  error?: { code: string; message: string };
  runId?: string;
  /** Run steps: the connector's `writes` ({ status, changes }); write steps: the update sent. */
  writes?: unknown;
  /** Branch steps: which path ran. */
  path?: string;
  /** Finished by an earlier attempt, not repeated by this one. */
  resumed: boolean;
}

/** What `POST …/macros/:macroId/run` answers once the steps ran (a failure path included). */
export interface MacroResultView {
  macroId: string;
  /** The macro's own run-log entry (kind `macro`); each step's connector run has its own. */
  runId: string;
  outcome: 'success' | 'failed';
  message: string;
  error?: { code: string; message: string };
  steps: MacroStepView[];
  /** Set when this answer is the stored result of an earlier request with the same key. */
  replayed?: boolean;
}
