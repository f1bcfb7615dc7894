import type { RequestHandler } from 'express';
import { z } from 'zod';
import { zendeskErrors } from './zendesk-json';

/**
 * Zendesk's request budgets, as developer.zendesk.com documents them:
 * - api-reference/introduction/rate-limits: requests per minute per plan (Suite/Support Team 200,
 *   Growth 400, Professional 400, Enterprise 700; the High Volume API add-on, built into
 *   Enterprise Plus, 2500). Every response carries `X-Rate-Limit` / `X-Rate-Limit-Remaining`;
 *   Ticketing API responses also carry `ratelimit-limit`, `ratelimit-remaining` and
 *   `ratelimit-reset` (seconds until the minute's budget is renewed). Past the budget: 429 with
 *   `Retry-After` in seconds.
 * - api-reference/ticketing/tickets/tickets, "Update Ticket" → Limits: the endpoint has its own
 *   budget, 100 requests per minute per account (300 with the High Volume add-on), reported in
 *   `Zendesk-RateLimit-tickets-update: total=N; remaining=N; resets=N`. The same table limits
 *   each user to 30 updates of one ticket per 10 minutes; the fake counts that for Update Ticket
 *   requests only (the Rate limits page says it covers "any PUT request that updates tickets";
 *   update_many jobs are not counted here) and, when it refuses, reports that budget in the same
 *   header, which is [UNCONFIRMED].
 * Not modelled: the List Tickets deep-pagination and incremental-export budgets, and the
 * 100,000/min account ceiling.
 * The 429 body is an assumption (the docs show only the status and Retry-After).
 */

export const ZENDESK_PLANS = [
  'team',
  'growth',
  'professional',
  'enterprise',
  'high-volume',
] as const;
export type ZendeskPlan = (typeof ZENDESK_PLANS)[number];

/** Support API requests per minute by plan (Rate limits page, plan tables). */
export const PLAN_REQUESTS_PER_MINUTE: Readonly<Record<ZendeskPlan, number>> = {
  team: 200,
  growth: 400,
  professional: 400,
  enterprise: 700,
  'high-volume': 2500,
};

/** Update Ticket requests per minute per account ("Default" column of its Limits table). */
export function ticketUpdatesPerMinuteFor(plan: ZendeskPlan): number {
  return plan === 'high-volume' ? 300 : 100;
}

export const zendeskLimitsSchema = z.strictObject({
  plan: z.enum(ZENDESK_PLANS).optional(),
  requestsPerMinute: z.number().int().positive().optional(),
  /** null switches the Update Ticket budget off. */
  ticketUpdatesPerMinute: z.number().int().positive().nullable().optional(),
  /** Updates of one ticket by one user per 10 windows (default 30); null switches it off. */
  ticketUpdatesPerUserPerTicket: z.number().int().positive().nullable().optional(),
  /** Length of a rate-limit "minute" in ms; benchmarks compress it (default 60000). */
  windowMs: z.number().int().positive().optional(),
});
export type ZendeskLimits = z.infer<typeof zendeskLimitsSchema>;

export interface ResolvedZendeskLimits {
  plan: ZendeskPlan | null;
  requestsPerMinute: number;
  ticketUpdatesPerMinute: number | null;
  /** Per user and ticket, over 10 windows ("30 updates per 10 minutes per user per ticket"). */
  ticketUpdatesPerUserPerTicket: number | null;
  windowMs: number;
}

/**
 * Turns the fake's options into the budgets it enforces. Without `limits` the fake keeps its
 * historical behaviour (2500/min account-wide, or `rateLimitPerMinute`, and no endpoint budget)
 * so suites written before plans existed see no change. With `limits` and no plan, the plan is
 * High Volume, the figure the fake always used. Invalid limits throw: misconfiguration is a bug.
 */
export function resolveZendeskLimits(
  limits: unknown,
  rateLimitPerMinute: number | undefined,
): ResolvedZendeskLimits {
  if (limits === undefined) {
    return {
      plan: null,
      requestsPerMinute: rateLimitPerMinute ?? PLAN_REQUESTS_PER_MINUTE['high-volume'],
      ticketUpdatesPerMinute: null,
      ticketUpdatesPerUserPerTicket: null,
      windowMs: 60_000,
    };
  }
  const parsed = zendeskLimitsSchema.safeParse(limits);
  if (!parsed.success) {
    throw new Error(`Invalid fake Zendesk limits: ${z.prettifyError(parsed.error)}`);
  }
  const plan = parsed.data.plan ?? 'high-volume';
  return {
    plan,
    requestsPerMinute:
      parsed.data.requestsPerMinute ?? rateLimitPerMinute ?? PLAN_REQUESTS_PER_MINUTE[plan],
    ticketUpdatesPerMinute:
      parsed.data.ticketUpdatesPerMinute === undefined
        ? ticketUpdatesPerMinuteFor(plan)
        : parsed.data.ticketUpdatesPerMinute,
    ticketUpdatesPerUserPerTicket:
      parsed.data.ticketUpdatesPerUserPerTicket === undefined
        ? 30
        : parsed.data.ticketUpdatesPerUserPerTicket,
    windowMs: parsed.data.windowMs ?? 60_000,
  };
}

