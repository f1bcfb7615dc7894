import * as z from 'zod';
import { FAILURE_KIND_NAMES, FAILURE_KINDS } from './failure-kinds';
import type { FailureKind } from './failure-kinds';
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

export const ID_PATTERN = /^[a-z][a-z0-9_-]{1,63}$/;
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
/** An input may name this many sources, tried in order (one per helpdesk, plus fallbacks). */
export const MAX_INPUT_SOURCES = 4;

/** Parameters the server sets itself on the authorize URL; `authorizeParams` may not override them. */
const RESERVED_AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
];

// OAuth 2.0 authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636), for services a person
// must consent to; tokens come from the console's Connect button, not from the config.
const oauth2AuthorizationCodeSchema = z.strictObject({
  type: z.literal('oauth2AuthorizationCode'),
  authorizeUrl: z
    .url({ protocol: /^https?$/ })
    .describe('Where the admin consents, e.g. "https://accounts.google.com/o/oauth2/v2/auth".'),
  tokenUrl: z
    .url({ protocol: /^https?$/ })
    .describe(
      'Where codes and refresh tokens are exchanged, e.g. "https://oauth2.googleapis.com/token".',
    ),
  clientId: templateSchema,
  clientSecret: templateSchema.describe('Usually "{{secrets.NAME}}".'),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,500}$/, 'one scope, without spaces'))
    .max(100)
    .default([]),
  authorizeParams: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.string().max(1000))
    .refine(
      (params) => Object.keys(params).every((name) => !RESERVED_AUTHORIZE_PARAMS.includes(name)),
      `the server sets ${RESERVED_AUTHORIZE_PARAMS.join(', ')} itself`,
    )
    .default({})
    .describe(
      'Extra authorize URL parameters, e.g. Google\'s {"access_type": "offline", "prompt": "consent"} or Atlassian\'s {"audience": "api.atlassian.com", "prompt": "consent"}.',
    ),
  tokenEndpointAuth: z
    .enum(['client_secret_basic', 'client_secret_post'])
    .default('client_secret_basic')
    .describe('How the client authenticates at tokenUrl (RFC 6749 §2.3.1); Basic by default.'),
  pkce: z.boolean().default(true).describe('Send a PKCE S256 challenge (RFC 7636).'),
  expiredWhen: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe(
      'JMESPath on a 200 JSON answer that is true when the service says the token expired there (some do not answer 401): the token is refreshed once and the request sent again.',
    ),
});

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
  oauth2AuthorizationCodeSchema,
  z.strictObject({
    type: z.literal('jwtBearer'),
    tokenUrl: z.url({ protocol: /^https?$/ }),
    issuer: templateSchema.describe(
      'The service account (iss), such as a Google key\'s "client_email".',
    ),
    subject: templateSchema
      .optional()
      .describe('The user to act as (sub), for domain-wide delegation.'),
    scopes: z.array(z.string().min(1).max(1000)).max(50).default([]),
    audience: z
      .string()
      .max(1000)
      .optional()
      .describe("The assertion's aud; defaults to tokenUrl."),
    privateKey: templateSchema.describe(
      'Must be "{{secrets.NAME}}": a PEM PKCS#8 RSA key, such as a Google key\'s "private_key".',
    ),
    keyId: templateSchema.optional().describe('The key id (kid), such as "private_key_id".'),
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
  hint: z
    .string()
    .max(200)
    .optional()
    .describe(
      'What a valid value looks like, in words for agents ("the order number, with or without #"); shown under the field and when a value does not match the pattern.',
    ),
  example: z
    .string()
    .max(100)
    .optional()
    .describe('A valid value, shown to agents as "e.g. #1001" and in format errors.'),
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

/** A connector as an AI agent's tool (the `agent` surface, served over MCP). */
const agentToolSchema = z.strictObject({
  toolName: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'use lowercase letters, digits and "_" (64 at most)')
    .refine(
      (name) => name !== 'send_verification_code' && name !== 'check_verification_code',
      'this name belongs to the customer verification tools; pick another',
    )
    .optional()
    .describe('The tool name models see; defaults to the connector id.'),
  description: z
    .string()
    .min(1)
    .max(2000)
    .optional()
    .describe(
      'What the tool does and when to use it, written for a model ("Looks up a Shopify order by its number; use when the customer asks where their order is"); defaults to the connector description.',
    ),
});

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

/**
 * The kinds a `failWhen` answer may be sorted into. `notSaved` is the write-back's own kind: an
 * answer cannot claim it.
 */
export const REPORTED_FAILURE_KINDS = FAILURE_KIND_NAMES.filter((kind) => kind !== 'notSaved');
const reportedFailureKindSchema = z.enum(REPORTED_FAILURE_KINDS as [FailureKind, ...FailureKind[]]);

const failureKindRuleSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .max(1000)
    .describe(
      'JMESPath expression on the whole response selecting the API\'s own error code (Slack "error", Linear "errors[0].extensions.code").',
    ),
  kinds: z
    .record(z.string().min(1).max(200), reportedFailureKindSchema)
    .refine((kinds) => Object.keys(kinds).length <= 100, 'map 100 error codes at most')
    .describe(
      'Error code → kind of failure, e.g. {"invalid_auth": "notAuthorized", "ratelimited": "busy"}.',
    ),
  otherwise: reportedFailureKindSchema
    .default('rejected')
    .describe('The kind of an error code the map does not name.'),
});

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
  failWhen: z
    .string()
    .max(1000)
    .optional()
    .describe(
      'JMESPath expression on the whole response, evaluated before emptyWhen; a truthy result fails the run with UPSTREAM_REPORTED_ERROR. For APIs that report errors inside a success answer (Slack\'s "ok == `false`").',
    ),
  failureMessage: z
    .string()
    .max(1000)
    .optional()
    .describe(
      'With failWhen: JMESPath expression on the whole response selecting the API\'s own error text ("error", "errors[0].message"), kept in the run log and in {{error.message}}.',
    ),
  failureKind: failureKindRuleSchema
    .optional()
    .describe(
      'With failWhen: which kind of failure (messages.failures) an error code reported in the answer is; "rejected" when not set.',
    ),
  emptyWhen: z
    .string()
    .max(1000)
    .optional()
    .describe('JMESPath expression on the whole response; a truthy result takes the empty path.'),
  outputs: z.array(outputSchema).max(100).default([]),
});

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

