import { z } from 'zod';
import type {
  CustomFieldValue,
  StoredComment,
  StoredTicket,
  StoredTicketField,
  StoredUser,
  Via,
} from '../seed/zendesk-seed';
import { newStoredUser } from '../seed/zendesk-seed';
import type { FakeZendeskStore } from './fake-zendesk-store';
import { escapeHtml, stripHtml, zendeskErrors } from './zendesk-json';
import type { FieldProblem, ValidationDetails, ZendeskReply } from './zendesk-json';

/**
 * Turns `PUT /api/v2/tickets/{id}` and `POST /api/v2/tickets` bodies into stored changes.
 * Everything is validated on a draft first and committed only when the whole request is valid,
 * so a rejected request leaves the ticket untouched (as a rejected Zendesk update does).
 */

const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const TYPES = ['problem', 'incident', 'question', 'task'] as const;

const API_VIA: Via = { channel: 'api', source: { from: {}, to: {}, rel: null } };

// Zendesk accepts tag lists as arrays or as one space/comma separated string.
const tagListSchema = z.union([z.array(z.string()), z.string()]);
const customFieldsSchema = z.array(z.looseObject({ id: z.number().int(), value: z.unknown() }));
const commentSchema = z.looseObject({
  body: z.string().optional(),
  html_body: z.string().optional(),
  public: z.boolean().optional(),
  author_id: z.number().int().optional(),
});

// Loose on purpose: Zendesk ignores ticket properties it does not know or that are read-only,
// and the double should not be stricter than the platform. The fields it does read are typed.
const ticketWriteSchema = z.looseObject({
  subject: z.string().optional(),
  status: z.enum(STATUSES).optional(),
  priority: z.enum(PRIORITIES).nullable().optional(),
  type: z.enum(TYPES).nullable().optional(),
  tags: tagListSchema.optional(),
  additional_tags: tagListSchema.optional(),
  remove_tags: tagListSchema.optional(),
  custom_fields: customFieldsSchema.optional(),
  fields: customFieldsSchema.optional(),
  comment: commentSchema.optional(),
  safe_update: z.boolean().optional(),
  updated_stamp: z.string().optional(),
  assignee_id: z.number().int().nullable().optional(),
  group_id: z.number().int().nullable().optional(),
  organization_id: z.number().int().nullable().optional(),
  brand_id: z.number().int().nullable().optional(),
  external_id: z.string().nullable().optional(),
  requester_id: z.number().int().optional(),
  requester: z.looseObject({ email: z.string(), name: z.string().optional() }).optional(),
});
type TicketWrite = z.infer<typeof ticketWriteSchema>;

const bodySchema = z.looseObject({ ticket: z.unknown() });

export interface AuditEvent {
  id: number;
  type: 'Change' | 'Create' | 'Comment';
  [key: string]: unknown;
}

export interface TicketChangeContext {
  store: FakeZendeskStore;
  actor: StoredUser;
  now: () => Date;
}

export type TicketChangeOutcome =
  | { ok: true; ticket: StoredTicket; comment: StoredComment | null; events: AuditEvent[] }
  | { ok: false; reply: ZendeskReply };

let nextEventId = 1;
function createEventId(): number {
  nextEventId += 1;
  return 20000000000 + nextEventId;
}

/** Zendesk timestamps have second precision and a `Z` suffix. */
export function formatZendeskTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A later update must get a later updated_at, or safe_update could not tell two updates in the
 * same second apart; so the stamp moves at least one second forward.
 */
function advanceTimestamp(previous: string, now: Date): string {
  const next = Math.max(Math.floor(now.getTime() / 1000) * 1000, Date.parse(previous) + 1000);
  return formatZendeskTime(new Date(next));
}

