import { randomFillSync } from 'node:crypto';
import { z } from 'zod';
import { VERIFICATION_EVENTS } from '../../../shared/src/api/answer-schemas';

/**
 * What one connector run looks like in the run log, and the store contract every backend
 * (SQLite now, Postgres for multi-instance deployments later) implements.
 *
 * Everything in a record is the redacted copy: callers mask secrets before calling `record`,
 * the store never sees raw values.
 */

const CROCKFORD_BASE32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RUN_ID_PREFIX = 'run_';
const TIME_CHARS = 10; // 48-bit millisecond timestamp, as in ULID
const RANDOM_CHARS = 16; // 80 random bits

const RUN_ID_BODY = '[0-9A-HJKMNP-TV-Z]{26}';

export const runIdSchema = z
  .string()
  .regex(new RegExp(`^run_${RUN_ID_BODY}$`), 'expected run_ followed by a 26-character ULID');

/**
 * Creates a run id such as `run_01HZX3K5Q8W2T7Y9C4B6N1M0PR`: a ULID-like value whose first ten
 * characters encode the time, so ids sort by creation time and stay URL-safe.
 *
 * @example createRunId() // 'run_01J0…'
 */
export function createRunId(nowMs: number = Date.now()): string {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48) {
    throw new RangeError(`createRunId: time out of range: ${nowMs}`);
  }
  return timePrefixOf(nowMs) + encodeRandomBits(randomPool, takeRandomOffset());
}

// The prefix for the last millisecond asked: runs that start in the same one share it.
let lastPrefixMs = -1;
let lastPrefix = '';

function timePrefixOf(nowMs: number): string {
  if (nowMs !== lastPrefixMs) {
    let time = '';
    let remaining = nowMs;
    for (let i = 0; i < TIME_CHARS; i++) {
      time = CROCKFORD_BASE32[remaining % 32] + time;
      remaining = Math.floor(remaining / 32);
    }
    lastPrefixMs = nowMs;
    lastPrefix = RUN_ID_PREFIX + time;
  }
  return lastPrefix;
}

const ID_RANDOM_BYTES = 10;
/**
 * The ids' random bits come from a pool filled for 1,024 ids at a time: a `randomBytes` call per
 * id was about 1% of a connector run's CPU (docs/performance.md, "CPU per run"). Same CSPRNG.
 */
const randomPool = Buffer.alloc(ID_RANDOM_BYTES * 1_024);
let randomPoolOffset = randomPool.length;

/** Where the next id's random bytes start in the pool; a view of them would be an object per id. */
function takeRandomOffset(): number {
  if (randomPoolOffset + ID_RANDOM_BYTES > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const offset = randomPoolOffset;
  randomPoolOffset += ID_RANDOM_BYTES;
  return offset;
}

function encodeRandomBits(pool: Buffer, offset: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let index = offset; index < offset + ID_RANDOM_BYTES; index++) {
    buffer = (buffer << 8) | (pool[index] as number);
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD_BASE32[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (out.length !== RANDOM_CHARS) throw new Error('encodeRandomBits: expected 80 bits');
  return out;
}

export const runOutcomeSchema = z.enum(['success', 'empty', 'failed']);
export type RunOutcome = z.infer<typeof runOutcomeSchema>;

/**
 * A helpdesk's id as registered (helpdesks/helpdesk-registry.ts): `zendesk`, `salesforce`. The
 * store keeps it as text, so a helpdesk added later needs no migration.
 */
export const targetSystemSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,31}$/, 'expected a helpdesk id such as "zendesk"');
export type TargetSystem = z.infer<typeof targetSystemSchema>;

/**
 * Where a run was asked for: a helpdesk's app (its id), an automation, the admin API, or an AI
 * agent over MCP (`mcp`; the actor is then `ai_agent` named after its agent key).
 */
