import * as z from 'zod';
import { idSchema } from '../config/connector-config-schema';

/**
 * A connector template (`templates/<id>.json`): a complete connector and its connection for one
 * service, with the blanks an admin fills in when adding it (`connectors add`, the console form).
 *
 * Blanks are written `{{template.NAME}}` anywhere in `connection` or `connector`, in values and
 * in object keys (a Zendesk custom field id is a key of `customFields`). A blank left empty that
 * is optional removes the array element or object entry that holds it, so "which field to write
 * the tracking number to: none" simply drops that write. Secret names are declared in `secrets`
 * and may be renamed when the template is added; `{{secrets.NAME}}` is rewritten to match.
 *
 * @example
 * const parsed = connectorTemplateSchema.safeParse(JSON.parse(text));
 */

export const TEMPLATE_CATEGORIES = [
  'commerce',
  'payments',
  'engineering',
  'tasks',
  'calendar',
  'messaging',
  'crm',
  'helpdesk',
  'generic',
] as const;

/**
 * What a blank holds, which decides how `add` asks for it: a Zendesk ticket field and a Salesforce
 * field are picked from the helpdesk's own list; text and urls are typed.
 */
export const TEMPLATE_PARAMETER_KINDS = [
  'text',
  'url',
  'zendeskTicketField',
  'salesforceField',
] as const;
export type TemplateParameterKind = (typeof TEMPLATE_PARAMETER_KINDS)[number];

/** Which part of the service's documentation a citation backs; every template cites each. */
export const TEMPLATE_DOC_TOPICS = ['request', 'auth', 'errors', 'rateLimits'] as const;

const parameterSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'use lowercase letters, digits and "_"'),
  label: z.string().min(1).max(200),
  description: z.string().max(1000).default(''),
  kind: z.enum(TEMPLATE_PARAMETER_KINDS).default('text'),
  required: z.boolean().default(true),
  default: z.string().max(2000).optional(),
  example: z.string().max(2000).optional(),
  pattern: z
    .string()
    .max(500)
    .optional()
    .describe('A regular expression the whole value must match (text and url blanks).'),
  salesforceObject: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/)
    .optional()
    .describe('For a salesforceField blank: the object whose fields are offered.'),
  fieldTypes: z
    .array(z.string().min(1).max(60))
    .optional()
    .describe(
      'For field blanks: the helpdesk field types offered (Zendesk "text", "tagger"…; Salesforce "string", "picklist"…).',
    ),
});
export type TemplateParameter = z.infer<typeof parameterSchema>;

const secretSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'use upper-case letters, digits and "_", e.g. SHOPIFY_TOKEN'),
  label: z.string().min(1).max(200),
  howToGet: z.string().min(1).max(2000).describe('Where in the service the admin creates it.'),
});
export type TemplateSecret = z.infer<typeof secretSchema>;

const docLinkSchema = z.strictObject({
  topic: z.enum(TEMPLATE_DOC_TOPICS),
  title: z.string().min(1).max(300),
  url: z.url({ protocol: /^https$/ }),
});

export const connectorTemplateSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: idSchema,
    title: z.string().min(1).max(120),
    service: z.string().min(1).max(80),
    category: z.enum(TEMPLATE_CATEGORIES),
    summary: z.string().min(1).max(1000),
    auth: z.strictObject({
      type: z.string().min(1).max(60).describe('The connection auth type the template uses.'),
      why: z
        .string()
        .min(1)
        .max(2000)
        .describe('Why this auth among those the service offers, and what the others would need.'),
    }),
    sideEffects: z
      .strictObject({
        what: z.string().min(1).max(1000).describe('What the run changes in the service.'),
        guard: z
          .string()
          .min(1)
          .max(2000)
          .describe('How the template keeps one ticket from doing it twice.'),
      })
      .optional()
      .describe('Required when the request changes something in the service.'),
    docs: z.array(docLinkSchema).min(1).max(20),
    parameters: z.array(parameterSchema).max(30).default([]),
    secrets: z.array(secretSchema).max(10).default([]),
    connection: z.strictObject({
      id: idSchema.describe('The connection id the template adds (renameable).'),
      value: z.record(z.string(), z.unknown()),
    }),
    connector: z.record(z.string(), z.unknown()),
  })
  .superRefine((template, ctx) => {
    for (const topic of TEMPLATE_DOC_TOPICS) {
      if (!template.docs.some((doc) => doc.topic === topic)) {
        ctx.addIssue({
          code: 'custom',
          path: ['docs'],
          message: `cite the service's documentation for "${topic}" (a docs entry with "topic": "${topic}")`,
        });
      }
    }
    const names = new Set<string>();
    for (const [index, parameter] of template.parameters.entries()) {
      if (names.has(parameter.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', index, 'name'],
          message: `"${parameter.name}" is declared twice`,
        });
      }
      names.add(parameter.name);
    }
  });
export type ConnectorTemplate = z.infer<typeof connectorTemplateSchema>;
