import { createRateBudget } from '../../../pacing/rate-budget';
import type { BudgetObservation, RateBudget } from '../../../pacing/rate-budget';

/**
 * Zendesk's limits as its answers state them (developer.zendesk.com, "Rate limits" and "Best
 * practices for avoiding rate limiting"):
 * - account-wide, per minute: `X-Rate-Limit` / `X-Rate-Limit-Remaining` on every answer, and on
 *   the Ticketing API also `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset`
 *   (seconds until the window ends);
 * - per endpoint: `zendesk-ratelimit-<name>: total=100; remaining=99; resets=41`.
 * The Update Ticket endpoint allows 100 requests a minute per account (support.zendesk.com
 * article 8638126078234) whether or not its header is sent, so that bucket starts known.
 */

/** The account-wide bucket every request spends. */
export const ACCOUNT_BUCKET = 'account';
/** `PUT /api/v2/tickets/{id}`: its own per-account limit, named as its `zendesk-ratelimit-tickets-update` header names it. */
export const TICKET_UPDATES_BUCKET = 'tickets-update';
export const TICKET_UPDATES_PER_MINUTE = 100;

type Headers = Record<string, string | string[] | undefined>;

function readHeader(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readCount(headers: Headers, name: string): number | undefined {
  const value = readHeader(headers, name);
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** `total=100; remaining=99; resets=41` → its three numbers (undefined when malformed). */
function readEndpointHeader(value: string): BudgetObservation | undefined {
  const parts = new Map<string, number>();
  for (const part of value.split(';')) {
    const match = /^\s*(total|remaining|resets)\s*=\s*(\d+)\s*$/.exec(part);
    if (match) parts.set(match[1] as string, Number(match[2]));
  }
  const total = parts.get('total');
  const remaining = parts.get('remaining');
  if (total === undefined || remaining === undefined) return undefined;
  const resets = parts.get('resets');
  return {
    bucket: '',
    limit: total,
    remaining,
    ...(resets === undefined ? {} : { resetInMs: resets * 1000 }),
  };
}

/** What one answer says about the account's budgets (nothing when it sent no such headers). */
export function readZendeskRateLimits(headers: Headers): BudgetObservation[] {
  const observations: BudgetObservation[] = [];
  const limit = readCount(headers, 'ratelimit-limit') ?? readCount(headers, 'x-rate-limit');
  const remaining =
    readCount(headers, 'ratelimit-remaining') ?? readCount(headers, 'x-rate-limit-remaining');
  const reset = readCount(headers, 'ratelimit-reset');
  if (limit !== undefined && remaining !== undefined) {
    observations.push({
      bucket: ACCOUNT_BUCKET,
      limit,
      remaining,
      ...(reset === undefined ? {} : { resetInMs: reset * 1000 }),
    });
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('zendesk-ratelimit-') || value === undefined) continue;
    const observed = readEndpointHeader(Array.isArray(value) ? (value[0] ?? '') : value);
    if (observed)
      observations.push({ ...observed, bucket: name.slice('zendesk-ratelimit-'.length) });
  }
  return observations;
}

export interface ZendeskBudgetOptions {
  /** Share of each minute kept for agents (default 0.05). */
  reserveShare?: number;
  now?: () => number;
}

/** One per Zendesk account (every client of the same account must share it). */
export function createZendeskRateBudget(options: ZendeskBudgetOptions = {}): RateBudget {
  return createRateBudget({
    label: 'Zendesk',
    buckets: {
      [ACCOUNT_BUCKET]: { spread: true, windowMs: 60_000 },
      [TICKET_UPDATES_BUCKET]: {
        spread: true,
        windowMs: 60_000,
        knownLimit: TICKET_UPDATES_PER_MINUTE,
      },
    },
    ...(options.reserveShare === undefined ? {} : { reserveShare: options.reserveShare }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}
