/**
 * Seed data for the fake Zendesk account that the sandbox and the tests run against.
 *
 * Other modules (example connectors, end-to-end tests, the sidebar demo) depend on the ids,
 * titles and values below, so change them only together with their users.
 *
 * Sandbox credentials (never real secrets; they only open the local fake):
 * - API token auth: Basic base64("admin@sandbox.local/token:sandbox-zendesk-token")
 * - OAuth:          Authorization: Bearer sandbox-zendesk-oauth-token
 */

/** Credentials the fake accepts unless createFakeZendesk is given others. */
export const SANDBOX_ZENDESK_CREDENTIALS = Object.freeze({
  email: 'admin@sandbox.local',
  apiToken: 'sandbox-zendesk-token',
  oauthAccessToken: 'sandbox-zendesk-oauth-token',
});

/** Custom ticket field ids. They are large like real Zendesk ids so nothing assumes small ints. */
export const SANDBOX_FIELD_IDS = Object.freeze({
  orderNumber: 360001000001,
  paymentStatus: 360001000002,
  fulfillmentStatus: 360001000003,
  trackingNumber: 360001000004,
  jiraIssueKey: 360001000005,
  vip: 360001000006,
  orderChannel: 360001000007,
});

export const SANDBOX_USER_IDS = Object.freeze({
  admin: 90000000001,
  agent: 90000000002,
  mariaLopez: 90000000101,
  chenWei: 90000000102,
  priyaShah: 90000000103,
  tomBecker: 90000000104,
  /** An agent restricted to the tickets of their groups (Escalations). */
  rileyRestricted: 90000000003,
  /** An agent restricted to the tickets of their organization (Globex Trading). */
  oliveOrg: 90000000004,
  /** A light agent: sees every ticket, cannot edit tickets. */
  leeLight: 90000000005,
  /** An agent restricted to the tickets assigned to them. */
  ashaAssigned: 90000000006,
});

export const SANDBOX_ORGANIZATION_IDS = Object.freeze({
  acmeRetail: 80000000001,
  globexTrading: 80000000002,
});

export const SANDBOX_GROUP_IDS = Object.freeze({
  support: 70000000001,
  escalations: 70000000002,
  /** A private group: its tickets are for its members only. */
  vip: 70000000003,
});
export const SANDBOX_CUSTOM_ROLE_IDS = Object.freeze({ lightAgent: 40000000001 });

/**
 * The sidebar app as installed in the sandbox account: Zendesk signs the sidebar's first page
 * load for this app id and installation (signed URLs), as `<subdomain>.zendesk.com`.
 */
export { SANDBOX_ZENDESK_APP } from '../../env/sandbox-defaults';
export const SANDBOX_BRAND_ID = 60000000001;
export const SANDBOX_TICKET_FORM_ID = 50000000001;

/** Ticket field ids of the built-in (system) fields; Zendesk lists them next to custom ones. */
const SYSTEM_FIELD_IDS = Object.freeze({
  subject: 360000000001,
  description: 360000000002,
  status: 360000000003,
  tickettype: 360000000004,
  priority: 360000000005,
  group: 360000000006,
  assignee: 360000000007,
});

// ---------------------------------------------------------------------------------------------
// Stored record types. They hold Zendesk's JSON shapes (snake_case) minus the `url` property,
// which the fake derives from the address it is served under.

export type TicketStatus = 'new' | 'open' | 'pending' | 'hold' | 'solved' | 'closed';
export type TicketPriority = 'low' | 'normal' | 'high' | 'urgent';
export type TicketType = 'problem' | 'incident' | 'question' | 'task';

export interface CustomFieldValue {
  id: number;
  value: unknown;
}

export interface Via {
  channel: string;
  source: { from: Record<string, unknown>; to: Record<string, unknown>; rel: string | null };
}