/** Upper bounds of an alert rule: a day of runs is what the alert store keeps per connector. */
export const MAX_ALERT_WINDOW_MINUTES = 24 * 60;

/**
 * When a connector's failures alert an admin (server/src/alerts/). Which rules are set, where
 * notices go and whether the webhook's secret exists are checked when the config compiles, so
 * the errors can say how to fix them.
 */
export const connectorAlertsSchema = z.strictObject({
  failuresInARow: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe(
      'Open an incident when this many real runs in a row failed (dry runs do not count; "empty" is healthy).',
    ),
  failureRate: z
    .strictObject({
      percent: z
        .number()
        .min(1)
        .max(100)
        .describe('Open an incident when at least this share of the runs in the window failed.'),
      windowMinutes: z
        .number()
        .int()
        .min(1)
        .max(MAX_ALERT_WINDOW_MINUTES)
        .describe('How far back runs are counted, in minutes (a day at most).'),
      minRuns: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .default(10)
        .describe(
          'Fewer runs than this in the window never open an incident (one failure of one run is not a rate).',
        ),
    })
    .optional()
    .describe('Open an incident when the share of failed runs over a time window is too high.'),
  email: z
    .array(z.email())
    .min(1)
    .max(20)
    .optional()
    .describe(
      "Who gets the email, through the server's mail server (SMTP_HOST; the mail catcher in the sandbox).",
    ),
  webhook: z
    .strictObject({
      urlSecret: z
        .string()
        .min(1)
        .max(128)
        .describe(
          'The name of the secret that holds the webhook URL (e.g. SLACK_ALERTS_WEBHOOK): a Slack incoming-webhook URL is a credential, so it is never written in the config.',
        ),
    })
    .optional()
    .describe('Posts Slack-compatible JSON ({"text", "blocks"}) to the URL in the named secret.'),
  pause: z
    .boolean()
    .default(false)
    .describe(
      'Pause the connector when an incident opens: agents see it as paused by the admin and runs are refused (CONNECTOR_PAUSED) until an admin resumes it.',
    ),
});
export type ConnectorAlerts = z.infer<typeof connectorAlertsSchema>;

/**
 * What one helpdesk adds to the config format: its group in write-backs, in `appliesWhen` and in
 * workflow triggers. Each helpdesk defines its parts in its own folder
 * (server/src/helpdesks/<name>/); the server builds the format from the helpdesks it runs with.
 */
