import type { Express, Request } from 'express';
import type { StoredTicket, TicketStatus } from '../seed/zendesk-seed';
import type { FakeZendeskStore } from './fake-zendesk-store';
import { renderTicket } from './zendesk-json';

/**
 * Ticket search in the fake Zendesk, for backfills (server/src/backfills/):
 *
 * - `GET /api/v2/search/export.json?query=…&filter[type]=ticket&page[size]=…[&page[after]=…]`
 *   "Export Search Results": cursor pagination only (`meta.after_cursor`, `meta.has_more`,
 *   `links.next`), `filter[type]` required, at most 1000 per page (we cap at 100 like the
 *   other lists).
 * - `GET /api/v2/search/count.json?query=…` "Show Results Count": `{ count }`.
 *
 * The query syntax is the documented subset a backfill needs: `tags:x`, `status:open`,
 * `status<solved` (and `>`, `<=`, `>=` on the status order new < open < pending < hold <
 * solved < closed), `type:ticket`, a leading `-` to negate any of them, and bare words matched
 * case-insensitively against the subject and description. Anything else is a 400, so a test
 * never passes on a query the fake silently ignored.
 *
 * Sources: https://developer.zendesk.com/api-reference/ticketing/ticket-management/search/
 * ("Export Search Results", "Show Results Count", "Query syntax"), and
 * https://support.zendesk.com/hc/en-us/articles/4408825120538 (the export endpoint uses cursor
 * pagination and requires filter[type]).
 *
 * The cursor is the last ticket id of the page, not an index: a backfill changes the tickets it
 * walks (a tag it writes may take a ticket out of the results), and an index would then skip
 * tickets. Results are in id order.
 */

const STATUS_ORDER: readonly TicketStatus[] = [
  'new',
  'open',
  'pending',
  'hold',
  'solved',
  'closed',
];
const MAX_PAGE_SIZE = 100;

type Term =
  | { kind: 'tag'; value: string; negated: boolean }
  | { kind: 'status'; op: ':' | '<' | '>' | '<=' | '>='; value: TicketStatus; negated: boolean }
  | { kind: 'type'; value: string; negated: boolean }
  | { kind: 'word'; value: string; negated: boolean };

type ParsedQuery = { ok: true; terms: Term[] } | { ok: false; description: string };

function parseQuery(query: string): ParsedQuery {
  const terms: Term[] = [];
  for (const raw of query.trim().split(/\s+/).filter(Boolean)) {
    const negated = raw.startsWith('-');
    const token = negated ? raw.slice(1) : raw;
    const match = /^(tags|status|type)(:|<=|>=|<|>)(.+)$/i.exec(token);
    if (!match) {
      if (/[:<>]/.test(token)) {
        return { ok: false, description: `Unsupported search keyword in "${raw}"` };
      }
      terms.push({ kind: 'word', value: token.toLowerCase(), negated });
      continue;
    }
    const keyword = (match[1] as string).toLowerCase();
    const op = match[2] as ':' | '<' | '>' | '<=' | '>=';
    const value = (match[3] as string).toLowerCase();
    if (keyword === 'status') {
      if (!STATUS_ORDER.includes(value as TicketStatus)) {
        return { ok: false, description: `Unknown status "${value}"` };
      }
      terms.push({ kind: 'status', op, value: value as TicketStatus, negated });
    } else if (op !== ':') {
      return { ok: false, description: `"${keyword}" takes ":" only` };
    } else {
      terms.push({ kind: keyword === 'tags' ? 'tag' : 'type', value, negated });
    }
  }
  return { ok: true, terms };
}

function compareStatus(ticket: TicketStatus, op: string, value: TicketStatus): boolean {
  const difference = STATUS_ORDER.indexOf(ticket) - STATUS_ORDER.indexOf(value);
  switch (op) {
    case '<':
      return difference < 0;
    case '>':
      return difference > 0;
    case '<=':
      return difference <= 0;
    case '>=':
      return difference >= 0;
    default:
      return difference === 0;
  }
}

function matchesTerm(ticket: StoredTicket, term: Term): boolean {
  switch (term.kind) {
    case 'tag':
      return ticket.tags.some((tag) => tag.toLowerCase() === term.value);
    case 'status':
      return compareStatus(ticket.status, term.op, term.value);
    case 'type':
      return term.value === 'ticket';
    case 'word':
      return `${ticket.subject} ${ticket.description}`.toLowerCase().includes(term.value);
  }
}

function searchTickets(store: FakeZendeskStore, terms: Term[]): StoredTicket[] {
  return store.data.tickets
    .filter((ticket) => terms.every((term) => matchesTerm(ticket, term) !== term.negated))
    .sort((a, b) => a.id - b.id);
}

function readQuery(req: Request): ParsedQuery {
  const query = req.query.query;
  if (typeof query !== 'string' || query.trim() === '') {
    return { ok: false, description: 'query is required' };
  }
  return parseQuery(query);
}

const invalid = (description: string) => ({ error: 'InvalidSearchQuery', description });

/** Adds the two search routes; call before the fake's catch-all 404. */
export function registerSearchRoutes(app: Express, store: FakeZendeskStore): void {
  app.get('/api/v2/search/count', (req, res) => {
    const parsed = readQuery(req);
    if (!parsed.ok) return void res.status(400).json(invalid(parsed.description));
    res.json({ count: searchTickets(store, parsed.terms).length });
  });

  app.get('/api/v2/search/export', (req, res) => {
    const parsed = readQuery(req);
    if (!parsed.ok) return void res.status(400).json(invalid(parsed.description));
    if (req.query['filter[type]'] !== 'ticket') {
      return void res
        .status(400)
        .json(invalid('filter[type] is required; this fake searches tickets only'));
    }
    const size = Math.min(
      MAX_PAGE_SIZE,
      Math.max(1, Number(req.query['page[size]'] ?? 100) || 100),
    );
    const after = req.query['page[after]'];
    let afterId = 0;
    if (after !== undefined) {
      const decoded = /^t:(\d+)$/.exec(Buffer.from(String(after), 'base64url').toString('utf8'));
      if (!decoded) return void res.status(400).json(invalid('Invalid page[after] cursor'));
      afterId = Number(decoded[1]);
    }
    const matches = searchTickets(store, parsed.terms).filter((ticket) => ticket.id > afterId);
    const page = matches.slice(0, size);
    const hasMore = matches.length > size;
    const last = page.at(-1);
    const afterCursor = last ? Buffer.from(`t:${last.id}`).toString('base64url') : null;
    const apiBase = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
    const query = encodeURIComponent(String(req.query.query));
    res.json({
      results: page.map((ticket) => ({ ...renderTicket(ticket, apiBase), result_type: 'ticket' })),
      meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: null },
      links: {
        next:
          hasMore && afterCursor
            ? `${apiBase}/api/v2/search/export.json?query=${query}&filter[type]=ticket&page[size]=${size}&page[after]=${afterCursor}`
            : null,
        prev: null,
      },
    });
  });
}