export interface StoredTicket {
  id: number;
  external_id: string | null;
  type: TicketType | null;
  subject: string;
  raw_subject: string;
  description: string;
  priority: TicketPriority | null;
  status: TicketStatus;
  recipient: string | null;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  organization_id: number | null;
  group_id: number | null;
  brand_id: number | null;
  collaborator_ids: number[];
  follower_ids: number[];
  email_cc_ids: number[];
  problem_id: number | null;
  has_incidents: boolean;
  is_public: boolean;
  due_at: string | null;
  tags: string[];
  custom_fields: CustomFieldValue[];
  ticket_form_id: number | null;
  created_at: string;
  updated_at: string;
  via: Via;
}

export interface StoredComment {
  id: number;
  ticket_id: number;
  type: 'Comment';
  author_id: number;
  body: string;
  html_body: string;
  plain_body: string;
  public: boolean;
  attachments: unknown[];
  created_at: string;
  via: Via;
}

export interface StoredUser {
  id: number;
  name: string;
  email: string;
  role: 'end-user' | 'agent' | 'admin';
  organization_id: number | null;
  /** Which tickets an agent may see; null is every ticket (Users API). */
  ticket_restriction?: 'organization' | 'groups' | 'assigned' | 'requested' | null;
  custom_role_id?: number | null;
  chat_only?: boolean;
  time_zone: string;
  locale: string;
  phone: string | null;
  external_id: string | null;
  tags: string[];
  active: boolean;
  verified: boolean;
  suspended: boolean;
  user_fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

/**
 * A user as the Users API shows one, with Zendesk's defaults for what a new user has not set
 * (a new end user is not verified until they confirm their email).
 */
export function newStoredUser(
  user: Pick<StoredUser, 'id' | 'name' | 'email' | 'role' | 'created_at'> & Partial<StoredUser>,
): StoredUser {
  return {
    organization_id: null,
    time_zone: 'UTC',
    locale: 'en-US',
    phone: null,
    external_id: null,
    tags: [],
    active: true,
    verified: false,
    suspended: false,
    user_fields: {},
    updated_at: user.created_at,
    ...user,
  };
}

export interface StoredOrganization {
  id: number;
  name: string;
  domain_names: string[];
  details: string;
  notes: string;
  group_id: number | null;
  shared_tickets: boolean;
  shared_comments: boolean;
  external_id: string | null;
  tags: string[];
  organization_fields: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface StoredTicketFieldOption {
  id: number;
  name: string;
  raw_name: string;
  value: string;
  default: boolean;
}

/** Field types the fake knows how to validate; system types only appear in listings. */
export type TicketFieldType =
  | 'subject'
  | 'description'
  | 'status'
  | 'tickettype'
  | 'priority'
  | 'group'
  | 'assignee'
  | 'text'
  | 'textarea'
  | 'regexp'
  | 'checkbox'
  | 'tagger'
  | 'multiselect'
  | 'date'
  | 'integer'
  | 'decimal';

export interface StoredTicketField {
  id: number;
  type: TicketFieldType;
  title: string;
  raw_title: string;
  description: string;
  raw_description: string;
  position: number;
  active: boolean;
  required: boolean;
  collapsed_for_agents: boolean;
  regexp_for_validation: string | null;
  title_in_portal: string;
  raw_title_in_portal: string;
  visible_in_portal: boolean;
  editable_in_portal: boolean;
  required_in_portal: boolean;
  tag: string | null;
  removable: boolean;
  key: string | null;
  agent_description: string | null;
  custom_field_options?: StoredTicketFieldOption[];
  created_at: string;
  updated_at: string;
}

export interface StoredGroup {
  id: number;
  name: string;
  description: string;
  default: boolean;
  deleted: boolean;
  is_public: boolean;
  created_at: string;
  updated_at: string;
}

export interface StoredGroupMembership {
  id: number;
  user_id: number;
  group_id: number;
  default: boolean;
  created_at: string;
  updated_at: string;
}

export interface StoredOrganizationMembership {
  id: number;
  user_id: number;
  organization_id: number;
  default: boolean | null;
  view_tickets: boolean;
  created_at: string;
  updated_at: string;
}

/** Custom agent roles (Enterprise): `role_type` 0 custom agent, 1 light agent, … */
export interface StoredCustomRole {
  id: number;
  name: string;
  description: string;
  role_type: number;
  team_member_count: number;
  configuration: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface StoredBrand {
  id: number;
  name: string;
  subdomain: string;
  brand_url: string;
  active: boolean;
  default: boolean;
  created_at: string;
  updated_at: string;
}

/** The whole lowdb document. */
export interface FakeZendeskData {
  tickets: StoredTicket[];
  comments: StoredComment[];
  users: StoredUser[];
  organizations: StoredOrganization[];
  ticket_fields: StoredTicketField[];
  groups: StoredGroup[];
  group_memberships: StoredGroupMembership[];
  organization_memberships: StoredOrganizationMembership[];
  custom_roles: StoredCustomRole[];
  brands: StoredBrand[];
}

// ---------------------------------------------------------------------------------------------

const SEEDED_AT = '2026-01-05T09:00:00Z';

const API_VIA: Via = { channel: 'api', source: { from: {}, to: {}, rel: null } };
const WEB_VIA: Via = { channel: 'web', source: { from: {}, to: {}, rel: null } };

function buildUser(
  id: number,
  name: string,
  email: string,
  role: StoredUser['role'],
  organizationId: number | null,
  access: Pick<StoredUser, 'ticket_restriction' | 'custom_role_id'> = {},
): StoredUser {
  return newStoredUser({
    id,
    name,
    email,
    role,
    organization_id: organizationId,
    ticket_restriction: access.ticket_restriction ?? (role === 'end-user' ? 'requested' : null),
    custom_role_id: access.custom_role_id ?? null,
    chat_only: false,
    verified: true,
    created_at: SEEDED_AT,
  });
}

function buildField(
  id: number,
  type: TicketFieldType,
  title: string,
  position: number,
  extra: Partial<StoredTicketField> = {},
): StoredTicketField {
  const custom = !(Object.values(SYSTEM_FIELD_IDS) as number[]).includes(id);
  return {
    id,
    type,
    title,
    raw_title: title,
    description: '',
    raw_description: '',
    position,
    active: true,
    required: false,
    collapsed_for_agents: false,
    regexp_for_validation: null,
    title_in_portal: title,
    raw_title_in_portal: title,
    visible_in_portal: false,
    editable_in_portal: false,
    required_in_portal: false,
    tag: null,
    removable: custom,
    key: custom ? null : `standard::${type}`,
    agent_description: null,
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
    ...extra,
  };
}

/** Every custom field appears on every ticket, empty ones with value null (as Zendesk shows). */
function buildCustomFields(values: Partial<Record<number, unknown>>): CustomFieldValue[] {
  return Object.values(SANDBOX_FIELD_IDS).map((id) => ({
    id,
    value: values[id] ?? (id === SANDBOX_FIELD_IDS.vip ? false : null),
  }));
}

interface TicketSeed {
  id: number;
  subject: string;
  description: string;
  requesterId: number;
  organizationId: number | null;
  tags: string[];
  status: TicketStatus;
  priority: TicketPriority | null;
  type: TicketType | null;
  customFields: Partial<Record<number, unknown>>;
  createdAt: string;
  groupId?: number;
  assigneeId?: number;
}

function buildTicket(seed: TicketSeed): StoredTicket {
  return {
    id: seed.id,
    external_id: null,
    type: seed.type,
    subject: seed.subject,
    raw_subject: seed.subject,
    description: seed.description,
    priority: seed.priority,
    status: seed.status,
    recipient: 'support@sandbox.local',
    requester_id: seed.requesterId,
    submitter_id: seed.requesterId,
    assignee_id: seed.assigneeId ?? SANDBOX_USER_IDS.agent,
    organization_id: seed.organizationId,
    group_id: seed.groupId ?? SANDBOX_GROUP_IDS.support,
    brand_id: SANDBOX_BRAND_ID,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    problem_id: null,
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: seed.tags,
    custom_fields: buildCustomFields(seed.customFields),
    ticket_form_id: SANDBOX_TICKET_FORM_ID,
    created_at: seed.createdAt,
    updated_at: seed.createdAt,
    via: WEB_VIA,
  };
}

function buildComment(
  id: number,
  ticketId: number,
  authorId: number,
  body: string,
  isPublic: boolean,
  createdAt: string,
): StoredComment {
  return {
    id,
    ticket_id: ticketId,
    type: 'Comment',
    author_id: authorId,
    body,
    html_body: `<div class="zd-comment" dir="auto"><p>${body}</p></div>`,
    plain_body: body,
    public: isPublic,
    attachments: [],
    created_at: createdAt,
    via: isPublic ? WEB_VIA : API_VIA,
  };
}

/** Builds a fresh copy of the seed document (callers may mutate it). */
export function buildZendeskSeed(): FakeZendeskData {
  const { orderNumber, paymentStatus, fulfillmentStatus, trackingNumber, jiraIssueKey, vip } =
    SANDBOX_FIELD_IDS;
  const users = [
    buildUser(SANDBOX_USER_IDS.admin, 'Sandbox Admin', 'admin@sandbox.local', 'admin', null),
    buildUser(SANDBOX_USER_IDS.agent, 'Alex Agent', 'agent@sandbox.local', 'agent', null),
    buildUser(
      SANDBOX_USER_IDS.mariaLopez,
      'Maria Lopez',
      'maria@example.com',
      'end-user',
      SANDBOX_ORGANIZATION_IDS.acmeRetail,
    ),
    buildUser(
      SANDBOX_USER_IDS.chenWei,
      'Chen Wei',
      'chen@example.com',
      'end-user',
      SANDBOX_ORGANIZATION_IDS.acmeRetail,
    ),
    buildUser(SANDBOX_USER_IDS.priyaShah, 'Priya Shah', 'priya@example.com', 'end-user', null),
    buildUser(
      SANDBOX_USER_IDS.rileyRestricted,
      'Riley Escalations',
      'riley@sandbox.local',
      'agent',
      null,
      { ticket_restriction: 'groups' },
    ),
    buildUser(
      SANDBOX_USER_IDS.oliveOrg,
      'Olive Globex',
      'olive@sandbox.local',
      'agent',
      SANDBOX_ORGANIZATION_IDS.globexTrading,
      { ticket_restriction: 'organization' },
    ),
    buildUser(SANDBOX_USER_IDS.leeLight, 'Lee Light', 'lee@sandbox.local', 'agent', null, {
      custom_role_id: SANDBOX_CUSTOM_ROLE_IDS.lightAgent,
    }),
    buildUser(SANDBOX_USER_IDS.ashaAssigned, 'Asha Assigned', 'asha@sandbox.local', 'agent', null, {
      ticket_restriction: 'assigned',
    }),
    buildUser(
      SANDBOX_USER_IDS.tomBecker,
      'Tom Becker',
      'tom@example.com',
      'end-user',
      SANDBOX_ORGANIZATION_IDS.globexTrading,
    ),
  ];

  const organizations: StoredOrganization[] = [
    ['Acme Retail', SANDBOX_ORGANIZATION_IDS.acmeRetail, 'acme.example.com'] as const,
    ['Globex Trading', SANDBOX_ORGANIZATION_IDS.globexTrading, 'globex.example.com'] as const,
  ].map(([name, id, domain]) => ({
    id,
    name,
    domain_names: [domain],
    details: '',
    notes: '',
    group_id: null,
    shared_tickets: false,
    shared_comments: false,
    external_id: null,
    tags: [],
    organization_fields: {},
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
  }));

  const ticketFields = [
    buildField(SYSTEM_FIELD_IDS.subject, 'subject', 'Subject', 1, { required: true }),
    buildField(SYSTEM_FIELD_IDS.description, 'description', 'Description', 2, { required: true }),
    buildField(SYSTEM_FIELD_IDS.status, 'status', 'Status', 3),
    buildField(SYSTEM_FIELD_IDS.tickettype, 'tickettype', 'Type', 4),
    buildField(SYSTEM_FIELD_IDS.priority, 'priority', 'Priority', 5),
    buildField(SYSTEM_FIELD_IDS.group, 'group', 'Group', 6),
    buildField(SYSTEM_FIELD_IDS.assignee, 'assignee', 'Assignee', 7),
    buildField(orderNumber, 'text', 'Order number', 10),
    buildField(paymentStatus, 'text', 'Payment status', 11),
    buildField(fulfillmentStatus, 'text', 'Fulfillment status', 12),
    buildField(trackingNumber, 'text', 'Tracking number', 13),
    buildField(jiraIssueKey, 'text', 'Jira issue key', 14),
    buildField(vip, 'checkbox', 'VIP', 15, { tag: 'vip' }),
    buildField(SANDBOX_FIELD_IDS.orderChannel, 'tagger', 'Order channel', 16, {
      custom_field_options: [
        ['Web', 'web', 36000200001],
        ['Store', 'store', 36000200002],
        ['Phone', 'phone', 36000200003],
      ].map(([name, value, id]) => ({
        id: Number(id),
        name: String(name),
        raw_name: String(name),
        value: String(value),
        default: false,
      })),
    }),
  ];

  const tickets = [
    buildTicket({
      id: 1,
      subject: 'Where is my order #1001?',
      description: 'Hi, I ordered a week ago (order #1001) and have not received anything yet.',
      requesterId: SANDBOX_USER_IDS.mariaLopez,
      organizationId: SANDBOX_ORGANIZATION_IDS.acmeRetail,
      tags: ['order', 'shipping'],
      status: 'open',
      priority: 'normal',
      type: 'question',
      customFields: { [orderNumber]: '#1001' },
      createdAt: '2026-01-06T10:15:00Z',
    }),
    buildTicket({
      id: 2,
      subject: 'Order #1002 has not shipped',
      description: 'My order #1002 still shows as unfulfilled. Can you check?',
      requesterId: SANDBOX_USER_IDS.chenWei,
      organizationId: SANDBOX_ORGANIZATION_IDS.acmeRetail,
      tags: ['order'],
      status: 'open',
      priority: 'normal',
      type: 'question',
      customFields: { [orderNumber]: '#1002' },
      createdAt: '2026-01-07T08:30:00Z',
    }),
    buildTicket({
      id: 3,
      subject: 'Question about order #9999',
      description: 'I cannot find my order #9999 in my account.',
      requesterId: SANDBOX_USER_IDS.priyaShah,
      organizationId: null,
      tags: ['order'],
      status: 'new',
      priority: 'low',
      type: 'question',
      customFields: { [orderNumber]: '#9999' },
      createdAt: '2026-01-08T14:00:00Z',
    }),
    buildTicket({
      id: 4,
      subject: 'Feature idea: let customers save wish lists',
      description: 'It would be great if customers could save products to a wish list.',
      requesterId: SANDBOX_USER_IDS.tomBecker,
      organizationId: SANDBOX_ORGANIZATION_IDS.globexTrading,
      tags: ['feature_request'],
      status: 'open',
      priority: 'low',
      type: 'task',
      customFields: {},
      createdAt: '2026-01-09T11:45:00Z',
    }),
    buildTicket({
      id: 5,
      subject: 'Chargeback on order #1003',
      description: 'Our bank shows a chargeback for order #1003; please look into it.',
      requesterId: SANDBOX_USER_IDS.tomBecker,
      organizationId: SANDBOX_ORGANIZATION_IDS.globexTrading,
      tags: ['billing', 'order'],
      status: 'open',
      priority: 'high',
      type: 'problem',
      customFields: { [orderNumber]: '#1003' },
      createdAt: '2026-01-10T09:20:00Z',
      groupId: SANDBOX_GROUP_IDS.escalations,
      assigneeId: SANDBOX_USER_IDS.rileyRestricted,
    }),
    buildTicket({
      id: 6,
      subject: 'VIP: bulk order for the spring campaign',
      description: 'We would like to order 500 units for our spring campaign.',
      requesterId: SANDBOX_USER_IDS.priyaShah,
      organizationId: null,
      tags: ['vip_request'],
      status: 'open',
      priority: 'urgent',
      type: 'question',
      customFields: { [vip]: true },
      createdAt: '2026-01-11T15:05:00Z',
      groupId: SANDBOX_GROUP_IDS.vip,
      assigneeId: SANDBOX_USER_IDS.admin,
    }),
  ];

  const { agent, mariaLopez, chenWei, priyaShah, tomBecker } = SANDBOX_USER_IDS;
  const comments = [
    buildComment(10000000001, 1, mariaLopez, tickets[0]!.description, true, '2026-01-06T10:15:00Z'),
    buildComment(
      10000000002,
      1,
      agent,
      'Customer is asking about shipping status; checking with the warehouse.',
      false,
      '2026-01-06T10:40:00Z',
    ),
    buildComment(
      10000000003,
      1,
      mariaLopez,
      'Any update? I need it before the weekend.',
      true,
      '2026-01-07T09:05:00Z',
    ),
    buildComment(10000000004, 2, chenWei, tickets[1]!.description, true, '2026-01-07T08:30:00Z'),
    buildComment(10000000005, 3, priyaShah, tickets[2]!.description, true, '2026-01-08T14:00:00Z'),
    buildComment(10000000006, 4, tomBecker, tickets[3]!.description, true, '2026-01-09T11:45:00Z'),
    buildComment(10000000007, 5, tomBecker, tickets[4]!.description, true, '2026-01-10T09:20:00Z'),
    buildComment(10000000008, 6, priyaShah, tickets[5]!.description, true, '2026-01-11T15:05:00Z'),
  ];

  const groups: StoredGroup[] = [
    ['Support', SANDBOX_GROUP_IDS.support, true] as const,
    ['Escalations', SANDBOX_GROUP_IDS.escalations, false] as const,
    ['VIP', SANDBOX_GROUP_IDS.vip, false, false] as const,
  ].map(([name, id, isDefault, isPublic = true]) => ({
    id,
    name,
    description: '',
    default: isDefault,
    deleted: false,
    is_public: isPublic,
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
  }));

  const { admin, rileyRestricted, leeLight, ashaAssigned } = SANDBOX_USER_IDS;
  const groupMemberships: StoredGroupMembership[] = (
    [
      [admin, SANDBOX_GROUP_IDS.support, true],
      [admin, SANDBOX_GROUP_IDS.escalations, false],
      [admin, SANDBOX_GROUP_IDS.vip, false],
      [agent, SANDBOX_GROUP_IDS.support, true],
      [rileyRestricted, SANDBOX_GROUP_IDS.escalations, true],
      [leeLight, SANDBOX_GROUP_IDS.support, true],
      [ashaAssigned, SANDBOX_GROUP_IDS.support, true],
    ] as const
  ).map(([userId, groupId, isDefault], index) => ({
    id: 30000000001 + index,
    user_id: userId,
    group_id: groupId,
    default: isDefault,
    created_at: SEEDED_AT,
    updated_at: SEEDED_AT,
  }));

  // Zendesk gives every user with an organization_id a membership for it.
  const organizationMemberships: StoredOrganizationMembership[] = users
    .filter((user) => user.organization_id !== null)
    .map((user, index) => ({
      id: 31000000001 + index,
      user_id: user.id,
      organization_id: user.organization_id as number,
      default: true,
      view_tickets: user.role !== 'end-user',
      created_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    }));

  const customRoles: StoredCustomRole[] = [
    {
      id: SANDBOX_CUSTOM_ROLE_IDS.lightAgent,
      name: 'Light agent',
      description: 'Can view tickets and add private comments; cannot edit tickets.',
      role_type: 1,
      team_member_count: 1,
      configuration: {
        light_agent: true,
        ticket_access: 'all',
        ticket_editing: false,
        ticket_comment_access: 'private',
        ticket_deletion: false,
        ticket_merge: false,
        ticket_tag_editing: false,
      },
      created_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    },
  ];

  const brands: StoredBrand[] = [
    {
      id: SANDBOX_BRAND_ID,
      name: 'Sandbox Store',
      subdomain: 'sandbox',
      brand_url: 'https://sandbox.zendesk.com',
      active: true,
      default: true,
      created_at: SEEDED_AT,
      updated_at: SEEDED_AT,
    },
  ];

  return {
    tickets,
    comments,
    users,
    organizations,
    ticket_fields: ticketFields,
    groups,
    group_memberships: groupMemberships,
    organization_memberships: organizationMemberships,
    custom_roles: customRoles,
    brands,
  };
}
