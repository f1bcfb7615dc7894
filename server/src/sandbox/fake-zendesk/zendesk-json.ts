import type {
  StoredComment,
  StoredGroup,
  StoredOrganization,
  StoredTicket,
  StoredTicketField,
  StoredUser,
} from '../seed/zendesk-seed';

/** A reply the fake sends: status, JSON body and optional extra headers. */
export interface ZendeskReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A validation problem in the shape Zendesk nests under `details`. */
export interface FieldProblem {
  description: string;
  error: string;
}

export type ValidationDetails = Record<string, FieldProblem[]>;

/**
 * Error bodies as Zendesk sends them (see the doc notes at the top of fake-zendesk.ts).
 * `description` wording for 404/422/401 follows the documented bodies; the others are marked
 * as assumptions there.
 */
export const zendeskErrors = {
  notFound: (): ZendeskReply => ({
    status: 404,
    body: { error: 'RecordNotFound', description: 'Not found' },
  }),
  invalidEndpoint: (): ZendeskReply => ({
    status: 404,
    body: { error: 'InvalidEndpoint', description: 'Not found' },
  }),
  recordInvalid: (details: ValidationDetails): ZendeskReply => ({
    status: 422,
    body: { error: 'RecordInvalid', description: 'Record validation errors', details },
  }),
  unauthenticated: (): ZendeskReply => ({
    status: 401,
    body: { error: "Couldn't authenticate you" },
  }),
  updateConflict: (): ZendeskReply => ({
    status: 409,
    body: {
      error: 'UpdateConflict',
      description:
        'Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.',
    },
  }),
  parameterMissing: (name: string): ZendeskReply => ({
    status: 400,
    body: {
      error: 'ParameterMissing',
      description: `param is missing or the value is empty: ${name}`,
    },
  }),
  invalidJson: (): ZendeskReply => ({
    status: 400,
    body: { error: 'InvalidJSON', description: 'The request body could not be parsed as JSON' },
  }),
  rateLimited: (retryAfterSeconds: number): ZendeskReply => ({
    status: 429,
    body: { error: 'TooManyRequests', description: 'Rate limit for this account exceeded' },
    headers: { 'Retry-After': String(retryAfterSeconds) },
  }),
  /** An endpoint's own budget (Update Ticket); the body wording is an assumption. */
  endpointRateLimited: (retryAfterSeconds: number, endpoint: string): ZendeskReply => ({
    status: 429,
    body: {
      error: 'TooManyRequests',
      description: `Rate limit for the ${endpoint} endpoint exceeded`,
    },
    headers: { 'Retry-After': String(retryAfterSeconds) },
  }),
  /**
   * Rate limits page, "Job limit": the body is the documented example's. The job type name and
   * the 429 status are [UNCONFIRMED]; the page names the error but not its status.
   */
  tooManyJobs: (jobType: string, currentJobIds: string[]): ZendeskReply => ({
    status: 429,
    body: {
      error: 'TooManyJobs',
      description: `Too many ${jobType} jobs are currently queued or running. Try again later.`,
      current_job_ids: currentJobIds,
    },
  }),
  /** More ids or records than an endpoint takes; code and status are [UNCONFIRMED]. */
  tooManyValues: (name: string, max: number): ZendeskReply => ({
    status: 400,
    body: {
      error: 'TooManyValues',
      description: `${name} accepts at most ${max} values`,
    },
  }),
} as const;

/** Builds absolute resource URLs the way Zendesk's `url` properties look. */
export function buildResourceUrl(apiBase: string, collection: string, id: number | string): string {
  return `${apiBase}/api/v2/${collection}/${id}.json`;
}

