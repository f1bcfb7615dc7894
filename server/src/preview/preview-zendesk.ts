import type { ZendeskClient } from '../helpdesks/zendesk/client/zendesk-client';
import type { ZendeskError } from '../helpdesks/zendesk/client/zendesk-errors';
import type { Result } from '../../../shared/src/result';
import type { PreviewComment, PreviewField, PreviewTicket, PreviewUser } from './preview-contracts';

/** The part of the Zendesk client the preview reads through. */
export type PreviewZendesk = Pick<
  ZendeskClient,
  'getTicketContext' | 'getUser' | 'listTicketFields' | 'listComments'
>;

/** Types Zendesk lists next to custom fields but renders elsewhere in the agent workspace. */
const SYSTEM_FIELD_TYPES = new Set([
  'subject',
  'description',
  'status',
  'tickettype',
  'priority',
  'group',
  'assignee',
]);

export const FALLBACK_AGENT: PreviewUser = Object.freeze({
  id: 1,
  name: 'Preview Agent',
  email: 'agent@preview.local',
  role: 'agent',
  locale: 'en-US',
});

function readString(raw: Record<string, unknown>, key: string): string | null {
  const value = raw[key];
  return typeof value === 'string' ? value : null;
}

function readNumber(raw: Record<string, unknown>, key: string): number | null {
  const value = raw[key];
  return typeof value === 'number' ? value : null;
}

async function loadUser(zendesk: PreviewZendesk, id: number | null): Promise<PreviewUser | null> {
  if (id === null) return null;
  const user = await zendesk.getUser(id);
  if (!user.ok) return null;
  return {
    id: user.value.id,
    name: user.value.name,
    email: user.value.email,
    role: user.value.role,
    locale: 'en-US',
  };
}

/** The active custom fields in form order, as the ticket form shows them. */
export async function loadPreviewFields(
  zendesk: PreviewZendesk,
): Promise<Result<PreviewField[], ZendeskError>> {
  const fields = await zendesk.listTicketFields();
  if (!fields.ok) return fields;
  return {
    ok: true,
    value: fields.value
      .filter((field) => field.active && !SYSTEM_FIELD_TYPES.has(field.type))
      .map((field) => ({
        id: field.id,
        title: field.title,
        type: field.type,
        options: field.options,
      })),
  };
}

/** Reads the ticket, its people and its conversation the way the agent workspace shows them. */
export async function loadPreviewTicket(
  zendesk: PreviewZendesk,
  ticketId: number,
): Promise<Result<PreviewTicket, ZendeskError>> {
  const context = await zendesk.getTicketContext(ticketId);
  if (!context.ok) return context;
  const { ticket, requester, organization, raw } = context.value;
  const assignee = await loadUser(zendesk, readNumber(raw, 'assignee_id'));

  const listed = await zendesk.listComments(ticketId);
  if (!listed.ok) return listed;
  const comments = listed.value;
  const names = new Map<number, string>();
  if (requester) names.set(requester.id, requester.name);
  if (assignee) names.set(assignee.id, assignee.name);
  for (const comment of comments) {
    if (!names.has(comment.authorId)) {
      names.set(comment.authorId, (await loadUser(zendesk, comment.authorId))?.name ?? 'Unknown');
    }
  }

  return {
    ok: true,
    value: {
      id: ticket.id,
      subject: ticket.subject ?? '',
      description: ticket.description ?? '',
      status: ticket.status,
      priority: ticket.priority,
      type: ticket.type,
      tags: ticket.tags,
      requester,
      organization,
      assignee,
      createdAt: readString(raw, 'created_at'),
      updatedAt: ticket.updatedAt,
      customFields: ticket.customFields,
      comments: comments.map((comment): PreviewComment => ({
        ...comment,
        authorName: names.get(comment.authorId) ?? 'Unknown',
      })),
    },
  };
}
