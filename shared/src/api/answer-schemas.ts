import * as z from 'zod/mini';

/**
 * What the server answers (2xx) and the apps read, as zod/mini schemas: the sidebar parses its
 * answers with them, the tests hold the server's real answers and the Salesforce component's
 * fixtures to them, and the view types below are inferred from them (one definition).
 *
 * The objects are deliberately NOT strict: a field a newer server adds must not break an app
 * page still open in an agent's browser during an upgrade; unknown fields are dropped. That
 * every field the server sends is named here is checked by the contract tests instead
 * (test/contracts/endpoint-answers.integration.test.ts).
 */

const runOutcomeSchema = z.enum(['success', 'empty', 'failed']);
export type RunOutcome = z.infer<typeof runOutcomeSchema>;

const codeMessageSchema = z.object({ code: z.string(), message: z.string() });

export const runOutputViewSchema = z.object({
  name: z.string(),
  label: z.string(),
  value: z.unknown(),
  redacted: z.boolean(),
});
export type RunOutputView = z.infer<typeof runOutputViewSchema>;

export const runWritesViewSchema = z.object({
  status: z.enum(['none', 'written', 'failed', 'skipped']),
  changes: z.unknown(),
  error: z.optional(codeMessageSchema),
});
export type RunWritesView = z.infer<typeof runWritesViewSchema>;

/**
 * `writes.changes` of a run on a Salesforce record (null when nothing was to be written): the
 * fields sent, by API name, and the ones left out because the rep may not edit them. The
 * component names them to the rep (dataConnectorsUtils.js, describeWrites).
 */
export const salesforceWriteChangesSchema = z.strictObject({
  fields: z.record(z.string(), z.unknown()),
  skipped: z.optional(z.array(z.strictObject({ field: z.string(), reason: z.string() }))),
});
export type SalesforceWriteChanges = z.infer<typeof salesforceWriteChangesSchema>;

/** A link to what a run made or found (the connector's `link`), always http(s). */
export const runLinkViewSchema = z.object({ label: z.string(), url: z.string() });
export type RunLinkView = z.infer<typeof runLinkViewSchema>;

/** What the run endpoints answer with (200 for every run that reached the external system). */
export const runResultViewSchema = z.object({
  runId: z.string(),
  connectorId: z.string(),
  outcome: runOutcomeSchema,
  /** What the external call alone came to; differs from `outcome` when the write-back failed. */
  upstreamOutcome: runOutcomeSchema,
  /** The external system's HTTP status, when it answered; null when it never did (a timeout). */
  upstreamStatus: z.nullable(z.number()),
  message: z.string(),
  error: z.optional(codeMessageSchema),
  outputs: z.array(runOutputViewSchema),
  writes: runWritesViewSchema,
  dryRun: z.boolean(),
  durationMs: z.number(),
  attempts: z.number(),
  /** Set when this answer is the stored result of an earlier request with the same key. */
  replayed: z.optional(z.boolean()),
  /** The connector's link to what this run made (the Jira issue); only after a success. */
  link: z.optional(runLinkViewSchema),
});
export type RunResultView = z.infer<typeof runResultViewSchema>;

export const connectorInputViewSchema = z.object({
  name: z.string(),
  label: z.string(),
  description: z.string(),
  type: z.string(),
  required: z.boolean(),
  prompt: z.boolean(),
  /**
   * The first of the input's sources that this helpdesk reads (`record.*` or `agent.*` on
   * Salesforce, the others on Zendesk); null when it has none there.
   */
  source: z.nullable(z.string()),
  pattern: z.nullable(z.string()),
  maxLength: z.nullable(z.number()),
  /** Whether spaces around a typed value are dropped before it is checked (the input's `trim`). */
  trim: z.boolean(),
  /** The admin's words for a valid value, and an example of one (shown instead of the pattern). */
  hint: z.optional(z.nullable(z.string())),
  example: z.optional(z.nullable(z.string())),
  value: z.unknown(),
});
export type ConnectorInputView = z.infer<typeof connectorInputViewSchema>;

export const connectorViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  confirm: z.boolean(),
  method: z.string(),
  inputs: z.array(connectorInputViewSchema),
  outputs: z.array(z.object({ name: z.string(), label: z.string(), redacted: z.boolean() })),
  unavailable: z.nullable(codeMessageSchema),
  lastRun: z.nullable(
    z.object({
      runId: z.string(),
      outcome: runOutcomeSchema,
      message: z.string(),
      startedAt: z.string(),
    }),
  ),
  /** The method has side effects (anything but GET and HEAD): running twice does it twice. */
  sideEffects: z.optional(z.boolean()),
  /**
   * The latest successful run on this ticket or record of a connector with side effects, so the
   * app can say it was done already (and link to what it made) before the agent runs it again.
   */
  lastSuccess: z.optional(
    z.nullable(
      z.object({
        runId: z.string(),
        message: z.string(),
        startedAt: z.string(),
        actorName: z.nullable(z.string()),
        link: z.optional(runLinkViewSchema),
      }),
    ),
  ),
});
export type ConnectorView = z.infer<typeof connectorViewSchema>;

/** A macro offered on a ticket or record (`GET …/macros`). */
export const macroViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  confirm: z.boolean(),
  connectors: z.array(z.object({ id: z.string(), name: z.string() })),
  unavailable: z.nullable(codeMessageSchema),
});
export type MacroView = z.infer<typeof macroViewSchema>;

