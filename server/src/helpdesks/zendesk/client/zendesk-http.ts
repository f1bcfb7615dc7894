import { Agent } from 'undici';
import { createAttemptSignal } from '../../../request/attempt-signal';
import { collectResponse } from '../../../request/collect-response';
import { decideRetry, parseRetryAfter } from './retry-policy';
import type { AttemptOutcome } from './retry-policy';
import { describeZendeskErrorBody, toErrorCode } from './zendesk-errors';
import type { ZendeskError } from './zendesk-errors';
import type { ZendeskAuthSource } from './zendesk-oauth-refresh';
import type { Result } from '../../../../../shared/src/result';
import type { RunLane } from '../../../pacing/run-lane';
import { SLOT_TAKEN } from '../../../pacing/rate-budget';
import type { RateBudget } from '../../../pacing/rate-budget';
import { ACCOUNT_BUCKET, readZendeskRateLimits } from './zendesk-rate-limits';
import { parseJson } from '../../../../../shared/src/parse-json';

export interface TransportOptions {
  baseUrl: string;
  /** A fixed header (API token, long-lived OAuth token), or a source that refreshes it. */
  authorization: string | ZendeskAuthSource;
  maxRetries: number;
  maxRetryWaitMs: number;
  timeoutMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /**
   * The account's budget (zendesk-rate-limits.ts): every attempt takes from it, in `lane`, and
   * every answer updates it. Without one, nothing is paced.
   */
  budget?: RateBudget;
  /** Whose calls these are (run-lane.ts): automation's wait behind agents' for the budget. */
  lane: RunLane;
}

export interface ZendeskRequest {
  method: 'GET' | 'PUT' | 'POST';
  /** Path below the base URL, e.g. `/api/v2/tickets/1.json`. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** May a 5xx/network failure be replayed? (See retry-policy.ts.) */
  replaySafe: boolean;
  /** What a 2xx body is (default JSON); `text` for the few non-JSON resources (a PEM key). */
  expect?: 'json' | 'text';
  /** Endpoint limits this request also counts against, besides the account's. */
  endpointBuckets?: readonly string[];
}

export interface ZendeskResponse {
  status: number;
  json: unknown;
  /** The body as text, when the request expected text. */
  text?: string;
  attempts: number;
}

type AttemptResult =
  | {
      kind: 'answer';
      status: number;
      headers: Record<string, string | string[] | undefined>;
      text: string;
    }
  | { kind: 'network'; message: string };

/** Describes a transport failure without echoing request options (which hold the auth header). */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return `Zendesk did not answer within ${timeoutMs} ms`;
  }
  const code = (error as { code?: unknown } | null)?.code;
  return `Could not reach Zendesk${typeof code === 'string' ? ` (${code})` : ''}`;
}

/**
 * Zendesk calls get a pool of their own, of the undici this project installs. Left to undici's
 * global dispatcher, they went through whichever undici had registered it: in the benchmark's
 * server, Node's bundled 6.x (its frames were in the profile). With this pool the benchmark's
 * fake Zendesk spent 0.08–0.09 ms per run on the calls instead of 0.13–0.16, and the server's
 * main thread 0.85–0.88 ms instead of 0.93–0.99 (docs/performance.md). Process-wide like the
 * global one, so clients made per request still share their connections.
 */
let sharedAgent: Agent | undefined;
export function zendeskAgent(): Agent {
  sharedAgent ??= new Agent();
  return sharedAgent;
}

const ACCOUNT_BUCKET_ONLY: readonly string[] = [ACCOUNT_BUCKET];

/**
 * `?key=value&…`, each part percent-encoded. Every run's ticket read has a query, and a
 * URLSearchParams built and serialised per call cost about 11k instructions (docs/performance.md).
 */
function formatQuery(query: Readonly<Record<string, string>>): string {
  let text = '';
  for (const key of Object.keys(query)) {
    text += `${text === '' ? '?' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(query[key] as string)}`;
  }
  return text;
}

/** As undici's `body.text()`: UTF-8, a byte order mark dropped. */
const UTF8 = new TextDecoder('utf-8');

/**
 * Sends one logical request with the retry policy applied. Never throws for HTTP or network
 * failures; they come back as ZendeskError values.
 */
