import type { CompiledWrite } from '../../compile/compiled-model';
import type { TemplateScope } from '../../compile/template';
import { appliesToTicket } from './zendesk-config';
import type { TicketFacts } from './zendesk-config';
import type {
  DescribedWrites,
  HelpdeskError,
  HelpdeskPort,
  LoadedTarget,
  TargetQueryError,
  WriteResult,
} from '../../runs/helpdesk-port';
import type { Result } from '../../../../shared/src/result';
import type { TicketContext } from './client/ticket-context';
import type { TicketUpdate as ZendeskTicketUpdate, ZendeskClient } from './client/zendesk-client';
import type { ZendeskError } from './client/zendesk-errors';
import type { AgentAccess, AgentAccessError } from './identity/agent-access';
import { buildTicketUpdate } from './build-ticket-update';
import type { WriteBatcher } from '../../pacing/write-batcher';
import type { BatchChooser } from '../../pacing/choose-batching';
import { sameValue } from './zendesk-batch-writes';
import type { BatchWriteOutcome, BatchedTicketWrite } from './zendesk-batch-writes';
import type { TicketUpdate } from './build-ticket-update';

/** Zendesk's custom ticket field types (Ticket Fields API); the rest are system fields. */
const CUSTOM_FIELD_TYPES = new Set([
  'text',
  'textarea',
  'checkbox',
  'date',
  'integer',
  'decimal',
  'regexp',
  'partialcreditcard',
  'multiselect',
  'tagger',
  'lookup',
]);
/**
 * Zendesk as a run target: loads the ticket (with requester, organization and the chosen comment)
 * through the REST API, and writes each run's changes as one ticket update guarded by
 * safe_update, so a run cannot silently overwrite an edit made since the ticket was loaded.
 */

const AGENT_ROLES = new Set(['agent', 'admin']);
const AGENT_CACHE_MS = 5 * 60 * 1000;
const FIELD_TITLES_CACHE_MS = 60 * 1000;
/** The ticket properties a write-back may set besides custom fields, as Zendesk names them. */
const TICKET_PROPERTY_LABELS: readonly [keyof Omit<TicketUpdate, 'customFields'>, string][] = [
  ['status', 'Status'],
  ['priority', 'Priority'],
  ['type', 'Type'],
  ['additionalTags', 'Tags added'],
  ['removeTags', 'Tags removed'],
  ['internalNote', 'Internal note'],
];

function readTicketSource(
  context: TicketContext,
  agent: LoadedTarget['agent'],
  source: string,
): unknown {
  const { ticket, requester, organization, comment } = context;
  if (source.startsWith('ticket.custom_fields.')) {
    return ticket.customFields[source.slice('ticket.custom_fields.'.length)];
  }
  switch (source) {
    case 'ticket.id':
      return ticket.id;
    case 'ticket.subject':
      return ticket.subject;
    case 'ticket.description':
      return ticket.description;
    case 'ticket.status':
      return ticket.status;
    case 'ticket.priority':
      return ticket.priority;
    case 'ticket.type':
      return ticket.type;
    case 'ticket.tags':
      return ticket.tags;
    case 'ticket.brand_id':
      return ticket.brandId;
    case 'ticket.group_id':
      return ticket.groupId;
    case 'ticket.external_id':
      return ticket.externalId;
    case 'ticket.ticket_form_id':
      return ticket.ticketFormId;
    case 'ticket.requester.id':
      return requester?.id;
    case 'ticket.requester.email':
      return requester?.email;
    case 'ticket.requester.name':
      return requester?.name;
    case 'ticket.organization.id':
      return organization?.id;
    case 'ticket.organization.name':
      return organization?.name;
    case 'comment.id':
      return comment?.id;
    case 'comment.body':
      return comment?.body;
    case 'comment.author_id':
      return comment?.authorId;
    case 'agent.id':
      return agent?.id;
    case 'agent.email':
      return agent?.email;
    case 'agent.name':
      return agent?.name;
    default:
      return undefined;
  }
}

