import type { z } from 'zod';
import type { commentSchema, showTicketResponseSchema } from './zendesk-schemas';

/** What a connector run may read about a ticket. */
export interface TicketContext {
  ticket: {
    id: number;
    subject: string | null;
    description: string | null;
    status: string;
    priority: string | null;
    type: string | null;
    tags: string[];
    brandId: number | null;
    groupId: number | null;
    /** Who may see the ticket depends on these (agents' ticket restrictions). */
    requesterId: number | null;
    assigneeId: number | null;
    organizationId: number | null;
    ticketFormId: number | null;
    externalId: string | null;
    /** Custom field values keyed by the field id as a string. */
    customFields: Record<string, unknown>;
    updatedAt: string;
  };
  requester: { id: number; name: string; email: string | null } | null;
  organization: { id: number; name: string } | null;
  comment: {
    id: number;
    body: string;
    authorId: number;
    public: boolean;
    createdAt: string;
  } | null;
  /** The ticket JSON as Zendesk sent it. */
  raw: Record<string, unknown>;
}

type ShowTicketResponse = z.infer<typeof showTicketResponseSchema>;
type ZendeskComment = z.infer<typeof commentSchema>;

/**
 * Field ids as property keys, made once per id: Zendesk's ids (360001000002) are past the small
 * integers V8 keeps unboxed, so `String(id)` took V8's slow number-to-text path and made a new
 * string to look up for every field of every ticket (6 µs for 15 fields, 2 µs with the keys kept;
 * docs/performance.md). An account has a fixed set of fields; the bound only guards memory.
 */
const fieldKeys = new Map<number, string>();
const FIELD_KEYS_KEPT = 10_000;

function fieldKeyOf(id: number): string {
  let key = fieldKeys.get(id);
  if (key === undefined) {
    if (fieldKeys.size >= FIELD_KEYS_KEPT) fieldKeys.clear();
    key = String(id);
    fieldKeys.set(id, key);
  }
  return key;
}

export function buildTicketContext(
  response: ShowTicketResponse,
  comment: ZendeskComment | null,
  raw: Record<string, unknown>,
): TicketContext {
  const { ticket } = response;
  const requester = response.users?.find((user) => user.id === ticket.requester_id);
  const organization = response.organizations?.find((org) => org.id === ticket.organization_id);
  return {
    ticket: {
      id: ticket.id,
      subject: ticket.subject,
      description: ticket.description,
      status: ticket.status,
      priority: ticket.priority,
      type: ticket.type,
      tags: [...ticket.tags],
      brandId: ticket.brand_id ?? null,
      groupId: ticket.group_id ?? null,
      requesterId: ticket.requester_id ?? null,
      assigneeId: ticket.assignee_id ?? null,
      organizationId: ticket.organization_id ?? null,
      ticketFormId: ticket.ticket_form_id ?? null,
      externalId: ticket.external_id ?? null,
      customFields: Object.fromEntries(
        (ticket.custom_fields ?? []).map((field) => [fieldKeyOf(field.id), field.value ?? null]),
      ),
      updatedAt: ticket.updated_at,
    },
    requester: requester
      ? { id: requester.id, name: requester.name, email: requester.email ?? null }
      : null,
    organization: organization ? { id: organization.id, name: organization.name } : null,
    comment: comment
      ? {
          id: comment.id,
          body: comment.body,
          authorId: comment.author_id,
          public: comment.public,
          createdAt: comment.created_at,
        }
      : null,
    raw,
  };
}