export function createZendeskTransport(options: TransportOptions) {
  const baseUrl = new URL(options.baseUrl);
  // The agent is asked with an origin and a path: undici's own request(url, options) parses the
  // URL and copies the options with a spread on every call, which V8 runs on its slow property
  // paths; asking the agent took 164k instructions off a run (docs/performance.md).
  const origin = baseUrl.origin;
  const pathPrefix = baseUrl.pathname.replace(/\/+$/, '');
  const dispatcher = zendeskAgent();
  const { lane } = options;

  // A fixed header is read without a promise: every call asks for it (CPU per run).
  const fixed: Result<string, never> | undefined =
    typeof options.authorization === 'string'
      ? { ok: true, value: options.authorization }
      : undefined;
  const auth: ZendeskAuthSource =
    typeof options.authorization === 'string'
      ? {
          authorization: () => Promise.resolve(fixed as Result<string, never>),
          onUnauthorized: () => Promise.resolve(false),
        }
      : options.authorization;

  async function attempt(
    spec: ZendeskRequest,
    path: string,
    authorization: string,
  ): Promise<AttemptResult> {
    const timeout = createAttemptSignal(options.timeoutMs);
    try {
      const response = await collectResponse(dispatcher, {
        origin,
        path,
        method: spec.method,
        headers: {
          accept: spec.expect === 'text' ? '*/*' : 'application/json',
          authorization,
          'user-agent': 'data-connectors',
          ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: timeout.signal,
      });
      // Asked without a size limit, it refuses nothing; the check is for the type.
      if (!response.ok) return { kind: 'network', message: 'the answer was refused by its size' };
      const { statusCode, headers, body } = response.value;
      return { kind: 'answer', status: statusCode, headers, text: UTF8.decode(body) };
    } catch (error) {
      return { kind: 'network', message: describeNetworkError(error, options.timeoutMs) };
    } finally {
      timeout.dispose();
    }
  }

  return async function send(spec: ZendeskRequest): Promise<Result<ZendeskResponse, ZendeskError>> {
    const query = spec.query ? formatQuery(spec.query) : '';
    const path = `${pathPrefix}${spec.path}${query}`;
    const label = `${spec.method} ${spec.path}`;
    let waitedMs = 0;
    let reauthorized = false;
    const buckets = spec.endpointBuckets
      ? [ACCOUNT_BUCKET, ...spec.endpointBuckets]
      : ACCOUNT_BUCKET_ONLY;
    for (let attempts = 1; ; attempts += 1) {
      const authorization = fixed ?? (await auth.authorization());
      if (!authorization.ok) {
        return { ok: false, error: { ...authorization.error, attempts: attempts - 1 } };
      }
      if (options.budget) {
        const slot = options.budget.takeAtOnce(lane, buckets)
          ? SLOT_TAKEN
          : await options.budget.acquire(lane, buckets);
        if (!slot.ok) {
          return {
            ok: false,
            error: {
              code: 'ZENDESK_RATE_LIMITED',
              message: `${slot.error.message} (${label})`,
              details: { retryAfterMs: slot.error.retryAfterMs },
              attempts: attempts - 1,
            },
          };
        }
      }
      const result = await attempt(spec, path, authorization.value);
      if (options.budget && result.kind === 'answer') {
        options.budget.observe(readZendeskRateLimits(result.headers));
        if (result.status === 429) {
          const retryAfterMs = parseRetryAfter(result.headers['retry-after'], Date.now());
          options.budget.holdFor(retryAfterMs ?? 1_000);
        }
      }
      // An expired OAuth token: refresh once and send again. Zendesk did not act on a 401, so
      // this is safe even for requests that are not replay-safe.
      if (result.kind === 'answer' && result.status === 401 && !reauthorized) {
        reauthorized = true;
        if (await auth.onUnauthorized(authorization.value)) continue;
        // The refresh failed for good (a revoked grant): its error says what to do, a bare 401 does not.
        const after = await auth.authorization();
        if (!after.ok) return { ok: false, error: { ...after.error, attempts } };
      }
      if (result.kind === 'answer' && result.status >= 200 && result.status < 300) {
        if (spec.expect === 'text') {
          return {
            ok: true,
            value: { status: result.status, json: undefined, text: result.text, attempts },
          };
        }
        const parsed = parseJson(result.text);
        if (!parsed.ok) {
          return {
            ok: false,
            error: {
              code: 'ZENDESK_BAD_RESPONSE',
              status: result.status,
              message: `Zendesk answered ${label} with a body that is not JSON`,
              attempts,
            },
          };
        }
        return { ok: true, value: { status: result.status, json: parsed.value, attempts } };
      }

      const outcome: AttemptOutcome =
        result.kind === 'network'
          ? { kind: 'network' }
          : {
              kind: 'status',
              status: result.status,
              retryAfterMs: parseRetryAfter(result.headers['retry-after'], Date.now()),
            };
      const decision = decideRetry({
        outcome,
        attempt: attempts,
        maxRetries: options.maxRetries,
        replaySafe: spec.replaySafe,
        waitedMs,
        maxRetryWaitMs: options.maxRetryWaitMs,
        random: options.random(),
      });
      if (decision.retry) {
        waitedMs += decision.waitMs;
        await options.sleep(decision.waitMs);
        continue;
      }

      if (result.kind === 'network') {
        return {
          ok: false,
          error: { code: 'ZENDESK_UNAVAILABLE', message: `${result.message} (${label})`, attempts },
        };
      }
      const parsed = parseJson(result.text);
      const body = parsed.ok ? parsed.value : result.text.slice(0, 2000);
      const description = describeZendeskErrorBody(body, `HTTP ${result.status}`);
      const retryAfterMs = outcome.kind === 'status' ? outcome.retryAfterMs : null;
      return {
        ok: false,
        error: {
          code: toErrorCode(result.status),
          status: result.status,
          message: `Zendesk ${label} failed with HTTP ${result.status}: ${description}`,
          details: retryAfterMs === null ? body : { body, retryAfterMs },
          attempts,
        },
      };
    }
  };
}

export type ZendeskTransport = ReturnType<typeof createZendeskTransport>;