export function renderTicket(ticket: StoredTicket, apiBase: string) {
  const customFields = ticket.custom_fields.map((field) => ({ id: field.id, value: field.value }));
  return {
    url: buildResourceUrl(apiBase, 'tickets', ticket.id),
    id: ticket.id,
    external_id: ticket.external_id,
    via: ticket.via,
    created_at: ticket.created_at,
    updated_at: ticket.updated_at,
    generated_timestamp: Math.floor(Date.parse(ticket.updated_at) / 1000),
    type: ticket.type,
    subject: ticket.subject,
    raw_subject: ticket.raw_subject,
    description: ticket.description,
    priority: ticket.priority,
    status: ticket.status,
    recipient: ticket.recipient,
    requester_id: ticket.requester_id,
    submitter_id: ticket.submitter_id,
    assignee_id: ticket.assignee_id,
    organization_id: ticket.organization_id,
    group_id: ticket.group_id,
    collaborator_ids: [...ticket.collaborator_ids],
    follower_ids: [...ticket.follower_ids],
    email_cc_ids: [...ticket.email_cc_ids],
    forum_topic_id: null,
    problem_id: ticket.problem_id,
    has_incidents: ticket.has_incidents,
    is_public: ticket.is_public,
    due_at: ticket.due_at,
    tags: [...ticket.tags],
    custom_fields: customFields,
    satisfaction_rating: null,
    sharing_agreement_ids: [],
    custom_status_id: null,
    fields: customFields.map((field) => ({ ...field })),
    followup_ids: [],
    ticket_form_id: ticket.ticket_form_id,
    brand_id: ticket.brand_id,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
  };
}

export function renderComment(comment: StoredComment) {
  return {
    id: comment.id,
    type: comment.type,
    author_id: comment.author_id,
    body: comment.body,
    html_body: comment.html_body,
    plain_body: comment.plain_body,
    public: comment.public,
    attachments: [...comment.attachments],
    audit_id: comment.id,
    via: comment.via,
    created_at: comment.created_at,
    metadata: { system: {}, custom: {} },
  };
}

export function renderUser(user: StoredUser, apiBase: string) {
  return {
    id: user.id,
    url: buildResourceUrl(apiBase, 'users', user.id),
    name: user.name,
    email: user.email,
    created_at: user.created_at,
    updated_at: user.updated_at,
    time_zone: user.time_zone,
    iana_time_zone: 'Etc/UTC',
    phone: user.phone,
    shared_phone_number: null,
    photo: null,
    locale_id: 1,
    locale: user.locale,
    organization_id: user.organization_id,
    role: user.role,
    verified: user.verified,
    external_id: user.external_id,
    tags: [...user.tags],
    alias: '',
    active: user.active,
    shared: false,
    shared_agent: false,
    last_login_at: null,
    two_factor_auth_enabled: false,
    signature: null,
    details: '',
    notes: '',
    // A file written by an older sandbox lacks the access attributes: the defaults are Zendesk's.
    role_type: user.custom_role_id ? 0 : null,
    custom_role_id: user.custom_role_id ?? null,
    moderator: user.role !== 'end-user',
    ticket_restriction:
      user.ticket_restriction !== undefined
        ? user.ticket_restriction
        : user.role === 'end-user'
          ? 'requested'
          : null,
    only_private_comments: false,
    restricted_agent: user.role === 'agent' && (user.ticket_restriction ?? null) !== null,
    chat_only: user.chat_only ?? false,
    suspended: user.suspended,
    default_group_id: null,
    report_csv: false,
    user_fields: { ...user.user_fields },
  };
}

export function renderOrganization(organization: StoredOrganization, apiBase: string) {
  return {
    url: buildResourceUrl(apiBase, 'organizations', organization.id),
    id: organization.id,
    name: organization.name,
    shared_tickets: organization.shared_tickets,
    shared_comments: organization.shared_comments,
    external_id: organization.external_id,
    created_at: organization.created_at,
    updated_at: organization.updated_at,
    domain_names: [...organization.domain_names],
    details: organization.details,
    notes: organization.notes,
    group_id: organization.group_id,
    tags: [...organization.tags],
    organization_fields: { ...organization.organization_fields },
  };
}

export function renderGroup(group: StoredGroup, apiBase: string) {
  return { url: buildResourceUrl(apiBase, 'groups', group.id), ...group };
}

export function renderTicketField(field: StoredTicketField, apiBase: string) {
  const { custom_field_options: options, ...rest } = field;
  return {
    url: buildResourceUrl(apiBase, 'ticket_fields', field.id),
    ...rest,
    ...(options ? { custom_field_options: options.map((option) => ({ ...option })) } : {}),
  };
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

export function stripHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
    .trim();
}
