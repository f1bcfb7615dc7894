import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { divideLimit } from '../instances/divide-limit';
import type { Result } from '../../../shared/src/result';

/**
 * Per-caller rate limits, so one agent (or one script, or a flood of webhooks) cannot take the
 * server, the helpdesk's API budget or an upstream for everyone. A token bucket per caller and
 * kind of request: `perMinute` tokens a minute, up to `burst` at once. Past it, 429 RATE_LIMITED
 * with `Retry-After` (whole seconds until a token is back).
 *
 * Per process, divided: with several instances on PostgreSQL (docs/deploy.md) each holds its own
 * buckets with 1/N of the rate and of the burst (N live instances), so a caller spread over them
 * by the load balancer gets the limit in all, never N times it.
 */
export type RateKind = 'read' | 'run' | 'webhook';

export interface RateLimit {
  perMinute: number;
  burst: number;
}

export type RateLimits = Record<RateKind, RateLimit>;

/**
 * A limit of `perMinute` with a burst of a third of it: room for a quick run of clicks (or a
 * helpdesk catching up on deliveries) without letting a loop through. 0 turns the limit off.
 */
export function rateLimitOf(perMinute: number): RateLimit {
  return { perMinute, burst: Math.max(1, Math.ceil(perMinute / 3)) };
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  read: rateLimitOf(300),
  run: rateLimitOf(60),
  webhook: rateLimitOf(600),
};

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets kept at most; idle ones go first (a full bucket is no different from none). */
const MAX_BUCKETS = 10_000;

export interface RateLimiter {
  /** Takes one token; the seconds to wait when there is none. */
  take(kind: RateKind, key: string): Result<void, { retryAfterSeconds: number }>;
  /** Takes one token or throws 429 RATE_LIMITED with `Retry-After`. */
  enforce(kind: RateKind, key: string): void;
  /** Express middleware: limits each request by `keyOf(req)` (no key: not limited here). */
  middleware(
    kindOf: (req: Request) => RateKind,
    keyOf: (req: Request) => string | undefined,
  ): (req: Request, res: Response, next: NextFunction) => void;
  size(): number;
}

export function createRateLimiter(
  limits: RateLimits = DEFAULT_RATE_LIMITS,
  now: () => number = Date.now,
  instances: () => number = () => 1,
): RateLimiter {
  const buckets = new Map<string, Bucket>();

  const take: RateLimiter['take'] = (kind, key) => {
    const whole = limits[kind];
    if (whole.perMinute === 0) return { ok: true, value: undefined };
    const share = instances();
    const limit =
      share <= 1
        ? whole
        : { perMinute: whole.perMinute / share, burst: divideLimit(whole.burst, share) };
    const id = `${kind}\u0000${key}`;
    const at = now();
    const ratePerMs = limit.perMinute / 60_000;
    const previous = buckets.get(id);
    const tokens = previous
      ? Math.min(limit.burst, previous.tokens + (at - previous.updatedAt) * ratePerMs)
      : limit.burst;
    // Re-inserted so the map stays ordered by last use: the oldest entry is the idlest.
    buckets.delete(id);
    if (tokens < 1) {
      buckets.set(id, { tokens, updatedAt: at });
      return {
        ok: false,
        error: { retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000)) },
      };
    }
    buckets.set(id, { tokens: tokens - 1, updatedAt: at });
    if (buckets.size > MAX_BUCKETS) {
      const idlest = buckets.keys().next();
      if (!idlest.done) buckets.delete(idlest.value);
    }
    return { ok: true, value: undefined };
  };

  const enforce: RateLimiter['enforce'] = (kind, key) => {
    const taken = take(kind, key);
    if (taken.ok) return;
    const { retryAfterSeconds } = taken.error;
    throw new ApiError(
      'RATE_LIMITED',
      `Too many ${kind === 'run' ? 'runs' : kind === 'webhook' ? 'deliveries' : 'requests'}; try again in ${retryAfterSeconds} s.`,
      { limitPerMinute: limits[kind].perMinute, retryAfterSeconds },
      { 'Retry-After': String(retryAfterSeconds) },
    );
  };

  return {
    take,
    enforce,
    middleware: (kindOf, keyOf) => (req, _res, next) => {
      const key = keyOf(req);
      if (key !== undefined) enforce(kindOf(req), key);
      next();
    },
    size: () => buckets.size,
  };
}

/** A POST that runs something, as opposed to a read. */
export function kindOfApiRequest(req: Request): RateKind {
  return req.method === 'POST' && /\/(?:re)?run$/.test(req.path) ? 'run' : 'read';
}