/** One step of a macro run as the server reports it (server/src/workflows/run-steps.ts). */
export const macroStepViewSchema = z.object({
  stepId: z.string(),
  /** What the step did, in words for agents: the connector's name, "Update the ticket", … */
  label: z.optional(z.string()),
  type: z.string(),
  outcome: runOutcomeSchema,
  message: z.string(),
  error: z.optional(codeMessageSchema),
  runId: z.optional(z.string()),
  /** Run steps: the connector's `writes` ({ status, changes }); write steps: the update sent. */
  writes: z.optional(z.unknown()),
  /** Branch steps: which path ran. */
  path: z.optional(z.string()),
  /** Run steps: the external system's HTTP status, when it answered. */
  upstreamStatus: z.optional(z.number()),
  /** Finished by an earlier attempt, not repeated by this one. */
  resumed: z.boolean(),
});
export type MacroStepView = z.infer<typeof macroStepViewSchema>;

/** What `POST …/macros/:macroId/run` answers once the steps ran (a failure path included). */
export const macroResultViewSchema = z.object({
  macroId: z.string(),
  /** The macro's own run-log entry (kind `macro`); each step's connector run has its own. */
  runId: z.string(),
  outcome: z.enum(['success', 'failed']),
  message: z.string(),
  error: z.optional(codeMessageSchema),
  steps: z.array(macroStepViewSchema),
  /** Set when this answer is the stored result of an earlier request with the same key. */
  replayed: z.optional(z.boolean()),
});
export type MacroResultView = z.infer<typeof macroResultViewSchema>;

/**
 * What happened to a customer's verification by email code (never the code itself): a code sent,
 * a send refused by its limits or failed, the right code, a wrong one, an expired one, a lock-out.
 */
export const VERIFICATION_EVENTS = [
  'sent',
  'send_limited',
  'send_failed',
  'verified',
  'wrong_code',
  'expired',
  'locked',
] as const;

/** What a run-log entry holds whatever ran (server/src/run-log/run-record.ts, redacted). */
const runRecordBaseShape = {
  id: z.string(),
  /** A helpdesk's id (its app asked), `automation`, `api` or `mcp` (an AI agent). */
  source: z.string(),
  actor: z.object({
    kind: z.enum(['agent', 'admin', 'system', 'ai_agent']),
    id: z.optional(z.string()),
    name: z.optional(z.string()),
    email: z.optional(z.string()),
  }),
  target: z.object({
    /** The helpdesk's id as registered (`zendesk`, `salesforce`, …). */
    system: z.string(),
    /** 'ticket' for Zendesk, the SObject API name for Salesforce. */
    type: z.string(),
    id: z.string(),
    commentId: z.optional(z.string()),
  }),
  outcome: runOutcomeSchema,
  errorCode: z.optional(z.string()),
  message: z.string(),
  warnings: z.optional(z.array(z.string())),
  /** For an `empty` outcome, the config rule that made it empty (for the admin). */
  emptyReason: z.optional(z.string()),
  /** For a run failed by `response.failWhen`: the API's own error text (for the admin). */
  upstreamError: z.optional(z.string()),
  dryRun: z.boolean(),
  upstreamOutcome: z.optional(runOutcomeSchema),
  inputs: z.record(z.string(), z.unknown()),
  request: z.optional(
    z.object({
      method: z.string(),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
      body: z.optional(z.string()),
    }),
  ),
  response: z.optional(
    z.object({
      status: z.optional(z.number()),
      headers: z.optional(z.record(z.string(), z.string())),
      body: z.optional(z.string()),
      truncated: z.boolean(),
    }),
  ),
  outputs: z.record(z.string(), z.unknown()),
  writes: runWritesViewSchema,
  attempts: z.number(),
  startedAt: z.string(),
  durationMs: z.number(),
  idempotencyKey: z.optional(z.string()),
};

/** A run-log entry: a connector run, or a workflow's or macro's summary (by `kind`). */
export const runRecordViewSchema = z.discriminatedUnion('kind', [
  z.object({ ...runRecordBaseShape, kind: z.literal('connector'), connectorId: z.string() }),
  z.object({ ...runRecordBaseShape, kind: z.literal('workflow'), workflowId: z.string() }),
  z.object({ ...runRecordBaseShape, kind: z.literal('macro'), macroId: z.string() }),
  /** A customer's verification by email code: `sent`, `verified`, `wrong_code`, `locked`, … */
  z.object({
    ...runRecordBaseShape,
    kind: z.literal('verification'),
    event: z.enum(VERIFICATION_EVENTS),
  }),
]);
export type RunRecordView = z.infer<typeof runRecordViewSchema>;

/** `GET /api/connectors`: the ticket's id as the helpdesk knows it, and what applies to it. */
export const ticketConnectorsAnswerSchema = z.object({
  ticketId: z.string(),
  connectors: z.array(connectorViewSchema),
});

/** `GET /api/macros`. */
export const ticketMacrosAnswerSchema = z.object({
  ticketId: z.string(),
  macros: z.array(macroViewSchema),
});

/** `GET /api/runs`: newest first; `nextCursor` fetches the older page, null on the last one. */
export const runsPageAnswerSchema = z.object({
  runs: z.array(runRecordViewSchema),
  nextCursor: z.nullable(z.string()),
});

/** `GET /api/runs/:runId` and `GET /api/salesforce/runs/:runId`. */
export const runEntryAnswerSchema = z.object({ run: runRecordViewSchema });

/** `POST /api/session/refresh`: the sidebar's new session token. */
export const sessionAnswerSchema = z.object({ token: z.string(), expiresAt: z.string() });

/** `GET /api/salesforce/connectors`: the record the Apex controller asked about, and its list. */
export const recordConnectorsAnswerSchema = z.object({
  recordId: z.string(),
  objectApiName: z.string(),
  connectors: z.array(connectorViewSchema),
});

/** `GET /api/salesforce/macros`. */
export const recordMacrosAnswerSchema = z.object({
  recordId: z.string(),
  objectApiName: z.string(),
  macros: z.array(macroViewSchema),
});
