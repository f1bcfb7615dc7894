import type { RequestHandler } from 'express';
import { zendeskErrors } from './zendesk-json';

/**
 * Account-wide per-minute budget as the Rate limits page documents it: every response carries
 * `X-Rate-Limit` and `X-Rate-Limit-Remaining` for the current minute; past the budget the API
 * answers 429 with `Retry-After` in seconds.
 */
export interface RateLimitOptions {
  limitPerMinute: number;
  now: () => Date;
}

export function createRateLimitMiddleware(options: RateLimitOptions): RequestHandler {
  let windowStart = -1;
  let used = 0;
  return (_req, res, next) => {
    const nowMs = options.now().getTime();
    const currentWindow = Math.floor(nowMs / 60_000) * 60_000;
    if (currentWindow !== windowStart) {
      windowStart = currentWindow;
      used = 0;
    }
    used += 1;
    const remaining = Math.max(0, options.limitPerMinute - used);
    res.setHeader('X-Rate-Limit', String(options.limitPerMinute));
    res.setHeader('X-Rate-Limit-Remaining', String(remaining));
    if (used <= options.limitPerMinute) return next();
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + 60_000 - nowMs) / 1000));
    const reply = zendeskErrors.rateLimited(retryAfterSeconds);
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    res.status(reply.status).json(reply.body);
  };
}
