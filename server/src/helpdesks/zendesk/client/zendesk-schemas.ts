import { z } from 'zod';

/**
 * Schemas for the Zendesk responses the client reads. Zendesk adds properties over time and the
 * client must not break on them; every property the client does use is type-checked here.
 *
 * Most are loose objects (unknown properties kept). The two answers every run reads, a ticket
 * shown with its users and organizations and a ticket updated, strip what they do not name
 * instead: a loose object copies each of the ticket's and the users' forty-odd properties on
 * every run, the largest allocation of the run path (docs/performance.md, "CPU per run"). The
 * ticket as Zendesk sent it stays available from the unparsed answer (TicketContext.raw).
 */

const idSchema = z.number().int();

const customFieldValueSchema = z.object({
  id: idSchema,
  value: z.unknown().optional(),
});

const ticketSchema = z.object({
  id: idSchema,
  subject: z.string().nullable(),
  description: z.string().nullable(),
  status: z.string(),
  priority: z.string().nullable(),
  type: z.string().nullable(),
  tags: z.array(z.string()),
  brand_id: idSchema.nullable().optional(),
  group_id: idSchema.nullable().optional(),
  ticket_form_id: idSchema.nullable().optional(),
  external_id: z.string().nullable().optional(),
  requester_id: idSchema.nullable().optional(),
  assignee_id: idSchema.nullable().optional(),
  organization_id: idSchema.nullable().optional(),
  custom_fields: z.array(customFieldValueSchema).optional(),
  updated_at: z.string(),
});

export const userSchema = z.looseObject({
  id: idSchema,
  name: z.string(),
  email: z.string().nullable().optional(),
  role: z.string().optional(),
  organization_id: idSchema.nullable().optional(),
  // What a user may see and do (Users API): read for the sidebar's access checks.
  active: z.boolean().optional(),
  suspended: z.boolean().optional(),
  ticket_restriction: z.string().nullable().optional(),
  custom_role_id: idSchema.nullable().optional(),
  chat_only: z.boolean().optional(),
});
export type ZendeskUser = z.infer<typeof userSchema>;

export const showTicketResponseSchema = z.object({
  ticket: ticketSchema,
  users: z.array(z.object(userSchema.shape)).optional(),
  organizations: z.array(z.object({ id: idSchema, name: z.string() })).optional(),
});

export const commentSchema = z.looseObject({
  id: idSchema,
  body: z.string(),
  author_id: idSchema,
  public: z.boolean(),
  created_at: z.string(),
});

export const commentPageSchema = z.looseObject({
  comments: z.array(commentSchema),
  meta: z
    .looseObject({ has_more: z.boolean(), after_cursor: z.string().nullable().optional() })
    .optional(),
});

export const updateTicketResponseSchema = z.object({
  ticket: z.object({ id: idSchema, updated_at: z.string() }),
});

/**
 * A background job as `GET /api/v2/job_statuses/{id}` shows it (Job Statuses reference). The
 * results' shape varies by job and is loosely documented, so only what we read is required.
 */
export const jobStatusResponseSchema = z.looseObject({
  job_status: z.looseObject({
    id: z.string().min(1),
    status: z.string(),
    total: z.number().nullish(),
    progress: z.number().nullish(),
    message: z.string().nullish(),
    results: z
      .array(
        z.looseObject({
          id: idSchema.nullish(),
          index: z.number().int().nullish(),
          success: z.boolean().nullish(),
          status: z.string().nullish(),
          error: z.string().nullish(),
          details: z.unknown().optional(),
        }),
      )
      .nullish(),
  }),
});

export const showUserResponseSchema = z.looseObject({ user: userSchema });

export const ticketFieldSchema = z.looseObject({
  id: idSchema,
  type: z.string(),
  title: z.string(),
  active: z.boolean(),
  tag: z.string().nullable().optional(),
  custom_field_options: z
    .array(z.looseObject({ name: z.string(), value: z.string() }))
    .nullable()
    .optional(),
});

export const ticketFieldPageSchema = z.looseObject({
  ticket_fields: z.array(ticketFieldSchema),
  meta: z
    .looseObject({ has_more: z.boolean(), after_cursor: z.string().nullable().optional() })
    .optional(),
});

const membershipsMetaSchema = z
  .looseObject({ has_more: z.boolean(), after_cursor: z.string().nullable().optional() })
  .optional();

export const groupMembershipPageSchema = z.looseObject({
  group_memberships: z.array(z.looseObject({ group_id: idSchema, user_id: idSchema })),
  meta: membershipsMetaSchema,
});

export const organizationMembershipPageSchema = z.looseObject({
  organization_memberships: z.array(
    z.looseObject({ organization_id: idSchema, user_id: idSchema }),
  ),
  meta: membershipsMetaSchema,
});

export const showGroupResponseSchema = z.looseObject({
  group: z.looseObject({
    id: idSchema,
    name: z.string(),
    is_public: z.boolean().optional(),
    deleted: z.boolean().optional(),
  }),
});

export const showCustomRoleResponseSchema = z.looseObject({
  custom_role: z.looseObject({
    id: idSchema,
    name: z.string(),
    role_type: z.number().int().optional(),
    configuration: z
      .looseObject({
        ticket_editing: z.boolean().optional(),
        light_agent: z.boolean().optional(),
        ticket_access: z.string().optional(),
      })
      .optional(),
  }),
});
