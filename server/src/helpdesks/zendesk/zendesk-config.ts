import * as z from 'zod';
import type { AppliesWhen } from '../../../../shared/src/config/connector-config-schema';
import type { CompiledJson, CompiledWrite } from '../../compile/compiled-model';
import type { HelpdeskConfigFormat, WriteCompileContext } from '../../compile/config-format';
import type { ParsedTemplate } from '../../compile/template';
import { appliesOn } from '../../runs/applies-when';

/**
 * What Zendesk adds to the config format: the `"zendesk"` group of write-backs (custom fields,
 * status, priority, type, tags, an internal note), of `appliesWhen` (ticket tags, brands, groups,
 * forms, statuses) and of workflow triggers, and the `ticket.*` and `comment.*` input sources.
 */

export const ZENDESK_STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
export const ZENDESK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const ZENDESK_TICKET_TYPES = ['problem', 'incident', 'question', 'task'] as const;

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
  internalNote: z.string().max(20_000).optional(),
});
type ZendeskWriteSpec = z.infer<typeof zendeskWriteSchema>;

const zendeskConditionsSchema = z.strictObject({
  tagsAny: z.array(z.string()).optional(),
  tagsAll: z.array(z.string()).optional(),
  tagsNone: z.array(z.string()).optional(),
  brandIds: z.array(z.number().int()).optional(),
  groupIds: z.array(z.number().int()).optional(),
  ticketFormIds: z.array(z.number().int()).optional(),
  statuses: z.array(z.enum(ZENDESK_STATUSES)).optional(),
});
export type ZendeskConditions = z.infer<typeof zendeskConditionsSchema>;

/** One ticket update with its templates parsed: what build-ticket-update.ts renders. */
export interface ZendeskWrite {
  customFields: [string, CompiledJson][];
  status: ParsedTemplate | undefined;
  priority: ParsedTemplate | undefined;
  type: ParsedTemplate | undefined;
  addTags: ParsedTemplate[];
  removeTags: ParsedTemplate[];
  internalNote: ParsedTemplate | undefined;
}

/** The Zendesk part of a compiled write, made by `compileZendeskWrite` below. */
export function zendeskWriteOf(write: CompiledWrite | undefined): ZendeskWrite | undefined {
  return write?.zendesk as ZendeskWrite | undefined;
}

function compileZendeskWrite(
  group: Readonly<Record<string, unknown>>,
  at: WriteCompileContext,
): ZendeskWrite {
  const spec = group as ZendeskWriteSpec;
  const enumTemplate = (key: 'status' | 'priority' | 'type', allowed: readonly string[]) => {
    const value = spec[key];
    if (value === undefined) return undefined;
    const template = at.template(value, at.pathOf(key));
    if (template.parts.every((part) => part.kind === 'text') && !allowed.includes(value)) {
      at.issues.error(
        at.pathOf(key),
        `"${value}" is not a Zendesk ticket ${key}`,
        `use one of ${allowed.join(', ')}`,
      );
    }
    return template;
  };
  const customFields = Object.entries(spec.customFields ?? {}).map(([id, value]) => {
    // Ticket field ids are sent as JSON numbers; past 2^53 they would silently name another field.
    if (!Number.isSafeInteger(Number(id))) {
      at.issues.error(
        [...at.pathOf('customFields'), id],
        `ticket field id ${id} is too large`,
        'copy the id from Admin Center > Objects and rules > Tickets > Fields',
      );
    }
    return [id, at.json(value, [...at.pathOf('customFields'), id])] as [string, CompiledJson];
  });
  const tags = (key: 'addTags' | 'removeTags') =>
    (spec[key] ?? []).map((tag, index) => at.template(tag, [...at.pathOf(key), index]));
  return {
    customFields,
    status: enumTemplate('status', ZENDESK_STATUSES),
    priority: enumTemplate('priority', ZENDESK_PRIORITIES),
    type: enumTemplate('type', ZENDESK_TICKET_TYPES),
    addTags: tags('addTags'),
    removeTags: tags('removeTags'),
    internalNote:
      spec.internalNote === undefined
        ? undefined
        : at.template(spec.internalNote, at.pathOf('internalNote')),
  };
}

/**
 * The ticket, its requester and organization, and the comment a connector is run on (the agent's
 * sources, `agent.*`, every helpdesk reads).
 */
const TICKET_SOURCES = new Set([
  'ticket.id',
  'ticket.subject',
  'ticket.description',
  'ticket.status',
  'ticket.priority',
  'ticket.type',
  'ticket.tags',
  'ticket.brand_id',
  'ticket.group_id',
  'ticket.external_id',
  'ticket.ticket_form_id',
  'ticket.requester.id',
  'ticket.requester.email',
  'ticket.requester.name',
  'ticket.organization.id',
  'ticket.organization.name',
  'comment.id',
  'comment.body',
  'comment.author_id',
]);
const CUSTOM_FIELD_SOURCE = /^ticket\.custom_fields\.([0-9]{1,20})$/;

export const zendeskConfig: HelpdeskConfigFormat = {
  system: 'zendesk',
  parts: {
    label: 'Zendesk',
    target: 'a Zendesk ticket',
    write: zendeskWriteSchema,
    appliesWhen: zendeskConditionsSchema,
    trigger: z.strictObject({}),
    // Write steps have a "type" of their own, so the flat ticket type is written "ticketType".
    legacyFlat: { aliases: { type: 'ticketType' } },
  },
  compileWrite: compileZendeskWrite,
  sources: {
    owns: (source) => TICKET_SOURCES.has(source) || CUSTOM_FIELD_SOURCE.test(source),
    needsAgentContext: (source) => source.startsWith('comment.'),
    hint: 'ticket.<id|subject|description|status|priority|type|tags|brand_id|group_id|external_id|ticket_form_id>, ticket.custom_fields.<field id>, ticket.requester.<id|email|name>, ticket.organization.<id|name>, comment.<body|id|author_id>',
  },
};

/** The facts of a ticket that ticket conditions read. */
export interface TicketFacts {
  tags: readonly string[];
  brandId: number | null | undefined;
  groupId: number | null | undefined;
  ticketFormId: number | null | undefined;
  status: string | undefined;
}

/** Whether `when` holds for a Zendesk ticket (runs/applies-when.ts has the rule across helpdesks). */
export function appliesToTicket(when: AppliesWhen, ticket: TicketFacts): boolean {
  return appliesOn('zendesk', when, (group) => {
    const conditions = group as ZendeskConditions;
    const tags = new Set(ticket.tags);
    const { tagsAny = [], tagsAll = [], tagsNone = [] } = conditions;
    if (tagsAny.length > 0 && !tagsAny.some((tag) => tags.has(tag))) return false;
    if (!tagsAll.every((tag) => tags.has(tag))) return false;
    if (tagsNone.some((tag) => tags.has(tag))) return false;
    const inList = (list: readonly (number | string)[] = [], value: unknown) =>
      list.length === 0 || list.some((entry) => entry === value);
    return (
      inList(conditions.brandIds, ticket.brandId) &&
      inList(conditions.groupIds, ticket.groupId) &&
      inList(conditions.ticketFormIds, ticket.ticketFormId) &&
      inList(conditions.statuses, ticket.status)
    );
  });
}
