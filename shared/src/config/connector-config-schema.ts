import * as z from 'zod';
import { INPUT_TYPES } from '../inputs/coerce-input';
import { createWorkflowSchemas } from './workflow-schema';

/**
 * The connector configuration file, as admins write it. This schema is the contract: the server
 * validates every file against it, and `npm run schema` turns it into the JSON Schema that editors
 * use for autocompletion (`$schema` at the top of `config/connectors.json`).
 *
 * Template strings (`"{{inputs.order_number}}"`) are plain strings here; which references are
 * allowed where is checked when the config is compiled, so that errors can name the exact place.
 *
 * @example
 * const parsed = connectorConfigSchema.safeParse(JSON.parse(text));
 */

const ID_PATTERN = /^[a-z][a-z0-9_-]{1,63}$/;
export const idSchema = z
  .string()
  .regex(
    ID_PATTERN,
    'use 2-64 characters: lowercase letters, digits, "_" or "-", starting with a letter',
  );

/** A string that may contain `{{root.path}}` references. */
export const templateSchema = z.string().max(20_000);

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const OUTPUT_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'json'] as const;
export const SURFACES = ['zendesk', 'salesforce', 'automation'] as const;
/** An input may name this many sources, tried in order (one per helpdesk, plus fallbacks). */
export const MAX_INPUT_SOURCES = 4;
export const ZENDESK_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export const ZENDESK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const ZENDESK_TICKET_TYPES = ['problem', 'incident', 'question', 'task'] as const;

const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({
    type: z.literal('bearer'),
    token: templateSchema.describe('Usually "{{secrets.NAME}}".'),
  }),
  z.strictObject({
    type: z.literal('basic'),
    username: templateSchema,
    password: templateSchema,
  }),
  z.strictObject({
    type: z.literal('apiKeyHeader'),
    header: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'use a header name such as X-Api-Key'),
    value: templateSchema.describe(
      'Usually "{{secrets.NAME}}"; a prefix such as "Token " is allowed.',
    ),
  }),
  z.strictObject({
    type: z.literal('oauth2ClientCredentials'),
    tokenUrl: z.url({ protocol: /^https?$/ }),
    clientId: templateSchema,
    clientSecret: templateSchema,
    scope: z.string().max(1000).optional(),
    audience: z.string().max(1000).optional(),
  }),
]);

export const connectionSchema = z.strictObject({
  description: z.string().max(2000).optional(),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .describe('Scheme, host and optional path prefix; request paths are appended to it.'),
  allowedHosts: z
    .array(z.string().min(1).max(253))
    .optional()
    .describe(
      'Hosts requests may go to (exact names, or "*.example.com"). Defaults to the base URL host.',
    ),
  allowPrivateNetwork: z
    .boolean()
    .default(false)
    .describe(
      'Allow loopback, private and link-local addresses. Only for local upstreams such as the sandbox.',
    ),
  auth: authSchema.default({ type: 'none' }),
  headers: z.record(z.string(), templateSchema).default({}),
  variables: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      z.union([z.string(), z.number(), z.boolean()]),
    )
    .default({})
    .describe('Non-secret values available to templates as {{connection.name}}.'),
  timeoutMs: z.number().int().min(100).max(30_000).default(10_000),
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  maxConcurrency: z.number().int().min(1).max(1000).default(20),
});
export type Connection = z.infer<typeof connectionSchema>;
/** A connection's auth, one variant per kind: the only place an auth kind's fields are listed. */
export type ConnectionAuth = z.infer<typeof authSchema>;
export type AuthKind = ConnectionAuth['type'];
export type ConnectionInput = z.input<typeof connectionSchema>;

const inputSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'use lowercase letters, digits and "_"'),
  label: z.string().max(200).optional(),
  description: z.string().max(1000).optional(),
  type: z.enum(INPUT_TYPES).default('string'),
  source: z
    .union([z.string().max(300), z.array(z.string().max(300)).min(1).max(MAX_INPUT_SOURCES)])
    .optional()
    .describe(
      'Where the value comes from: ticket.subject, ticket.custom_fields.<id>, ticket.requester.email, comment.body, agent.email, record.Field__c, ... A list (up to 4) is tried in order and the first non-blank value on the ticket or record is used, so one input can read a Zendesk field on tickets and a Salesforce field on records: ["ticket.custom_fields.360001000001", "record.Order_Number__c"].',
    ),
  prompt: z
    .boolean()
    .default(false)
    .describe('The agent types the value in the sidebar; "source", when set, pre-fills it.'),
  required: z.boolean().default(true),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  pattern: z.string().max(500).optional(),
  maxLength: z.number().int().positive().max(100_000).optional(),
  trim: z.boolean().default(true),
  redact: z
    .boolean()
    .default(false)
    .describe('Masked in run logs (for example a date of birth); still sent to the API.'),
});
export type ConnectorInput = z.infer<typeof inputSchema>;

const bodySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('json'),
    value: z.json().describe('Any JSON; string leaves may hold templates.'),
  }),
  z.strictObject({ type: z.literal('form'), value: z.record(z.string(), templateSchema) }),
  z.strictObject({
    type: z.literal('text'),
    value: templateSchema,
    contentType: z.string().max(200).default('text/plain; charset=utf-8'),
  }),
]);

const requestSchema = z.strictObject({
  method: z.enum(HTTP_METHODS).default('GET'),
  path: templateSchema
    .default('')
    .describe('Appended to the connection base URL; each {{value}} is percent-encoded.'),
  query: z.record(z.string(), templateSchema).default({}),
  headers: z.record(z.string(), templateSchema).default({}),
  body: bodySchema.optional(),
});

const outputSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'use lowercase letters, digits and "_"'),
  label: z.string().max(200).optional(),
  path: z
    .string()
    .min(1)
    .max(1000)
    .describe('JMESPath expression, evaluated on the response root.'),
  type: z.enum(OUTPUT_TYPES).default('string'),
  redact: z
    .boolean()
    .default(false)
    .describe('Still written back, but masked in run logs and in what the agent sees.'),
});
export type ConnectorOutput = z.infer<typeof outputSchema>;

const responseSchema = z.strictObject({
  successStatus: z.array(z.number().int().min(100).max(599)).optional(),
  emptyStatus: z
    .array(z.number().int().min(100).max(599))
    .default([404])
    .describe('Statuses that mean "nothing found" (the empty path) rather than a failure.'),
  root: z
    .string()
    .max(1000)
    .optional()
    .describe('JMESPath expression selecting the object outputs are read from.'),
  emptyWhen: z
    .string()
    .max(1000)
    .optional()
    .describe('JMESPath expression on the whole response; a truthy result takes the empty path.'),
  outputs: z.array(outputSchema).max(100).default([]),
});

/** What a write changes on a Zendesk ticket. */
const zendeskWriteSchema = z.strictObject({
  customFields: z
    .record(z.string().regex(/^[0-9]{1,20}$/, 'use the numeric Zendesk ticket field id'), z.json())
    .optional()
    .describe('Ticket custom fields by id; string values may hold templates.'),
  status: z.string().max(200).optional(),
  priority: z.string().max(200).optional(),
  type: z.string().max(200).optional(),
  addTags: z.array(z.string().max(200)).optional(),
  removeTags: z.array(z.string().max(200)).optional(),
  internalNote: templateSchema.optional(),
});

/** What a write changes on a Salesforce record. */
const salesforceWriteSchema = z.strictObject({
  recordFields: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/), z.json())
    .optional()
    .describe('Record fields by API name; string values may hold templates.'),
});

/** The keys of each helpdesk's write, for the compiler's grouping and deprecation checks. */
export const WRITE_KEYS_BY_HELPDESK = {
  zendesk: Object.keys(zendeskWriteSchema.shape) as (keyof typeof zendeskWriteSchema.shape)[],
  salesforce: Object.keys(
    salesforceWriteSchema.shape,
  ) as (keyof typeof salesforceWriteSchema.shape)[],
} as const;

const deprecatedFlat = <T extends z.ZodRawShape>(shape: T, helpdesk: string): T =>
  Object.fromEntries(
    Object.entries(shape).map(([key, schema]) => [
      key,
      (schema as z.ZodType).describe(`Deprecated: put it under "${helpdesk}".`),
    ]),
  ) as unknown as T;

/**
 * One ticket or record update, grouped by helpdesk: `zendesk` for tickets, `salesforce` for
 * records; each helpdesk reads its own group. The older flat form (the same keys without a group)
 * still loads, with a deprecation warning.
 */
export const writeSchema = z.strictObject({
  zendesk: zendeskWriteSchema.optional().describe('What to change on a Zendesk ticket.'),
  salesforce: salesforceWriteSchema.optional().describe('What to change on a Salesforce record.'),
  ...deprecatedFlat(zendeskWriteSchema.shape, 'zendesk'),
  ...deprecatedFlat(salesforceWriteSchema.shape, 'salesforce'),
});
export type WriteSpec = z.infer<typeof writeSchema>;
/** A write with its groups merged: what the compiler works on. */
export type FlatWriteSpec = z.infer<typeof zendeskWriteSchema> &
  z.infer<typeof salesforceWriteSchema>;

/** Where a connector or macro is offered on Zendesk: conditions on the ticket. */
const zendeskConditionsSchema = z.strictObject({
  tagsAny: z.array(z.string()).optional(),
  tagsAll: z.array(z.string()).optional(),
  tagsNone: z.array(z.string()).optional(),
  brandIds: z.array(z.number().int()).optional(),
  groupIds: z.array(z.number().int()).optional(),
  ticketFormIds: z.array(z.number().int()).optional(),
  statuses: z.array(z.enum(ZENDESK_STATUSES)).optional(),
});

