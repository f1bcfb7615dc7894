import * as z from 'zod';
import type { CompiledJson } from '../../../server/src/compile/compiled-model';
import type { HelpdeskConfigFormat } from '../../../server/src/compile/config-format';
import type { ParsedTemplate } from '../../../server/src/compile/template';

/** Helpnest's part of the config format: `"helpnest": { "note": …, "fields": {…} }`. */

const helpnestWriteSchema = z.strictObject({
  note: z.string().max(5000).optional().describe('An internal note; may hold templates.'),
  fields: z
    .record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.json())
    .optional()
    .describe('Conversation fields by key; string values may hold templates.'),
});

const helpnestConditionsSchema = z.strictObject({
  inboxes: z.array(z.string()).optional().describe('Offered on conversations in these inboxes.'),
});
export type HelpnestConditions = z.infer<typeof helpnestConditionsSchema>;

export interface HelpnestWrite {
  note: ParsedTemplate | undefined;
  fields: [string, CompiledJson][];
}

const SOURCES = new Set([
  'conversation.id',
  'conversation.subject',
  'conversation.inbox',
  'conversation.order_number',
  'conversation.customer_email',
]);

export const helpnestConfig: HelpdeskConfigFormat = {
  system: 'helpnest',
  parts: {
    label: 'Helpnest',
    target: 'a Helpnest conversation',
    write: helpnestWriteSchema,
    appliesWhen: helpnestConditionsSchema,
    trigger: z.strictObject({}),
  },
  compileWrite(group, at): HelpnestWrite {
    const spec = group as z.infer<typeof helpnestWriteSchema>;
    return {
      note: spec.note === undefined ? undefined : at.template(spec.note, at.pathOf('note')),
      fields: Object.entries(spec.fields ?? {}).map(
        ([key, value]) =>
          [key, at.json(value, [...at.pathOf('fields'), key])] as [string, CompiledJson],
      ),
    };
  },
  sources: {
    owns: (source) => SOURCES.has(source),
    hint: 'conversation.<id|subject|inbox|order_number|customer_email>',
  },
};