export const runSourceSchema = z.union([
  targetSystemSchema,
  z.literal('automation'),
  z.literal('api'),
  z.literal('mcp'),
]);
export type RunSource = z.infer<typeof runSourceSchema>;

export const errorCodeSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'expected a SCREAMING_SNAKE error code');

const jsonObjectSchema = z.record(z.string(), z.unknown());

export const runActorSchema = z.strictObject({
  kind: z.enum(['agent', 'admin', 'system', 'ai_agent']),
  id: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
});
export type RunActor = z.infer<typeof runActorSchema>;

export const runTargetSchema = z.strictObject({
  system: targetSystemSchema,
  /** 'ticket' for Zendesk, the SObject API name for Salesforce. */
  type: z.string().min(1),
  id: z.string().min(1),
  commentId: z.string().optional(),
});
export type RunTarget = z.infer<typeof runTargetSchema>;

export const runRequestSchema = z.strictObject({
  method: z.string().min(1),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.string().optional(),
});

export const runResponseSchema = z.strictObject({
  status: z.int().min(100).max(599).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  truncated: z.boolean(),
});

export const runWritesSchema = z.strictObject({
  status: z.enum(['none', 'written', 'failed', 'skipped']),
  changes: z.unknown(),
  error: z.strictObject({ code: errorCodeSchema, message: z.string() }).optional(),
});

/** Everything a run record holds whatever ran; `runRecordSchema` adds what ran. */
export const runRecordBaseSchema = z.strictObject({
  id: runIdSchema,
  source: runSourceSchema,
  actor: runActorSchema,
  target: runTargetSchema,
  outcome: runOutcomeSchema,
  errorCode: errorCodeSchema.optional(),
  message: z.string(),
  /** Why an output came back empty (type coercion or JMESPath errors), for the admin. */
  warnings: z.array(z.string()).optional(),
  /**
   * For an `empty` outcome: the rule that made it empty, naming the config it came from
   * (`response.emptyWhen`, `response.root`, the output paths, or the status).
   */
  emptyReason: z.string().optional(),
  /**
   * For a run failed by `response.failWhen` (UPSTREAM_REPORTED_ERROR): the API's own error text
   * (`response.failureMessage`), sanitised and at most 300 characters.
   */
  upstreamError: z.string().optional(),
  dryRun: z.boolean(),
  /** What the external call alone came to, when the write-back changed the overall outcome. */
  upstreamOutcome: runOutcomeSchema.optional(),
  inputs: jsonObjectSchema,
  request: runRequestSchema.optional(),
  response: runResponseSchema.optional(),
  outputs: jsonObjectSchema,
  writes: runWritesSchema,
  attempts: z.int().min(0),
  /** ISO 8601; the store keeps the instant and returns it in UTC (`toISOString()` form). */
  startedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().min(0),
  idempotencyKey: z.string().optional(),
});

/** A customer verification's event (shared/src/api/answer-schemas.ts, VERIFICATION_EVENTS). */
export const verificationEventSchema = z.enum(VERIFICATION_EVENTS);
export type VerificationEvent = z.infer<typeof verificationEventSchema>;

/**
 * One entry of the run log: a connector run, a workflow delivery's outcome (one per finished
 * delivery, next to the connector runs its steps made), or a macro run.
 */
export const runRecordSchema = z.discriminatedUnion('kind', [
  runRecordBaseSchema.extend({ kind: z.literal('connector'), connectorId: z.string().min(1) }),
  runRecordBaseSchema.extend({ kind: z.literal('workflow'), workflowId: z.string().min(1) }),
  runRecordBaseSchema.extend({ kind: z.literal('macro'), macroId: z.string().min(1) }),
  runRecordBaseSchema.extend({
    kind: z.literal('verification'),
    event: verificationEventSchema,
  }),
]);
export type RunRecord = z.infer<typeof runRecordSchema>;
export type RunKind = RunRecord['kind'];
export type ConnectorRunRecord = Extract<RunRecord, { kind: 'connector' }>;