function humanize(key: string): string {
  const label = key.replaceAll('_', ' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

function problem(description: string, error = 'InvalidValue'): FieldProblem {
  return { description, error };
}

function toValidationDetails(issues: z.core.$ZodIssue[]): ValidationDetails {
  const details: ValidationDetails = {};
  for (const issue of issues) {
    const key = typeof issue.path[0] === 'string' ? issue.path[0] : 'base';
    const received =
      issue.code === 'invalid_value' ? ' is not a valid value' : `: ${issue.message}`;
    (details[key] ??= []).push(problem(`${humanize(key)}${received}`));
  }
  return details;
}

function normalizeTags(input: string[] | string): string[] {
  const parts = typeof input === 'string' ? input.split(/[\s,]+/) : input;
  return [...new Set(parts.map((tag) => tag.trim()).filter((tag) => tag.length > 0))];
}

function parseTicketWrite(
  body: unknown,
): { ok: true; write: TicketWrite } | { ok: false; reply: ZendeskReply } {
  const wrapper = bodySchema.safeParse(body);
  if (!wrapper.success || wrapper.data.ticket === undefined || wrapper.data.ticket === null) {
    return { ok: false, reply: zendeskErrors.parameterMissing('ticket') };
  }
  const parsed = ticketWriteSchema.safeParse(wrapper.data.ticket);
  if (!parsed.success) {
    return {
      ok: false,
      reply: zendeskErrors.recordInvalid(toValidationDetails(parsed.error.issues)),
    };
  }
  return { ok: true, write: parsed.data };
}

type FieldCheck = { ok: true; value: unknown } | { ok: false; problem: FieldProblem };

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Value rules per custom field type, as the "Setting custom field values" docs list them. */
function checkFieldValue(field: StoredTicketField, value: unknown): FieldCheck {
  const invalid = (why: string): FieldCheck => ({
    ok: false,
    problem: problem(`${field.title}: ${why}`),
  });
  const shown = JSON.stringify(value);
  if (!field.active) return invalid('is not an active field');
  if (value === null) return { ok: true, value: field.type === 'checkbox' ? false : null };
  switch (field.type) {
    case 'text':
    case 'textarea':
      return typeof value === 'string' ? { ok: true, value } : invalid(`${shown} is not text`);
    case 'regexp':
      if (typeof value !== 'string') return invalid(`${shown} is not text`);
      return new RegExp(field.regexp_for_validation ?? '').test(value)
        ? { ok: true, value }
        : invalid(`${shown} does not match the field's pattern`);
    case 'checkbox':
      return typeof value === 'boolean'
        ? { ok: true, value }
        : invalid(`${shown} is not a boolean`);
    case 'tagger': {
      if (value === '') return { ok: true, value: null };
      const tags = (field.custom_field_options ?? []).map((option) => option.value);
      return typeof value === 'string' && tags.includes(value)
        ? { ok: true, value }
        : invalid(`${shown} is not one of the option values (${tags.join(', ')})`);
    }
    case 'multiselect': {
      const tags = (field.custom_field_options ?? []).map((option) => option.value);
      return Array.isArray(value) &&
        value.every((tag) => typeof tag === 'string' && tags.includes(tag))
        ? { ok: true, value: [...new Set(value as string[])] }
        : invalid(`${shown} is not a list of option values (${tags.join(', ')})`);
    }
    case 'date':
      if (value === '') return { ok: true, value: null };
      return typeof value === 'string' &&
        DATE_PATTERN.test(value) &&
        !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
        ? { ok: true, value }
        : invalid(`${shown} is not a date in YYYY-MM-DD format`);
    case 'integer':
      return (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && /^-?\d+$/.test(value))
        ? { ok: true, value: String(value) }
        : invalid(`${shown} is not an integer`);
    case 'decimal':
      return (typeof value === 'number' && Number.isFinite(value)) ||
        (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value))
        ? { ok: true, value: String(value) }
        : invalid(`${shown} is not a decimal number`);
    default:
      return invalid('is a system field; set it through its ticket property');
  }
}

/** The tags a field value implies: Zendesk keeps checkbox and drop-down tags in `tags`. */
function tagsImpliedBy(field: StoredTicketField, value: unknown): string[] {
  if (field.type === 'checkbox') return value === true && field.tag ? [field.tag] : [];
  if (field.type === 'tagger') return typeof value === 'string' ? [value] : [];
  if (field.type === 'multiselect') return Array.isArray(value) ? (value as string[]) : [];
  return [];
}

function applyCustomFields(
  ctx: TicketChangeContext,
  draft: StoredTicket,
  updates: { id: number; value: unknown }[],
  problems: FieldProblem[],
): void {
  for (const update of updates) {
    const field = ctx.store.findTicketField(update.id);
    if (!field || !field.removable) {
      // Zendesk is understood to drop unknown ids silently; the fake refuses them so that a
      // wrong field id in a connector shows up in the sandbox instead of writing nothing.
      problems.push(problem(`Custom field ${update.id} does not exist`));
      continue;
    }
    const checked = checkFieldValue(field, update.value);
    if (!checked.ok) {
      problems.push(checked.problem);
      continue;
    }
    const existing = draft.custom_fields.find((entry) => entry.id === field.id);
    const previousTags = tagsImpliedBy(field, existing?.value);
    if (existing) existing.value = checked.value;
    else draft.custom_fields.push({ id: field.id, value: checked.value });
    const nextTags = tagsImpliedBy(field, checked.value);
    draft.tags = normalizeTags([
      ...draft.tags.filter((tag) => !previousTags.includes(tag)),
      ...nextTags,
    ]);
  }
}

function buildComment(
  ctx: TicketChangeContext,
  ticketId: number,
  write: NonNullable<TicketWrite['comment']>,
  createdAt: string,
  problems: FieldProblem[],
): StoredComment | null {
  const hasBody = (write.body ?? '').trim() !== '' || (write.html_body ?? '').trim() !== '';
  if (!hasBody) {
    problems.push(problem("Comment: body can't be blank", 'BlankValue'));
    return null;
  }
  const authorId = write.author_id ?? ctx.actor.id;
  if (!ctx.store.findUser(authorId)) {
    problems.push(problem(`Comment: author ${authorId} does not exist`));
    return null;
  }
  const body = write.body ?? stripHtml(write.html_body ?? '');
  const htmlBody =
    write.html_body ??
    `<div class="zd-comment" dir="auto">${body
      .split('\n')
      .map((line) => `<p>${escapeHtml(line)}</p>`)
      .join('')}</div>`;
  return {
    id: ctx.store.nextId('comments'),
    ticket_id: ticketId,
    type: 'Comment',
    author_id: authorId,
    body,
    html_body: htmlBody,
    plain_body: stripHtml(htmlBody),
    public: write.public ?? true,
    attachments: [],
    created_at: createdAt,
    via: API_VIA,
  };
}

function checkReference(
  ctx: TicketChangeContext,
  key: 'assignee_id' | 'group_id' | 'organization_id' | 'brand_id',
  id: number | null | undefined,
  problems: FieldProblem[],
): void {
  if (id === null || id === undefined) return;
  const data = ctx.store.data;
  const exists =
    key === 'assignee_id'
      ? data.users.some((user) => user.id === id && user.role !== 'end-user')
      : key === 'group_id'
        ? data.groups.some((group) => group.id === id)
        : key === 'organization_id'
          ? data.organizations.some((organization) => organization.id === id)
          : data.brands.some((brand) => brand.id === id);
  if (!exists) problems.push(problem(`${humanize(key)}: ${id} is not valid`));
}

/** Applies the properties shared by create and update to a draft. */
function applyWrite(
  ctx: TicketChangeContext,
  draft: StoredTicket,
  write: TicketWrite,
  problems: FieldProblem[],
): void {
  if (write.subject !== undefined) {
    draft.subject = write.subject;
    draft.raw_subject = write.subject;
  }
  if (write.status !== undefined) draft.status = write.status;
  if (write.priority !== undefined) draft.priority = write.priority;
  if (write.type !== undefined) draft.type = write.type;
  if (write.external_id !== undefined) draft.external_id = write.external_id;
  for (const key of ['assignee_id', 'group_id', 'organization_id', 'brand_id'] as const) {
    if (write[key] === undefined) continue;
    checkReference(ctx, key, write[key], problems);
    draft[key] = write[key];
  }
  // Order follows the docs: `tags` replaces the list, then additions, then removals.
  if (write.tags !== undefined) draft.tags = normalizeTags(write.tags);
  if (write.additional_tags !== undefined) {
    draft.tags = normalizeTags([...draft.tags, ...normalizeTags(write.additional_tags)]);
  }
  if (write.remove_tags !== undefined) {
    const removed = normalizeTags(write.remove_tags);
    draft.tags = draft.tags.filter((tag) => !removed.includes(tag));
  }
  const fieldUpdates = write.custom_fields ?? write.fields;
  if (fieldUpdates) applyCustomFields(ctx, draft, fieldUpdates, problems);
}

function describeChanges(before: StoredTicket, after: StoredTicket): AuditEvent[] {
  const events: AuditEvent[] = [];
  const change = (fieldName: string, previous: unknown, value: unknown) => {
    if (JSON.stringify(previous) !== JSON.stringify(value)) {
      events.push({
        id: createEventId(),
        type: 'Change',
        field_name: fieldName,
        value,
        previous_value: previous,
      });
    }
  };
  for (const key of [
    'subject',
    'status',
    'priority',
    'type',
    'assignee_id',
    'group_id',
    'organization_id',
    'brand_id',
    'external_id',
  ] as const) {
    change(key, before[key], after[key]);
  }
  change('tags', before.tags, after.tags);
  for (const field of after.custom_fields) {
    const previous = before.custom_fields.find((entry) => entry.id === field.id)?.value ?? null;
    change(String(field.id), previous, field.value);
  }
  return events;
}

function commentEvent(comment: StoredComment): AuditEvent {
  return {
    id: createEventId(),
    type: 'Comment',
    author_id: comment.author_id,
    body: comment.body,
    html_body: comment.html_body,
    plain_body: comment.plain_body,
    public: comment.public,
    attachments: [],
    audit_id: comment.id,
  };
}

function cloneTicket(ticket: StoredTicket): StoredTicket {
  return structuredClone(ticket);
}

/** Validates and applies an update body to a stored ticket; commits only on success. */
export function applyTicketUpdate(
  ctx: TicketChangeContext,
  ticket: StoredTicket,
  body: unknown,
): TicketChangeOutcome {
  const parsed = parseTicketWrite(body);
  if (!parsed.ok) return parsed;
  const write = parsed.write;

  if (write.safe_update === true) {
    // The reference marks updated_stamp as required with safe_update; it is compared as a
    // time so that "...:00Z" and "...:00.000Z" name the same instant.
    if (write.updated_stamp === undefined) {
      return {
        ok: false,
        reply: zendeskErrors.recordInvalid({
          updated_stamp: [problem("Updated stamp: can't be blank with safe_update", 'BlankValue')],
        }),
      };
    }
    if (Date.parse(write.updated_stamp) !== Date.parse(ticket.updated_at)) {
      return { ok: false, reply: zendeskErrors.updateConflict() };
    }
  }
  if (ticket.status === 'closed') {
    return {
      ok: false,
      reply: zendeskErrors.recordInvalid({
        status: [problem('Status: closed prevents ticket update', 'ClosedTicket')],
      }),
    };
  }

  const problems: FieldProblem[] = [];
  const draft = cloneTicket(ticket);
  applyWrite(ctx, draft, write, problems);
  const now = ctx.now();
  const updatedAt = advanceTimestamp(ticket.updated_at, now);
  const comment = write.comment
    ? buildComment(ctx, ticket.id, write.comment, updatedAt, problems)
    : null;
  if (problems.length > 0) {
    return { ok: false, reply: zendeskErrors.recordInvalid({ base: problems }) };
  }

  const events = describeChanges(ticket, draft);
  if (comment) {
    events.unshift(commentEvent(comment));
    if (comment.public) draft.is_public = true;
  }
  // Like Zendesk, updated_at moves only when the update produced an event.
  if (events.length > 0) draft.updated_at = updatedAt;
  const data = ctx.store.data;
  data.tickets[data.tickets.indexOf(ticket)] = draft;
  if (comment) data.comments.push(comment);
  ctx.store.save();
  return { ok: true, ticket: draft, comment, events };
}

function resolveRequester(
  ctx: TicketChangeContext,
  write: TicketWrite,
  createdAt: string,
  problems: FieldProblem[],
): StoredUser | null {
  if (write.requester_id !== undefined) {
    const user = ctx.store.findUser(write.requester_id);
    if (!user) problems.push(problem(`Requester: ${write.requester_id} is not valid`));
    return user ?? null;
  }
  if (write.requester) {
    const existing = ctx.store.findUserByEmail(write.requester.email);
    if (existing) return existing;
    if (!/^[^@\s]+@[^@\s]+$/.test(write.requester.email)) {
      problems.push(problem(`Requester: Email ${write.requester.email} is not properly formatted`));
      return null;
    }
    // Zendesk creates an end user for an unknown requester email.
    const user = newStoredUser({
      id: ctx.store.nextId('users'),
      name: write.requester.name ?? write.requester.email,
      email: write.requester.email,
      role: 'end-user',
      created_at: createdAt,
    });
    ctx.store.data.users.push(user);
    return user;
  }
  return ctx.actor;
}

/** Validates a create body and stores the new ticket with its first comment. */
export function createTicketFromRequest(
  ctx: TicketChangeContext,
  body: unknown,
): TicketChangeOutcome {
  const parsed = parseTicketWrite(body);
  if (!parsed.ok) return parsed;
  const write = parsed.write;
  const problems: FieldProblem[] = [];
  const createdAt = formatZendeskTime(ctx.now());
  const id = ctx.store.nextId('tickets');
  const usersBefore = ctx.store.data.users.length;
  const requester = resolveRequester(ctx, write, createdAt, problems);
  const firstComment = write.comment
    ? buildComment(
        ctx,
        id,
        { ...write.comment, author_id: write.comment.author_id ?? requester?.id },
        createdAt,
        problems,
      )
    : null;
  if (!write.comment) {
    problems.push(problem("Description: can't be blank", 'BlankValue'));
  }

  const customFields: CustomFieldValue[] = ctx.store.data.ticket_fields
    .filter((field) => field.removable && field.active)
    .map((field) => ({ id: field.id, value: field.type === 'checkbox' ? false : null }));
  const description = firstComment?.body ?? '';
  const defaultBrand = ctx.store.data.brands.find((brand) => brand.default);
  const draft: StoredTicket = {
    id,
    external_id: null,
    type: null,
    subject: description.slice(0, 80),
    raw_subject: description.slice(0, 80),
    description,
    priority: null,
    status: 'new',
    recipient: null,
    requester_id: requester?.id ?? ctx.actor.id,
    submitter_id: ctx.actor.id,
    assignee_id: null,
    organization_id: requester?.organization_id ?? null,
    group_id: null,
    brand_id: defaultBrand?.id ?? null,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    problem_id: null,
    has_incidents: false,
    is_public: firstComment?.public ?? true,
    due_at: null,
    tags: [],
    custom_fields: customFields,
    ticket_form_id: null,
    created_at: createdAt,
    updated_at: createdAt,
    via: API_VIA,
  };
  applyWrite(ctx, draft, write, problems);
  if (problems.length > 0) {
    // Undo a requester created for this request: nothing of a rejected create should persist.
    ctx.store.data.users.length = usersBefore;
    return { ok: false, reply: zendeskErrors.recordInvalid({ base: problems }) };
  }
  ctx.store.data.tickets.push(draft);
  if (firstComment) ctx.store.data.comments.push(firstComment);
  ctx.store.save();
  const events: AuditEvent[] = [
    ...(firstComment ? [commentEvent(firstComment)] : []),
    { id: createEventId(), type: 'Create', field_name: 'status', value: draft.status },
  ];
  return { ok: true, ticket: draft, comment: firstComment, events };
}