/** Whether a connector's `appliesWhen` holds for a ticket (rule: runs/applies-when.ts). */
function ticketFacts(context: TicketContext): TicketFacts {
  const { ticket } = context;
  return {
    tags: ticket.tags,
    brandId: ticket.brandId,
    groupId: ticket.groupId,
    ticketFormId: ticket.ticketFormId,
    status: ticket.status,
  };
}

const NOT_A_SEARCH: TargetQueryError = {
  code: 'QUERY_REFUSED',
  message: 'Zendesk is searched with --search.',
};

/** Zendesk answers a search it cannot parse with a 4xx; anything else is Zendesk, not the query. */
function searchErrorFor(error: ZendeskError): TargetQueryError {
  switch (error.code) {
    case 'ZENDESK_INVALID':
      return { code: 'QUERY_REFUSED', message: error.message };
    case 'ZENDESK_UNAUTHORIZED':
      return authFailureFor(error);
    default:
      return {
        code: 'HELPDESK_UNAVAILABLE',
        message: `Zendesk could not be searched: ${error.message}`,
      };
  }
}

function authFailureFor(error: ZendeskError) {
  return {
    code: 'HELPDESK_AUTH_FAILED' as const,
    // The OAuth refresh grant failed for good, and its message says what to do.
    message:
      (error.details as { oauth?: string } | undefined)?.oauth !== undefined
        ? error.message
        : "Zendesk refused the server's credentials; check ZENDESK_EMAIL and ZENDESK_API_TOKEN (or the ZENDESK_OAUTH_* variables).",
  };
}

function loadErrorFor(error: ZendeskError, what: 'ticket' | 'comment' | 'agent', id: string) {
  switch (error.code) {
    case 'ZENDESK_NOT_FOUND':
      return what === 'ticket'
        ? { code: 'TICKET_NOT_FOUND' as const, message: `Zendesk has no ticket ${id}.` }
        : what === 'comment'
          ? { code: 'COMMENT_NOT_FOUND' as const, message: `Ticket has no comment ${id}.` }
          : { code: 'AGENT_NOT_FOUND' as const, message: `Zendesk has no user ${id}.` };
    case 'ZENDESK_UNAUTHORIZED':
      return authFailureFor(error);
    default:
      return {
        code: 'HELPDESK_UNAVAILABLE' as const,
        message: `Zendesk could not be reached: ${error.message}`,
      };
  }
}

/** Whether a ticket already shows every change of an update (fields, tags and the note). */
async function updateAlreadyApplied(
  client: ZendeskClient,
  context: TicketContext,
  update: TicketUpdate,
  loadedVersion: string | undefined,
): Promise<boolean> {
  const { ticket } = context;
  const tags = new Set(ticket.tags);
  if (
    !(update.customFields ?? []).every((field) =>
      sameValue(ticket.customFields[String(field.id)], field.value),
    )
  ) {
    return false;
  }
  if (update.status !== undefined && ticket.status !== update.status) return false;
  if (update.priority !== undefined && ticket.priority !== update.priority) return false;
  if (update.type !== undefined && ticket.type !== update.type) return false;
  if (!(update.additionalTags ?? []).every((tag) => tags.has(tag))) return false;
  if ((update.removeTags ?? []).some((tag) => tags.has(tag))) return false;
  if (update.internalNote === undefined) return true;
  const comments = await client.listComments(ticket.id);
  if (!comments.ok) return false;
  const since = loadedVersion === undefined ? 0 : Date.parse(loadedVersion);
  return comments.value.some(
    (comment) =>
      !comment.public &&
      comment.body.trim() === update.internalNote?.trim() &&
      Date.parse(comment.createdAt) >= since,
  );
}

/**
 * The update with the version it was built against, so Zendesk refuses it if the ticket changed
 * since. The stamp comes before the spread: "Object literals on the run path" in
 * docs/performance.md.
 */