export interface HelpdeskConfigParts {
  /** How admins call it ("Zendesk"). */
  label: string;
  /** What a run works on, for descriptions ("a Zendesk ticket"). */
  target: string;
  /** What a write changes on its ticket or record (a strict object). */
  write: z.ZodObject;
  /** Conditions on its tickets or records that say where a connector or macro is offered. */
  appliesWhen: z.ZodObject;
  /** What a workflow it starts accepts (`POST /webhooks/<helpdesk>/<workflow id>`). */
  trigger: z.ZodObject;
  /**
   * Set for the helpdesks whose keys loaded without a group before groups existed: those keys
   * still load flat, with a deprecation warning. `aliases` spells a flat key otherwise where a
   * write step's own key takes its name (`type` is written `ticketType`).
   */
  legacyFlat?: { aliases?: Readonly<Record<string, string>> };
}

export type HelpdeskConfigPartsBySystem = Readonly<Record<string, HelpdeskConfigParts>>;

type GroupShape = Record<string, z.ZodOptional<z.ZodObject>>;

/** The groups, one per helpdesk, each optional. */
function groupsOf(
  helpdesks: HelpdeskConfigPartsBySystem,
  part: 'write' | 'appliesWhen' | 'trigger',
  describe: (parts: HelpdeskConfigParts, system: string) => string,
): GroupShape {
  return Object.fromEntries(
    Object.entries(helpdesks).map(([system, parts]) => [
      system,
      parts[part].optional().describe(describe(parts, system)),
    ]),
  );
}

/** The deprecated flat keys of the helpdesks that had them (two helpdesks may not share a key). */
function legacyFlatKeysOf(
  helpdesks: HelpdeskConfigPartsBySystem,
  part: 'write' | 'appliesWhen',
  withAliases: boolean,
): Record<string, z.ZodType> {
  const flat: Record<string, z.ZodType> = {};
  for (const [system, parts] of Object.entries(helpdesks)) {
    if (!parts.legacyFlat) continue;
    for (const [key, schema] of Object.entries(parts[part].shape)) {
      const written = (withAliases ? parts.legacyFlat.aliases?.[key] : undefined) ?? key;
      // A bug in the registry, not in an admin's file: two helpdesks claimed one flat key.
      if (flat[written]) throw new Error(`flat config key "${written}" is claimed twice`);
      flat[written] = (schema as z.ZodType).describe(`Deprecated: put it under "${system}".`);
    }
  }
  return flat;
}

/** The keys of each helpdesk's group, for the compiler's grouping and deprecation checks. */
export function groupKeysOf(
  helpdesks: HelpdeskConfigPartsBySystem,
  part: 'write' | 'appliesWhen',
): Record<string, readonly string[]> {
  return Object.fromEntries(
    Object.entries(helpdesks)
      .filter(([, parts]) => parts.legacyFlat)
      .map(([system, parts]) => [system, Object.keys(parts[part].shape)]),
  );
}

/**
 * The config file's schema for a set of helpdesks. Write-backs, `appliesWhen` and triggers are
 * grouped per helpdesk (`"writeBack": { "success": { "zendesk": {…}, "salesforce": {…} } }`); each
 * helpdesk reads its own group.
 */
