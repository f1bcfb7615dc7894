import * as z from 'zod';
import type {
  idSchema as IdSchema,
  templateSchema as TemplateSchema,
} from './connector-config-schema';

/**
 * Workflows (started by a Zendesk trigger or a Salesforce flow) and macros (run by an agent) in
 * the connector configuration file. Both are lists of steps run by one step engine:
 *
 * - `collect`: values read from the ticket or record (and, for a workflow, from the trigger's
 *   body); a missing required value runs `onMissing` and ends the workflow as failed;
 * - `run`: runs a connector, with inputs rendered from collected values and earlier outputs;
 * - `branch`: separate steps for a run's success, empty and failure outcomes;
 * - `write`: one ticket or record update (fields, tags, an internal note);
 * - `stop`: ends the workflow with an outcome and a message.
 *
 * The pieces shared with connectors (ids, templates, the write spec, `appliesWhen`) are defined
 * in connector-config-schema.ts, which calls `createWorkflowSchemas` with them: importing them
 * here as values would make the two modules import each other while they are being evaluated.
 *
 * @example
 * { "id": "feature_request_to_jira", "name": "Feature request to Jira", "trigger": { "zendesk": {} },
 *   "steps": [{ "type": "run", "id": "create_issue", "connector": "jira_create_issue" }] }
 */

export const STEP_ID_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
export const STOP_OUTCOMES = ['success', 'failed'] as const;

interface SharedSchemas {
  idSchema: typeof IdSchema;
  templateSchema: typeof TemplateSchema;
  /** A write step's keys besides `type` and `id`: the helpdesks' write groups (and flat keys). */
  writeStepFields: Record<string, z.ZodType>;
  /** A workflow's trigger: one group per helpdesk, at least one named. */
  triggerSchema: z.ZodType<Record<string, Record<string, unknown> | undefined>>;
  /** Where a macro is offered: one group of conditions per helpdesk. */
  appliesWhenSchema: z.ZodObject;
  /** The helpdesks a macro may be offered on. */
  macroSurfaces: readonly [string, ...string[]];
}

const stepIdSchema = z
  .string()
  .regex(STEP_ID_PATTERN, 'use lowercase letters, digits and "_", starting with a letter')
  .describe('Unique within the workflow; progress, idempotency keys and {{steps.<id>…}} use it.');