export interface BudgetState {
  limit: number;
  remaining: number;
  /** Whole seconds until the window renews: Zendesk sends integers, so at least 1. */
  resetSeconds: number;
  exceeded: boolean;
}

/** A fixed-window counter; windows are aligned to the clock like Zendesk's minutes. */
export function createWindowBudget(limit: number, windowMs: number) {
  let windowStart = Number.NEGATIVE_INFINITY;
  let used = 0;
  return {
    take(nowMs: number): BudgetState {
      const currentWindow = Math.floor(nowMs / windowMs) * windowMs;
      if (currentWindow !== windowStart) {
        windowStart = currentWindow;
        used = 0;
      }
      used += 1;
      return {
        limit,
        remaining: Math.max(0, limit - used),
        resetSeconds: Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000)),
        exceeded: used > limit,
      };
    },
  };
}

/** Fixed-window counters per key (user and ticket); stale keys are dropped as it grows. */
export function createKeyedWindowBudget(limit: number, windowMs: number) {
  const counters = new Map<string, { windowStart: number; used: number }>();
  return {
    take(key: string, nowMs: number): BudgetState {
      const currentWindow = Math.floor(nowMs / windowMs) * windowMs;
      if (counters.size > 10_000) {
        for (const [name, counter] of counters) {
          if (counter.windowStart !== currentWindow) counters.delete(name);
        }
      }
      const counter = counters.get(key);
      const state =
        counter && counter.windowStart === currentWindow
          ? counter
          : { windowStart: currentWindow, used: 0 };
      state.used += 1;
      counters.set(key, state);
      return {
        limit,
        remaining: Math.max(0, limit - state.used),
        resetSeconds: Math.max(1, Math.ceil((currentWindow + windowMs - nowMs) / 1000)),
        exceeded: state.used > limit,
      };
    },
  };
}

/** The Update Ticket endpoint: PUT /api/v2/tickets/{id}, with or without `.json`. */
const UPDATE_TICKET_PATH = /^\/api\/v2\/tickets\/\d+(?:\.json)?\/?$/;

export function formatEndpointBudget(state: BudgetState): string {
  return `total=${state.limit}; remaining=${state.remaining}; resets=${state.resetSeconds}`;
}

export interface RateLimitOptions {
  limits: ResolvedZendeskLimits;
  now: () => Date;
}

/**
 * Counts every request against the account budget and Update Ticket requests also against
 * theirs. Both budgets are consumed even by a refused request, so a client that ignores
 * Retry-After stays refused. The headers of the budget that refused say `remaining=0`, which is
 * how a client tells the account limit from the endpoint limit.
 */
export function createRateLimitMiddleware(options: RateLimitOptions): RequestHandler {
  const { limits } = options;
  const account = createWindowBudget(limits.requestsPerMinute, limits.windowMs);
  const ticketUpdates =
    limits.ticketUpdatesPerMinute === null
      ? null
      : createWindowBudget(limits.ticketUpdatesPerMinute, limits.windowMs);
  return (req, res, next) => {
    const nowMs = options.now().getTime();
    const accountState = account.take(nowMs);
    res.setHeader('X-Rate-Limit', String(accountState.limit));
    res.setHeader('X-Rate-Limit-Remaining', String(accountState.remaining));
    res.setHeader('ratelimit-limit', String(accountState.limit));
    res.setHeader('ratelimit-remaining', String(accountState.remaining));
    res.setHeader('ratelimit-reset', String(accountState.resetSeconds));
    const endpointState =
      ticketUpdates && req.method === 'PUT' && UPDATE_TICKET_PATH.test(req.path)
        ? ticketUpdates.take(nowMs)
        : null;
    if (endpointState) {
      res.setHeader('Zendesk-RateLimit-tickets-update', formatEndpointBudget(endpointState));
    }
    const reply = accountState.exceeded
      ? zendeskErrors.rateLimited(accountState.resetSeconds)
      : endpointState?.exceeded
        ? zendeskErrors.endpointRateLimited(endpointState.resetSeconds, 'tickets-update')
        : null;
    if (!reply) return next();
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    res.status(reply.status).json(reply.body);
  };
}