export function createConfigSchemas(helpdesks: HelpdeskConfigPartsBySystem) {
  const [first, ...others] = Object.keys(helpdesks);
  if (first === undefined) throw new Error('the config format needs at least one helpdesk');
  const systems: [string, ...string[]] = [first, ...others];
  const labels = systems.map((system) => `"${system}"`).join(', ');
  const surfaces: [string, ...string[]] = [...systems, 'automation', 'agent'];

  const writeSchema = z.strictObject({
    ...groupsOf(helpdesks, 'write', (parts) => `What to change on ${parts.target}.`),
    ...legacyFlatKeysOf(helpdesks, 'write', false),
  });
  const appliesWhenSchema = z.strictObject({
    ...groupsOf(helpdesks, 'appliesWhen', (parts) => `Conditions on ${parts.target}.`),
    ...legacyFlatKeysOf(helpdesks, 'appliesWhen', false),
  });
  const triggerSchema = z
    .strictObject(
      groupsOf(
        helpdesks,
        'trigger',
        (parts, system) =>
          `Started by ${parts.label} through POST /webhooks/${system}/<workflow id>.`,
      ),
    )
    .refine(
      (trigger) => systems.some((system) => trigger[system] !== undefined),
      `name at least one trigger: ${labels}`,
    );

  const connectorSchema = z.strictObject({
    id: idSchema,
    name: z.string().min(1).max(120),
    description: z.string().max(2000).default(''),
    enabled: z.boolean().default(true),
    draft: z
      .boolean()
      .default(false)
      .describe(
        'Work in progress: hidden from agents, AI agents, macros and automations, and runnable only as an admin dry run (to test it) until set to false.',
      ),
    connection: z.string(),
    surfaces: z.array(z.enum(surfaces)).min(1).default([first]),
    appliesWhen: appliesWhenSchema
      .default({})
      .describe(
        'Where the connector is offered, per helpdesk (e.g. "zendesk": ticket tags, brands, groups, forms, statuses; "salesforce": objectTypes); a connector with conditions for only one helpdesk is not offered on the others.',
      ),
    confirm: z
      .boolean()
      .optional()
      .describe(
        'The agent must confirm before it runs. Defaults to true for every method but GET and HEAD.',
      ),
    agent: agentToolSchema
      .optional()
      .describe(
        'How AI agents see this connector as a tool over MCP (with "agent" in "surfaces"): its name and a description written for a model.',
      ),
    verification: z
      .strictObject({ method: z.literal('emailCode') })
      .optional()
      .describe(
        "AI agents may run it only for a customer verified by a one-time code sent to the requester's email as the helpdesk has it (docs/ai-agents.md). The sidebar and automations are not affected.",
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
        failures: z
          .strictObject(
            Object.fromEntries(
              FAILURE_KIND_NAMES.map((kind) => [
                kind,
                templateSchema.optional().describe(`When ${FAILURE_KINDS[kind].when}.`),
              ]),
            ) as Record<FailureKind, z.ZodOptional<typeof templateSchema>>,
          )
          .optional()
          .describe(
            'A message per kind of failure, for the agent; a kind without one uses "failure", then plain words.',
          ),
      })
      .default({}),
    link: z
      .strictObject({
        label: templateSchema.describe('What the link says, e.g. "{{outputs.issue_key}}".'),
        url: templateSchema.describe(
          'An http(s) address, e.g. "{{connection.site_url}}/browse/{{outputs.issue_key}}". Values from inputs and outputs are percent-encoded; connection variables are used as written.',
        ),
      })
      .optional()
      .describe(
        'A link to what a successful run made or found (the Jira issue), shown with the result and when the connector already ran on the ticket or record.',
      ),
    alerts: connectorAlertsSchema
      .optional()
      .describe(
        'Alert an admin by email or webhook when the connector keeps failing (N failures in a row, or a failure rate over a window): once when an incident opens, once when it recovers; optionally pause it.',
      ),
    retry: retrySchema.default({
      maxAttempts: 3,
      initialDelayMs: 300,
      maxDelayMs: 5_000,
      retryOnStatus: [429, 502, 503, 504],
      retryNonIdempotent: false,
    }),
  });

  const { stepSchema, workflowSchema, macroSchema } = createWorkflowSchemas({
    idSchema,
    templateSchema,
    writeStepFields: {
      ...groupsOf(helpdesks, 'write', (parts) => `What to change on ${parts.target}.`),
      ...legacyFlatKeysOf(helpdesks, 'write', true),
    },
    triggerSchema,
    appliesWhenSchema,
    macroSurfaces: systems,
  });

  const connectorConfigSchema = z.strictObject({
    $schema: z.string().optional(),
    connections: z.record(idSchema, connectionSchema).default({}),
    connectors: z.array(connectorSchema).default([]),
    workflows: z
      .array(workflowSchema)
      .default([])
      .describe('Automations started by helpdesk triggers and flows (docs/automations.md).'),
    macros: z
      .array(macroSchema)
      .default([])
      .describe('Named bundles of steps an agent runs on the current ticket or record.'),
  });

  return {
    writeSchema,
    appliesWhenSchema,
    connectorSchema,
    stepSchema,
    workflowSchema,
    macroSchema,
    connectorConfigSchema,
  };
}

export type ConfigSchemas = ReturnType<typeof createConfigSchemas>;
export type Connector = z.infer<ConfigSchemas['connectorSchema']>;
export type ConnectorConfig = z.infer<ConfigSchemas['connectorConfigSchema']>;
/** One write as written: per-helpdesk groups, and the deprecated flat keys. */
export type WriteSpec = z.infer<ConfigSchemas['writeSchema']>;
export type AppliesWhenConfig = z.infer<ConfigSchemas['appliesWhenSchema']>;
/**
 * Conditions by helpdesk, flat keys moved into their groups: what the helpdesks read at run time.
 * Each helpdesk reads its own group with its own schema's type.
 */
export type AppliesWhen = Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