/** Where a connector or macro is offered on Salesforce: the record's object. */
const salesforceConditionsSchema = z.strictObject({
  objectTypes: z.array(z.string()).optional().describe('Salesforce object API names, e.g. Case.'),
});

export const CONDITION_KEYS_BY_HELPDESK = {
  zendesk: Object.keys(
    zendeskConditionsSchema.shape,
  ) as (keyof typeof zendeskConditionsSchema.shape)[],
  salesforce: Object.keys(
    salesforceConditionsSchema.shape,
  ) as (keyof typeof salesforceConditionsSchema.shape)[],
} as const;

/**
 * Conditions are per helpdesk: `zendesk` conditions are read on tickets, `salesforce` ones on
 * records. A connector with conditions for only one helpdesk is not offered on the other. The
 * older flat form (the same keys without a group) still loads, with a deprecation warning.
 */
export const appliesWhenSchema = z.strictObject({
  zendesk: zendeskConditionsSchema.optional().describe('Conditions on Zendesk tickets.'),
  salesforce: salesforceConditionsSchema.optional().describe('Conditions on Salesforce records.'),
  ...deprecatedFlat(zendeskConditionsSchema.shape, 'zendesk'),
  ...deprecatedFlat(salesforceConditionsSchema.shape, 'salesforce'),
});
export type AppliesWhenConfig = z.infer<typeof appliesWhenSchema>;
/** Conditions with their groups merged: what the helpdesks read at run time. */
export type AppliesWhen = z.infer<typeof zendeskConditionsSchema> &
  z.infer<typeof salesforceConditionsSchema>;

const retrySchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(10).default(3),
  initialDelayMs: z.number().int().min(0).max(60_000).default(300),
  maxDelayMs: z.number().int().min(0).max(120_000).default(5_000),
  retryOnStatus: z.array(z.number().int().min(400).max(599)).default([429, 502, 503, 504]),
  retryNonIdempotent: z
    .boolean()
    .default(false)
    .describe('Also retry POST and PATCH. Only safe when the API deduplicates requests.'),
});

export const connectorSchema = z.strictObject({
  id: idSchema,
  name: z.string().min(1).max(120),
  description: z.string().max(2000).default(''),
  enabled: z.boolean().default(true),
  connection: z.string(),
  surfaces: z.array(z.enum(SURFACES)).min(1).default(['zendesk']),
  appliesWhen: appliesWhenSchema
    .default({})
    .describe(
      'Where the connector is offered. Ticket conditions (tags, brands, groups, forms, statuses) hold on Zendesk tickets, objectTypes on Salesforce records; a connector with conditions for only one helpdesk is not offered on the other.',
    ),
  confirm: z
    .boolean()
    .optional()
    .describe(
      'The agent must confirm before it runs. Defaults to true for every method but GET and HEAD.',
    ),
  inputs: z.array(inputSchema).max(50).default([]),
  request: requestSchema,
  response: responseSchema.default({ emptyStatus: [404], outputs: [] }),
  writeBack: z
    .strictObject({
      success: writeSchema.optional(),
      empty: writeSchema.optional(),
      failure: writeSchema.optional(),
    })
    .default({}),
  messages: z
    .strictObject({
      success: templateSchema.optional(),
      empty: templateSchema.optional(),
      failure: templateSchema.optional(),
    })
    .default({}),
  retry: retrySchema.default({
    maxAttempts: 3,
    initialDelayMs: 300,
    maxDelayMs: 5_000,
    retryOnStatus: [429, 502, 503, 504],
    retryNonIdempotent: false,
  }),
});
export type Connector = z.infer<typeof connectorSchema>;

export const { workflowSchema, macroSchema } = createWorkflowSchemas({
  idSchema,
  templateSchema,
  writeSchema,
  appliesWhenSchema,
});

export const connectorConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  connections: z.record(idSchema, connectionSchema).default({}),
  connectors: z.array(connectorSchema).default([]),
  workflows: z
    .array(workflowSchema)
    .default([])
    .describe('Automations started by Zendesk triggers or Salesforce flows (docs/automations.md).'),
  macros: z
    .array(macroSchema)
    .default([])
    .describe('Named bundles of steps an agent runs on the current ticket or record.'),
});
export type ConnectorConfig = z.infer<typeof connectorConfigSchema>;

/** The conditions with the per-helpdesk groups merged into one flat set (the group wins). */
export function flattenAppliesWhen(config: AppliesWhenConfig): AppliesWhen {
  const { zendesk, salesforce, ...flat } = config;
  return { ...flat, ...zendesk, ...salesforce };
}

/** The write with the per-helpdesk groups merged into one flat set (the group wins). */
export function flattenWriteSpec(spec: WriteSpec): FlatWriteSpec {
  const { zendesk, salesforce, ...flat } = spec;
  return { ...flat, ...zendesk, ...salesforce };
}