/** Builds the workflow and macro schemas from the connector schema's shared pieces. */
export function createWorkflowSchemas(shared: SharedSchemas) {
  const {
    idSchema,
    templateSchema,
    writeStepFields,
    triggerSchema,
    appliesWhenSchema,
    macroSurfaces,
  } = shared;

  const collectValueSchema = z.strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'use lowercase letters, digits and "_"')
      .describe('Later steps read it as {{collected.<name>}}.'),
    source: z
      .string()
      .max(300)
      .describe(
        'ticket.subject, ticket.custom_fields.<id>, ticket.requester.email, record.Field__c, or trigger.<key> (a key of the webhook body; workflows only).',
      ),
    required: z.boolean().default(true),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  });

  const collectStepSchema = z.strictObject({
    type: z.literal('collect'),
    id: stepIdSchema,
    values: z.array(collectValueSchema).min(1).max(50),
    get onMissing(): z.ZodOptional<z.ZodArray<typeof stepSchema>> {
      return z
        .array(stepSchema)
        .max(50)
        .optional()
        .describe(
          'Steps run when a required value is missing (e.g. a tag and a note); the workflow then ends as failed with a message naming the value. {{error.message}} names it.',
        );
    },
  });

  const runStepSchema = z.strictObject({
    type: z.literal('run'),
    id: stepIdSchema,
    connector: idSchema,
    inputs: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), templateSchema)
      .default({})
      .describe(
        'Connector inputs by name, e.g. {"summary": "{{collected.subject}}"}; they replace the input\'s own source.',
      ),
    writeBack: z
      .boolean()
      .default(true)
      .describe(
        "Run the connector's own write-back. Turn it off when the workflow's write steps do the writing: a retried attempt would otherwise write the failure path each time.",
      ),
    idempotencyKey: z
      .union([z.literal(true), templateSchema])
      .optional()
      .describe(
        'true for "<delivery id>:<step id>", or a template. Sent to the connector as its "idempotency_key" input (which the connector puts in a header such as Idempotency-Key). With it, a step interrupted by a crash is sent again with the same key; without it, a step of a POST or PATCH connector that may have reached the upstream is never sent twice.',
      ),
  });

  const branchStepSchema = z.strictObject({
    type: z.literal('branch'),
    id: stepIdSchema,
    on: stepIdSchema.describe('The id of an earlier "run" step.'),
    get success(): z.ZodOptional<z.ZodArray<typeof stepSchema>> {
      return z.array(stepSchema).max(50).optional();
    },
    get empty(): z.ZodOptional<z.ZodArray<typeof stepSchema>> {
      return z.array(stepSchema).max(50).optional();
    },
    get failure(): z.ZodOptional<z.ZodArray<typeof stepSchema>> {
      return z
        .array(stepSchema)
        .max(50)
        .optional()
        .describe('{{error.code}} and {{error.message}} describe the failure here.');
    },
  });

  // The flat (deprecated) Zendesk key "type" is written "ticketType": "type" names the step kind.
  const writeStepSchema = z.strictObject({
    type: z.literal('write'),
    id: stepIdSchema,
    ...writeStepFields,
  });

  const stopStepSchema = z.strictObject({
    type: z.literal('stop'),
    id: stepIdSchema,
    outcome: z.enum(STOP_OUTCOMES).default('success'),
    message: templateSchema.optional(),
  });

  const stepSchema = z.discriminatedUnion('type', [
    collectStepSchema,
    runStepSchema,
    branchStepSchema,
    writeStepSchema,
    stopStepSchema,
  ]);

  const stepsSchema = z.array(stepSchema).min(1).max(100);

  const workflowSchema = z.strictObject({
    id: idSchema,
    name: z.string().min(1).max(120),
    description: z.string().max(2000).default(''),
    enabled: z.boolean().default(true),
    trigger: triggerSchema,
    steps: stepsSchema,
    maxAttempts: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(5)
      .describe('Attempts before a delivery goes to the dead letters.'),
    retry: z
      .strictObject({
        initialDelayMs: z.number().int().min(10).max(3_600_000).default(10_000),
        maxDelayMs: z.number().int().min(10).max(86_400_000).default(600_000),
      })
      .default({ initialDelayMs: 10_000, maxDelayMs: 600_000 })
      .describe('Backoff between attempts: doubling from initialDelayMs, capped, with jitter.'),
  });

  const macroSchema = z.strictObject({
    id: idSchema,
    name: z.string().min(1).max(120),
    description: z.string().max(2000).default(''),
    enabled: z.boolean().default(true),
    surfaces: z.array(z.enum(macroSurfaces)).min(1).default([macroSurfaces[0]]),
    appliesWhen: appliesWhenSchema.default({}),
    steps: stepsSchema,
  });

  return { stepSchema, workflowSchema, macroSchema };
}

type WorkflowSchemas = ReturnType<typeof createWorkflowSchemas>;
export type WorkflowStep = z.infer<WorkflowSchemas['stepSchema']>;
export type Workflow = z.infer<WorkflowSchemas['workflowSchema']>;
export type Macro = z.infer<WorkflowSchemas['macroSchema']>;
export type CollectStep = Extract<WorkflowStep, { type: 'collect' }>;
export type RunStep = Extract<WorkflowStep, { type: 'run' }>;
export type BranchStep = Extract<WorkflowStep, { type: 'branch' }>;
export type WriteStep = Extract<WorkflowStep, { type: 'write' }>;
export type StopStep = Extract<WorkflowStep, { type: 'stop' }>;