/** The id of what ran: the connector's, the workflow's or the macro's; a verification's event. */
export function ranIdOf(run: RunRecord): string {
  switch (run.kind) {
    case 'connector':
      return run.connectorId;
    case 'workflow':
      return run.workflowId;
    case 'macro':
      return run.macroId;
    case 'verification':
      return run.event;
  }
}

export const RUN_QUERY_DEFAULT_LIMIT = 50;
export const RUN_QUERY_MAX_LIMIT = 500;
/**
 * A page also stops once its runs' stored JSON reaches this many bytes (it always holds at
 * least one run): 500 runs of large bodies would otherwise be tens of MB in memory at once.
 */
export const RUN_PAGE_MAX_BYTES = 1024 * 1024;

/**
 * Filters for `RunLogStore.query`. All filters combine with AND. `since` is inclusive,
 * `until` exclusive. Parse untrusted input (HTTP query strings) with this schema first: the
 * store treats a malformed cursor or date as a bug.
 */
export const runQuerySchema = z.strictObject({
  connectorId: z.string().min(1).optional(),
  targetSystem: targetSystemSchema.optional(),
  targetId: z.string().min(1).optional(),
  outcome: runOutcomeSchema.optional(),
  errorCode: errorCodeSchema.optional(),
  /** Where the run was asked for (a helpdesk's app, automation, api, mcp). */
  source: runSourceSchema.optional(),
  /** Who ran it: every actor of a kind, or one (the id as the run records it). */
  actor: z
    .strictObject({ kind: runActorSchema.shape.kind, id: z.string().min(1).max(200).optional() })
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  limit: z.int().min(1).max(RUN_QUERY_MAX_LIMIT).optional(),
  /** Stop the page once this many bytes of runs are read (default RUN_PAGE_MAX_BYTES). */
  maxBytes: z.int().min(1).optional(),
  cursor: z
    .string()
    .refine((cursor) => decodeRunCursor(cursor) !== undefined, 'invalid cursor')
    .optional(),
});
export type RunQuery = z.infer<typeof runQuerySchema>;

export interface RunPage {
  /** Newest first. */
  runs: RunRecord[];
  /** Pass back as `cursor` to get the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export interface RunLogStore {
  record(run: RunRecord): Promise<void>;
  get(id: string): Promise<RunRecord | undefined>;
  query(q: RunQuery): Promise<RunPage>;
  /** Latest run per connector for one ticket or record, keyed by connector id (sidebar list). */
  lastRunsFor(
    target: { system: TargetSystem; id: string },
    connectorIds?: string[],
  ): Promise<Record<string, RunRecord>>;
  /**
   * Per connector: its real runs (dry runs left out) since `since` and how many failed, and its
   * latest run of any age (the console's list). Only the ids asked for, each an index lookup.
   */
  summarize(
    connectorIds: readonly string[],
    since: Date,
  ): Promise<Record<string, ConnectorSummary>>;
  /** Deletes runs that started before `olderThan`; resolves to the number deleted. */
  prune(olderThan: Date): Promise<number>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export interface ConnectorSummary {
  runs: number;
  failed: number;
  lastRun?: { id: string; startedAt: string; outcome: RunOutcome; dryRun: boolean };
}

/** Position after the last run of a page, ordered by (startedAt, id) descending. */
export interface RunCursor {
  startedAtMs: number;
  id: string;
}

const CURSOR_PATTERN = new RegExp(`^(\\d{1,16})\\|(run_${RUN_ID_BODY})$`);

/** Cursors are opaque to clients so the keyset can change without breaking their code. */
export function encodeRunCursor(cursor: RunCursor): string {
  return Buffer.from(`${cursor.startedAtMs}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeRunCursor(cursor: string): RunCursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const match = CURSOR_PATTERN.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  const startedAtMs = Number(match[1]);
  if (!Number.isSafeInteger(startedAtMs)) return undefined;
  return { startedAtMs, id: match[2] as string };
}
