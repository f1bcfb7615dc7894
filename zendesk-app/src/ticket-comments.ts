import * as z from 'zod/mini';
import type { ApiFailure, ApiResult } from './server-api';
import type { IRequestOptions } from './zaf-client';

export type ZafRequest = (options: IRequestOptions) => Promise<unknown>;

/**
 * The conversation of the open ticket, for "run on a comment". Read from Zendesk's own API with
 * the agent's session (a relative `/api/v2/...` URL through `client.request`), so the agent only
 * ever sees comments Zendesk already lets them see; the server re-reads the chosen comment
 * itself and never trusts the text the browser saw.
 */

const commentsPageSchema = z.object({
  comments: z.array(
    z.object({
      id: z.number(),
      author_id: z.number(),
      body: z.optional(z.string()),
      plain_body: z.optional(z.string()),
      public: z.optional(z.boolean()),
      created_at: z.string(),
    }),
  ),
  users: z.optional(z.array(z.object({ id: z.number(), name: z.string() }))),
});

export interface CommentSummary {
  id: number;
  authorName: string;
  createdAt: string;
  firstLine: string;
  isPublic: boolean;
}

const FIRST_LINE_MAX = 90;

/** The first non-empty line of a comment, shortened for a one-line list entry. */
export function summarizeCommentBody(body: string, max = FIRST_LINE_MAX): string {
  const line =
    body
      .split(/\r?\n/)
      .map((part) => part.trim())
      .find((part) => part !== '') ?? '';
  const flat = line.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/**
 * @param knownNames names the app already has (requester, assignee, current agent) for when
 *   Zendesk does not side-load the authors.
 */
export function summarizeComments(
  page: z.infer<typeof commentsPageSchema>,
  knownNames: ReadonlyMap<number, string>,
): CommentSummary[] {
  const names = new Map(knownNames);
  for (const user of page.users ?? []) names.set(user.id, user.name);
  // Sorted here too: a host that ignores `sort_order` must not flip the list.
  const newestFirst = [...page.comments].sort((a, b) => b.created_at.localeCompare(a.created_at));
  return newestFirst.map((comment) => ({
    id: comment.id,
    authorName: names.get(comment.author_id) ?? `User ${comment.author_id}`,
    createdAt: comment.created_at,
    firstLine: summarizeCommentBody(comment.plain_body ?? comment.body ?? ''),
    isPublic: comment.public !== false,
  }));
}

/**
 * What a rejected `client.request` to Zendesk's API means: jQuery's status 0 is no answer (its
 * statusText says whether it timed out); otherwise Zendesk's own error body.
 */
export function describeZafRejection(reason: unknown): ApiFailure {
  const record =
    reason !== null && typeof reason === 'object' ? (reason as Record<string, unknown>) : {};
  const status = typeof record.status === 'number' ? record.status : 0;
  if (status === 0) {
    return record.statusText === 'timeout'
      ? { code: 'TIMEOUT', status: 0, message: 'Zendesk did not answer in time.' }
      : { code: 'SERVER_UNREACHABLE', status: 0, message: 'Zendesk could not be reached.' };
  }
  const json = record.responseJSON as { error?: unknown; description?: unknown } | undefined;
  const described = [json?.error, json?.description].filter((part) => typeof part === 'string');
  return {
    code: `HTTP_${status}`,
    status,
    message: described.join(': ') || `Zendesk answered ${status}.`,
  };
}

/** Newest first (`sort_order=desc`): the comment an agent acts on is usually a recent one. */
export async function fetchComments(
  request: ZafRequest,
  ticketId: number,
  knownNames: ReadonlyMap<number, string>,
): Promise<ApiResult<CommentSummary[]>> {
  let answer: unknown;
  try {
    answer = await request({
      url: `/api/v2/tickets/${encodeURIComponent(ticketId)}/comments.json?sort_order=desc&include=users`,
      type: 'GET',
    });
  } catch (reason) {
    return { ok: false, error: describeZafRejection(reason) };
  }
  const parsed = commentsPageSchema.safeParse(answer);
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'RESPONSE_INVALID',
        status: 200,
        message: 'Zendesk sent comments this app does not understand.',
      },
    };
  }
  return { ok: true, value: summarizeComments(parsed.data, knownNames) };
}
