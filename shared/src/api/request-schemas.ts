import * as z from 'zod/mini';

/**
 * What the apps send: the query strings and bodies of the endpoints in endpoints.ts. Written with
 * zod/mini because the sidebar bundles the contracts (zod classic would double its download);
 * the server parses with them all the same, since both flavours share zod's core. zod's own
 * messages ("Invalid input: expected string…") come from the English locale that zod classic
 * installs for the whole process when it loads, as it does in the server; zod/mini alone leaves
 * them at "Invalid input", which the browser never shows.
 */

const inputValueSchema = z.union([
  z.string().check(z.maxLength(100_000)),
  z.number(),
  z.boolean(),
  z.null(),
]);
const inputsSchema = z._default(z.record(z.string().check(z.maxLength(64)), inputValueSchema), {});

// Zendesk ids are whole numbers; the server handles them as JavaScript numbers, so an id past
// Number.MAX_SAFE_INTEGER (16 digits) could not name one ticket exactly and is refused here.
export const zendeskIdSchema = z.union([
  z.number().check(z.int(), z.positive()),
  z.string().check(
    z.regex(/^[0-9]{1,16}$/, 'must be a numeric id'),
    z.refine((id) => Number(id) >= 1 && Number.isSafeInteger(Number(id)), {
      message: `must be a numeric id from 1 to ${Number.MAX_SAFE_INTEGER}`,
    }),
  ),
]);

/** Query of `GET /api/connectors`. */
export const listConnectorsQuerySchema = z.strictObject({
  ticketId: zendeskIdSchema,
  surface: z._default(z.enum(['zendesk', 'automation']), 'zendesk'),
});

/**
 * Body of `POST /api/connectors/:connectorId/run`.
 *
 * @example
 * { "ticketId": 1, "inputs": { "order_number": "#1001" }, "confirmed": true }
 */
export const runConnectorBodySchema = z.strictObject({
  ticketId: zendeskIdSchema,
  commentId: z.optional(zendeskIdSchema),
  /** Only inputs marked `prompt` may be given; the others come from the ticket. */
  inputs: inputsSchema,
  confirmed: z._default(z.boolean(), false),
  dryRun: z._default(z.boolean(), false),
  /**
   * Admin token only: the Zendesk user to run it as (looked up, role checked). A sidebar
   * session always runs as its own agent, and may only repeat that agent's id here.
   */
  agentId: z.optional(zendeskIdSchema),
  surface: z._default(z.enum(['zendesk', 'automation']), 'zendesk'),
});

/** Query of `GET /api/macros`. */
export const listMacrosQuerySchema = z.strictObject({ ticketId: zendeskIdSchema });

/**
 * Body of `POST /api/macros/:macroId/run`.
 *
 * @example
 * { "ticketId": 1, "confirmed": true }
 */
export const runMacroBodySchema = z.strictObject({
  ticketId: zendeskIdSchema,
  confirmed: z._default(z.boolean(), false),
  /** Admin token only, as for connector runs: the Zendesk user the macro runs as. */
  agentId: z.optional(zendeskIdSchema),
});

/** Query of `GET /api/runs`. */
export const listRunsQuerySchema = z.strictObject({
  connectorId: z.optional(z.string().check(z.maxLength(64))),
  ticketId: z.optional(zendeskIdSchema),
  outcome: z.optional(z.enum(['success', 'empty', 'failed'])),
  errorCode: z.optional(
    z
      .string()
      .check(
        z.maxLength(64),
        z.regex(/^[A-Z][A-Z0-9_]*$/, 'must be a code such as UPSTREAM_TIMEOUT'),
      ),
  ),
  since: z.optional(z.iso.datetime({ offset: true })),
  until: z.optional(z.iso.datetime({ offset: true })),
  limit: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(500)), 50),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});

const salesforceIdSchema = z
  .string()
  .check(
    z.regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id'),
  );
const objectApiNameSchema = z
  .string()
  .check(z.regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'must be an object API name such as Case'));
const allowedConnectorIdsSchema = z
  .array(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a connector id')))
  .check(z.maxLength(500));

/**
 * Query of `GET /api/salesforce/connectors` and `/macros`, sent by the Apex controller.
 * `allowedConnectorIds` (comma-separated) is the admin's setting for this object, which Apex
 * reads from Data_Connectors_Setting__mdt: only those connectors, and macros made only of them,
 * are listed. Absent: every connector.
 */
export const salesforceListQuerySchema = z.strictObject({
  objectApiName: objectApiNameSchema,
  recordId: salesforceIdSchema,
  userId: z.optional(salesforceIdSchema),
  allowedConnectorIds: z.optional(
    z.pipe(
      z.pipe(
        z.string().check(z.maxLength(33_000)),
        z.transform((value: string) => value.split(',').filter((id) => id !== '')),
      ),
      allowedConnectorIdsSchema,
    ),
  ),
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
  userId: z.optional(salesforceIdSchema),
  inputs: inputsSchema,
  confirmed: z._default(z.boolean(), false),
  dryRun: z._default(z.boolean(), false),
  /** Write only the record fields the user's profile may edit (needs userId). */
  onlyEditableFields: z._default(z.boolean(), false),
  /**
   * Whether the user may edit the record (Apex: UserRecordAccess.HasEditAccess); `false`
   * refuses runs that write to it with 403 TICKET_EDIT_FORBIDDEN. Absent: not checked.
   */
  recordEditable: z.optional(z.boolean()),
  /** The admin's allowed connectors for this object (see the list query); others get 403. */
  allowedConnectorIds: z.optional(allowedConnectorIdsSchema),
});

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
  userId: z.optional(salesforceIdSchema),
  confirmed: z._default(z.boolean(), false),
  /** As for connector runs: every step writes only fields the user may edit. */
  onlyEditableFields: z._default(z.boolean(), false),
  /** As for connector runs: `false` refuses a macro whose steps write to the record. */
  recordEditable: z.optional(z.boolean()),
  /** As for connector runs: a macro with a step outside this list gets 403. */
  allowedConnectorIds: z.optional(allowedConnectorIdsSchema),
});