function stampedUpdate(
  update: ZendeskTicketUpdate,
  stamp: string | undefined,
): ZendeskTicketUpdate {
  return stamp === undefined ? update : { safeUpdateStamp: stamp, ...update };
}

function describeUpdate(update: TicketUpdate): unknown {
  return Object.keys(update).length ? update : null;
}

function accessError(error: AgentAccessError) {
  return error.code === 'AGENT_NOT_ALLOWED'
    ? { code: 'AGENT_NOT_FOUND' as const, message: error.message }
    : { code: error.code, message: error.message };
}

/** Said alike for a ticket that does not exist and one the agent may not open. */
function hiddenTicket(id: string) {
  return {
    code: 'TICKET_NOT_FOUND' as const,
    message: `There is no ticket ${id}, or you cannot open it in Zendesk.`,
  };
}

export function createZendeskHelpdesk(
  client: ZendeskClient,
  options: {
    now?: () => number;
    /** What agents may see: needed to load tickets for a `viewer` (sidebar sessions). */
    access?: AgentAccess;
    /**
     * Bulk jobs for the writes (zendesk-batch-writes.ts): given to automation's port only, so
     * agents' writes never wait for one. Without it every write is its own ticket update.
     */
    batchWrites?: {
      batcher: WriteBatcher<BatchedTicketWrite, BatchWriteOutcome>;
      /** Whether a write is worth a job (several in flight, or the limit more than half used). */
      chooser: BatchChooser;
    };
  } = {},
): HelpdeskPort {
  const now = options.now ?? Date.now;
  const agents = new Map<string, { at: number; agent: NonNullable<LoadedTarget['agent']> }>();
  let fieldTitles: { at: number; titles: ReadonlyMap<number, string> } | undefined;

  /** The account's ticket field titles, read once a minute at most (admins rename fields). */
  async function ticketFieldTitles(): Promise<Result<ReadonlyMap<number, string>, string>> {
    if (fieldTitles && now() - fieldTitles.at < FIELD_TITLES_CACHE_MS) {
      return { ok: true, value: fieldTitles.titles };
    }
    const listed = await client.listTicketFields();
    if (!listed.ok) return { ok: false, error: listed.error.message };
    fieldTitles = {
      at: now(),
      titles: new Map(listed.value.map((field) => [field.id, field.title])),
    };
    return { ok: true, value: fieldTitles.titles };
  }

  async function loadAgent(
    agentId: string,
  ): Promise<Result<NonNullable<LoadedTarget['agent']>, HelpdeskError>> {
    const cached = agents.get(agentId);
    if (cached && now() - cached.at < AGENT_CACHE_MS) return { ok: true, value: cached.agent };
    const user = await client.getUser(Number(agentId));
    if (!user.ok) return { ok: false, error: loadErrorFor(user.error, 'agent', agentId) };
    if (!AGENT_ROLES.has(user.value.role ?? '')) {
      return {
        ok: false,
        error: { code: 'AGENT_NOT_FOUND', message: `User ${agentId} is not an agent.` },
      };
    }
    const agent = {
      id: String(user.value.id),
      name: user.value.name,
      email: user.value.email ?? '',
    };
    agents.set(agentId, { at: now(), agent });
    return { ok: true, value: agent };
  }

  const toWriteResult = (result: ReturnType<typeof buildTicketUpdate>): WriteResult =>
    result.ok
      ? { ok: true, written: false, changes: describeUpdate(result.update) }
      : { ok: false, changes: null, error: result.error };

  return {
    system: 'zendesk',
    label: 'Zendesk',
    editForbiddenMessage: (subject) =>
      `${subject} writes to the ticket, and your Zendesk role cannot edit tickets.`,
    // Zendesk has one kind of target (tickets): `targetType` and `fields` do not apply.
    async load(targetId, { commentId, actorId: agentId, viewer, callerRights }) {
      const context = await client.getTicketContext(
        Number(targetId),
        commentId === undefined ? {} : { commentId: Number(commentId) },
      );
      if (!context.ok && viewer && context.error.code === 'ZENDESK_NOT_FOUND') {
        return { ok: false, error: hiddenTicket(targetId) };
      }
      if (!context.ok) {
        const what =
          context.error.code === 'ZENDESK_NOT_FOUND' &&
          commentId !== undefined &&
          /comment/i.test(context.error.message)
            ? 'comment'
            : 'ticket';
        return {
          ok: false,
          error: loadErrorFor(
            context.error,
            what,
            what === 'comment' ? String(commentId) : targetId,
          ),
        };
      }
      let agent: LoadedTarget['agent'];
      let viewerMayEdit = true;
      if (viewer) {
        if (!options.access) throw new Error('a viewer needs the agent access checks');
        const profile = await options.access.loadAgent(Number(viewer.userId));
        if (!profile.ok) return { ok: false, error: accessError(profile.error) };
        const { ticket } = context.value;
        const visible = await options.access.canView(profile.value, {
          groupId: ticket.groupId,
          assigneeId: ticket.assigneeId,
          requesterId: ticket.requesterId,
          organizationId: ticket.organizationId,
        });
        if (!visible.ok) return { ok: false, error: accessError(visible.error) };
        if (!visible.value) return { ok: false, error: hiddenTicket(targetId) };
        agent = {
          id: String(profile.value.id),
          name: profile.value.name,
          email: profile.value.email,
        };
        viewerMayEdit = profile.value.canEditTickets;
      } else if (agentId !== undefined) {
        const loaded = await loadAgent(agentId);
        if (!loaded.ok) return loaded;
        agent = loaded.value;
      }
      const value = context.value;
      const loaded: LoadedTarget = {
        target: {
          system: 'zendesk',
          type: 'ticket',
          id: String(value.ticket.id),
          ...(value.comment ? { commentId: String(value.comment.id) } : {}),
        },
        read: (source) => readTicketSource(value, agent, source),
        applies: (when) => appliesToTicket(when, ticketFacts(value)),
        agent,
        viewerMayEdit: viewerMayEdit && callerRights?.mayEdit !== false,
        version: value.ticket.updatedAt,
      };
      return { ok: true, value: loaded };
    },

    async describeWrites(changes: unknown): Promise<DescribedWrites> {
      const update = (changes ?? {}) as TicketUpdate;
      const fields: DescribedWrites['fields'] = [];
      let note: string | undefined;
      if (update.customFields?.length) {
        const titles = await ticketFieldTitles();
        if (!titles.ok)
          note = `Zendesk's ticket field names could not be read (${titles.error}); ids are shown.`;
        for (const { id, value } of update.customFields) {
          const title = titles.ok ? titles.value.get(id) : undefined;
          fields.push({
            field: `custom_fields.${id}`,
            label: title ?? `Ticket field ${id}`,
            value,
          });
        }
      }
      for (const [key, label] of TICKET_PROPERTY_LABELS) {
        const value = update[key];
        if (value !== undefined) fields.push({ field: key, label, value });
      }
      return { fields, ...(note ? { note } : {}) };
    },

    async listFields() {
      const listed = await client.listTicketFields();
      if (!listed.ok) return { ok: false, error: listed.error.message };
      return {
        ok: true,
        value: listed.value
          // System fields (subject, status, group…) are written by name, not as custom fields.
          .filter((field) => CUSTOM_FIELD_TYPES.has(field.type))
          .map((field) => ({
            key: String(field.id),
            label: field.title,
            type: field.type,
            writable: field.active,
          })),
      };
    },

    preview(write: CompiledWrite | undefined, scope: TemplateScope): WriteResult {
      return toWriteResult(buildTicketUpdate(write, scope));
    },

    async write(loaded, write, scope) {
      const bulk = options.batchWrites;
      if (!bulk) return writeTicket(loaded, write, scope);
      const gate = bulk.chooser.enter();
      try {
        return await writeTicket(loaded, write, scope, gate.batch ? bulk.batcher : undefined);
      } finally {
        gate.leave();
      }
    },

    async findTargets(query, cursor) {
      if (query.kind !== 'search') return { ok: false, error: NOT_A_SEARCH };
      const page = await client.searchTicketIds(query.text, {
        size: SEARCH_PAGE_SIZE,
        ...(cursor ? { after: cursor } : {}),
      });
      if (!page.ok) return { ok: false, error: searchErrorFor(page.error) };
      return { ok: true, value: { ids: page.value.ids.map(String), cursor: page.value.after } };
    },

    async countTargets(query) {
      if (query.kind !== 'search') return { ok: false, error: NOT_A_SEARCH };
      const counted = await client.countSearchResults(query.text);
      return counted.ok ? counted : { ok: false, error: searchErrorFor(counted.error) };
    },
  };

  async function writeTicket(
    loaded: LoadedTarget,
    write: CompiledWrite | undefined,
    scope: TemplateScope,
    batcher?: WriteBatcher<BatchedTicketWrite, BatchWriteOutcome>,
  ): Promise<WriteResult> {
    const built = buildTicketUpdate(write, scope);
    if (!built.ok) return toWriteResult(built);
    if (built.empty) return { ok: true, written: false, changes: null };
    const ticketId = Number(loaded.target.id);
    const update = built.update as ZendeskTicketUpdate;
    if (batcher) {
      const batched = await batcher.submit({
        ticketId,
        update: stampedUpdate(update, loaded.version),
      });
      if (batched.kind === 'written') {
        return { ok: true, written: true, changes: describeUpdate(built.update) };
      }
      if (batched.kind === 'rejected') {
        return {
          ok: false,
          changes: describeUpdate(built.update),
          error: {
            code: 'WRITE_BACK_REJECTED',
            message: `Zendesk's bulk update refused it: ${batched.message}`,
          },
        };
      }
      // Unsettled: the single write below, with the loaded stamp, settles it either way.
    }
    let stamp = loaded.version;
    // One conflict retry: our update only touches the fields the connector maps, so after
    // re-reading the ticket it is safe to apply it on top of the newer version.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const result = await client.updateTicket(ticketId, stampedUpdate(update, stamp));
      if (result.ok) {
        return { ok: true, written: true, changes: describeUpdate(built.update) };
      }
      const error = result.error;
      if (error.code === 'ZENDESK_CONFLICT' && attempt === 1) {
        const fresh = await client.getTicketContext(ticketId, {});
        if (fresh.ok) {
          // A retried PUT whose first answer was lost also ends here: the update landed, so
          // the ticket changed. Applying it again would add the internal note twice.
          if (await updateAlreadyApplied(client, fresh.value, built.update, loaded.version)) {
            return { ok: true, written: true, changes: describeUpdate(built.update) };
          }
          stamp = fresh.value.ticket.updatedAt;
          continue;
        }
      }
      const code =
        error.code === 'ZENDESK_INVALID'
          ? 'WRITE_BACK_REJECTED'
          : error.code === 'ZENDESK_CONFLICT'
            ? 'WRITE_BACK_CONFLICT'
            : 'WRITE_BACK_UNAVAILABLE';
      return {
        ok: false,
        changes: describeUpdate(built.update),
        error: {
          code,
          message: `Zendesk answered ${error.status ?? 'no response'}: ${error.message}`,
        },
      };
    }
    return {
      ok: false,
      changes: describeUpdate(built.update),
      error: { code: 'WRITE_BACK_CONFLICT', message: 'the ticket kept changing' },
    };
  }
}

/** Tickets per search page a backfill reads (Zendesk allows up to 1,000; 100 keeps pages quick). */
const SEARCH_PAGE_SIZE = 100;
