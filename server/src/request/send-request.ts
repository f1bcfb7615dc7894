import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { createAttemptSignal } from './attempt-signal';
import { collectResponse } from './collect-response';
import {
  decodeBody,
  exceedsDeclaredLength,
  isJsonMediaType,
  MAX_JSON_DEPTH,
  type DecodedBody,
} from './read-response-body';
import { formatMiB } from './response-buffer-budget';
import type { ResponseBufferBudget } from './response-buffer-budget';
import { isRedirectStatus, planRedirect, type Hop } from './redirect-policy';
import type {
  AttemptRecord,
  OutboundRequest,
  SendError,
  SendOptions,
  SendPolicy,
  SendResult,
} from './request-types';
import type { Result } from '../../../shared/src/result';
import {
  DEFAULT_MAX_TOTAL_WAIT_MS,
  GAVE_UP_REASONS,
  decideRetry,
  type AttemptOutcome,
  type RetryDecision,
} from './retry-policy';
import { BlockedAddressError, checkTarget, createEgressAgent } from './ssrf-guard';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const UNSAFE_HEADER_VALUE = /[\r\n\0]/;
// Framing and hop-by-hop headers are the HTTP client's job; set by hand they enable request smuggling or
// point the request at another virtual host than the allowlisted one.
const CLIENT_OWNED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
]);
/** Refusals by the server's own rules, raised before any connection to the upstream. */
const REFUSED_BEFORE_CONNECTING = new Set(['UPSTREAM_ADDRESS_BLOCKED', 'UPSTREAM_INVALID_REQUEST']);
// Errors raised before a byte of the request left this process: the upstream never saw it.
const BEFORE_SEND_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

interface ReceivedResponse extends DecodedBody {
  status: number;
  headers: Record<string, string>;
  contentType: string | null;
  finalUrl: string;
  /** False when a cross-origin redirect stripped the credentials before this response. */
  credentialsSent: boolean;
}

type AttemptResult =
  | { kind: 'response'; response: ReceivedResponse }
  | { kind: 'error'; error: SendError; requestSent: boolean };

/**
 * Sends a rendered connector request under the connection's egress policy: allowlisted hosts only, no
 * private addresses (checked on the resolved address), manual redirects without cross-origin credentials,
 * a timeout per attempt and an overall deadline, a streamed size cap, and retries per `decideRetry`.
 *
 * Never throws for upstream behaviour. A final non-2xx status that is not retryable is `ok: true` so the
 * connector's response rules decide what it means (404 → empty); `ok: false` is for transport failures and
 * for retryable statuses that never recovered (`UPSTREAM_RETRIES_EXHAUSTED`).
 *
 * @example
 * const result = await sendRequest(
 *   { method: 'GET', url: 'https://acme.myshopify.com/admin/api/2024-10/orders.json?name=%231001', headers: {} },
 *   policy,
 *   { auth: createAuthProvider({ type: 'apiKeyHeader', header: 'X-Shopify-Access-Token', value: token }) },
 * );
 * if (result.ok && result.status === 200) use(result.json);
 */
export async function sendRequest(
  request: OutboundRequest,
  givenPolicy: SendPolicy,
  options: SendOptions,
): Promise<SendResult> {
  // Bare allowedHosts entries allow the scheme (and, for its host, the port) the request was
  // rendered against: a connector's request always starts with its base URL.
  const policy: SendPolicy = givenPolicy.baseOrigin
    ? givenPolicy
    : {
        ...givenPolicy,
        ...(URL.canParse(request.url) ? { baseOrigin: new URL(request.url).origin } : {}),
      };
  const startedAt = performance.now();
  const attempts: AttemptRecord[] = [];
  const durationMs = () => Math.round(performance.now() - startedAt);
  const fail = (error: SendError, response?: ReceivedResponse): SendResult => {
    const result: SendResult = { ok: false, error, attempts, durationMs: durationMs() };
    if (response !== undefined) {
      result.status = response.status;
      result.headers = response.headers;
      result.bodyText = response.bodyText;
      result.json = response.json;
    }
    return result;
  };

  if (!METHODS.has(request.method)) {
    return fail(invalidRequest(`Method ${String(request.method)} is not supported`));
  }
  const requestHeaders = prepareHeaders(request.headers, 'request');
  if (!requestHeaders.ok) return fail(requestHeaders.error);
  const target = checkTarget(request.url, policy);
  if (!target.ok) return fail(target.error);

  const maxAttempts = Math.max(1, policy.retry.maxAttempts);
  const maxTotalWaitMs = policy.retry.maxTotalWaitMs ?? DEFAULT_MAX_TOTAL_WAIT_MS;
  // A hard ceiling over everything (attempts, the one 401 refresh, waits), in case a slow-drip upstream
  // or a sleep implementation keeps resetting per-step timers. A time, not a signal: each attempt's
  // own timer is cut to what is left of it, which costs no second signal per call (CPU per run).
  const deadlineAt = performance.now() + policy.timeoutMs * (maxAttempts + 1) + maxTotalWaitMs;
  const random = options.random ?? Math.random;
  const sleep =
    options.sleep ?? ((ms: number) => delay(ms, undefined, signalOption(options.signal)));
  const ownsDispatcher = options.dispatcher === undefined;
  const dispatcher =
    options.dispatcher ??
    createEgressAgent({
      allowPrivateNetwork: policy.allowPrivateNetwork,
      timeoutMs: policy.timeoutMs,
      ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    });

  try {
    let countedAttempts = 0;
    let waitedMs = 0;
    let refreshedCredentials = false;
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) return fail(abortedError(target.value));
      if (performance.now() >= deadlineAt) return fail(deadlineError(target.value, attempt - 1));

      const authHeaders = await options.auth.headers();
      if (!authHeaders.ok) {
        attempts.push({ attempt, errorCode: authHeaders.error.code, reason: 'auth_failed' });
        return fail(authHeaders.error);
      }
      const preparedAuth = prepareHeaders(authHeaders.value, 'auth');
      if (!preparedAuth.ok) return fail(preparedAuth.error);
      if (options.onCredential) reportCredentials(preparedAuth.value, options.onCredential);

      const firstHop: Hop = {
        method: request.method,
        url: target.value,
        // Not `{ ...a, ...b }`: see "Object literals on the run path" in docs/performance.md.
        headers: Object.assign({}, requestHeaders.value, preparedAuth.value),
        carriesCredentials: true,
      };
      if (request.body !== undefined) firstHop.body = request.body;

      const result = await runAttempt(firstHop, {
        policy,
        dispatcher,
        deadlineAt,
        callerSignal: options.signal,
        secretHeaderNames: [...options.auth.authHeaderNames, ...(request.secretHeaders ?? [])],
        budget: options.responseBudget,
      });

      // The server's own refusals (a blocked address found at DNS time, a request the HTTP client
      // would not send) are not attempts: nothing reached the upstream, and nothing would differ
      // on a retry. `attempts` counts only the times the upstream was tried.
      if (
        result.kind === 'error' &&
        !result.requestSent &&
        REFUSED_BEFORE_CONNECTING.has(result.error.code)
      ) {
        return fail(result.error);
      }

      if (result.kind === 'response') {
        const { response } = result;
        // An expired or revoked token is worth exactly one refresh; a second 401 is the connector's to judge.
        if (
          (response.status === 401 ||
            options.auth.isExpiredAnswer?.(response.status, response.json) === true) &&
          response.credentialsSent &&
          !refreshedCredentials &&
          options.auth.authHeaderNames.length > 0
        ) {
          refreshedCredentials = true;
          const refreshed = await options.auth.onUnauthorized();
          attempts.push({
            attempt,
            status: response.status,
            reason: refreshed === true ? 'credentials_refreshed' : 'credentials_rejected',
          });
          if (refreshed === true) continue;
          if (refreshed !== false) return fail(refreshed);
          return succeed(response, attempts, durationMs());
        }
      }

      countedAttempts += 1;
      const outcome: AttemptOutcome =
        result.kind === 'response'
          ? {
              kind: 'status',
              status: result.response.status,
              retryAfter: result.response.headers['retry-after'],
            }
          : { kind: 'error', code: result.error.code, requestSent: result.requestSent };
      const decision = decideRetry({
        attempt: countedAttempts,
        method: request.method,
        policy: { ...policy.retry, maxAttempts, maxTotalWaitMs },
        outcome,
        waitedSoFarMs: waitedMs,
        nowMs: Date.now(),
        random,
      });
      attempts.push(recordAttempt(attempt, result, decision));

      if (decision.retry) {
        try {
          await sleep(decision.waitMs);
        } catch {
          return fail(abortedError(target.value));
        }
        waitedMs += decision.waitMs;
        continue;
      }

      const gaveUp = GAVE_UP_REASONS.has(decision.reason);
      if (result.kind === 'error') {
        const suffix = gaveUp ? ` (gave up after ${countedAttempts} attempts)` : '';
        return fail({ ...result.error, message: result.error.message + suffix });
      }
      if (gaveUp) {
        return fail(exhaustedError(result.response, countedAttempts, decision), result.response);
      }
      return succeed(result.response, attempts, durationMs());
    }
  } finally {
    if (ownsDispatcher) await dispatcher.destroy();
  }
}

/** `Bearer abc` is known as itself and as `abc`; a bare API key value as itself. */
function reportCredentials(headers: Record<string, string>, report: (value: string) => void) {
  for (const value of Object.values(headers)) {
    report(value);
    const scheme = /^[A-Za-z][A-Za-z0-9-]*\s+(\S.*)$/.exec(value);
    if (scheme) report(scheme[1] as string);
  }
}

interface AttemptContext {
  policy: SendPolicy;
  dispatcher: Dispatcher;
  /** `performance.now()` time by which the whole call must be over. */
  deadlineAt: number;
  callerSignal: AbortSignal | undefined;
  /** The auth provider's headers and those filled from secrets: dropped on an origin change. */
  secretHeaderNames: readonly string[];
  budget: ResponseBufferBudget | undefined;
}

/** One attempt: the request and every redirect hop it leads to, under one per-attempt timeout. */
async function runAttempt(firstHop: Hop, context: AttemptContext): Promise<AttemptResult> {
  const { policy } = context;
  const attemptSignal = createAttemptSignal(
    Math.max(0, Math.min(policy.timeoutMs, context.deadlineAt - performance.now())),
    [context.callerSignal],
  );
  const { signal } = attemptSignal;

  let hop = firstHop;
  let redirects = 0;
  /** A hop of this attempt reached the upstream: a later failure is not "before connecting". */
  let reached = false;
  try {
    for (;;) {
      // The dispatcher is asked with the URL already parsed into origin and path: undici's own
      // request(url, options) parses it again and copies the options on every call
      // (docs/performance.md, "Instructions per run").
      const method = hop.method;
      const collected = await collectResponse(
        context.dispatcher,
        {
          origin: hop.url.origin,
          path: `${hop.url.pathname}${hop.url.search}`,
          method,
          headers: hop.headers,
          body: hop.body,
          signal,
        },
        {
          maxBytes: policy.maxResponseBytes,
          budget: context.budget,
          // Called when the answer's head arrives: from here on, a failure is after the send.
          planBody: (status, answered) => {
            reached = true;
            return isRedirectStatus(status) && answered['location'] !== undefined
              ? 'drop'
              : // A HEAD response's Content-Length describes the GET body it did not send.
                method !== 'HEAD' &&
                  exceedsDeclaredLength(
                    headerText(answered['content-length']),
                    policy.maxResponseBytes,
                  )
                ? 'refuse'
                : 'keep';
          },
        },
      );
      if (!collected.ok && collected.error.reason === 'over_budget') {
        return notRetryable(
          'UPSTREAM_RESPONSE_BUDGET_EXCEEDED',
          `The server was already receiving its limit of ${formatMiB(context.budget?.limit ?? 0)} of upstream responses (RESPONSE_BUFFER_LIMIT_MB), so the response from ${hop.url.host} was dropped. Try again shortly.`,
        );
      }
      if (!collected.ok) {
        return notRetryable(
          'UPSTREAM_RESPONSE_TOO_LARGE',
          `The response from ${hop.url.host} is larger than the ${policy.maxResponseBytes}-byte limit`,
        );
      }
      const res = collected.value;
      const headers = flattenHeaders(res.headers);
      const location = headers['location'];

      if (isRedirectStatus(res.statusCode) && location !== undefined) {
        redirects += 1;
        if (redirects > policy.maxRedirects) {
          return notRetryable(
            'UPSTREAM_TOO_MANY_REDIRECTS',
            `${firstHop.url.host} redirected more than ${policy.maxRedirects} times`,
          );
        }
        const plan = planRedirect(hop, res.statusCode, location, context.secretHeaderNames);
        if (!plan.ok) return notRetryable('UPSTREAM_REDIRECT_BLOCKED', plan.error.message);
        const check = checkTarget(plan.value.url, policy);
        if (!check.ok) {
          return check.error.code === 'UPSTREAM_ADDRESS_BLOCKED'
            ? notRetryable(check.error.code, check.error.message)
            : notRetryable(
                'UPSTREAM_REDIRECT_BLOCKED',
                `${hop.url.host} redirected to a refused target: ${check.error.message}`,
              );
        }
        hop = plan.value;
        continue;
      }

      const contentType = headers['content-type'] ?? null;
      if (
        context.budget !== undefined &&
        !context.budget.fitsInHeap(res.body.length, isJsonMediaType(contentType))
      ) {
        return notRetryable(
          'UPSTREAM_RESPONSE_BUDGET_EXCEEDED',
          `The ${formatMiB(res.body.length)} response from ${hop.url.host} could need more memory to read than the server has free; it was dropped. Lower the connection's maxResponseBytes or give the server a larger heap (--max-old-space-size).`,
        );
      }
      const decoded = decodeBody(res.body, contentType);
      if (decoded.tooDeep) {
        return notRetryable(
          'UPSTREAM_RESPONSE_TOO_DEEP',
          `The JSON answer from ${hop.url.host} is nested deeper than ${MAX_JSON_DEPTH} levels; the server does not read it`,
        );
      }
      return {
        kind: 'response',
        response: {
          status: res.statusCode,
          headers,
          contentType,
          bodyText: decoded.bodyText,
          json: decoded.json,
          finalUrl: hop.url.href,
          credentialsSent: hop.carriesCredentials,
        },
      };
    }
  } catch (error) {
    const classified = classifyTransportError(error, {
      host: hop.url.host,
      timeoutMs: policy.timeoutMs,
      timedOut: attemptSignal.timedOut(),
      aborted: context.callerSignal?.aborted === true,
    });
    return classified.kind === 'error' && reached
      ? { ...classified, requestSent: true }
      : classified;
  } finally {
    attemptSignal.dispose();
  }
}

function classifyTransportError(
  error: unknown,
  context: { host: string; timeoutMs: number; timedOut: boolean; aborted: boolean },
): AttemptResult {
  const { host } = context;
  if (error instanceof BlockedAddressError) {
    return {
      kind: 'error',
      error: { code: 'UPSTREAM_ADDRESS_BLOCKED', message: error.message },
      requestSent: false,
    };
  }
  if (context.aborted) {
    return {
      kind: 'error',
      error: { code: 'UPSTREAM_ABORTED', message: `The call to ${host} was cancelled` },
      requestSent: true,
    };
  }
  const code = errorCode(error);
  const timeout = (requestSent: boolean): AttemptResult => ({
    kind: 'error',
    error: {
      code: 'UPSTREAM_TIMEOUT',
      message: `${host} did not answer within ${context.timeoutMs} ms`,
    },
    requestSent,
  });
  if (context.timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return timeout(true);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return timeout(false);
  if (code !== undefined && BEFORE_SEND_CODES.has(code)) {
    const message =
      code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? `Host ${host} could not be resolved (${code})`
        : `Could not connect to ${host} (${code})`;
    return {
      kind: 'error',
      error: { code: 'UPSTREAM_CONNECTION_FAILED', message },
      requestSent: false,
    };
  }
  if (code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') {
    return {
      kind: 'error',
      error: invalidRequest('The HTTP client refused the request as malformed'),
      requestSent: false,
    };
  }
  return {
    kind: 'error',
    error: {
      code: 'UPSTREAM_CONNECTION_FAILED',
      message: `The connection to ${host} failed (${code ?? 'unknown error'})`,
    },
    requestSent: true,
  };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  // Happy-eyeballs connects report every address's failure in an AggregateError.
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  return undefined;
}

function notRetryable(code: SendError['code'], message: string): AttemptResult {
  // Reported as an error the retry policy never retries; `requestSent` is irrelevant for those codes.
  return { kind: 'error', error: { code, message }, requestSent: true };
}

function prepareHeaders(
  raw: Record<string, string>,
  origin: 'request' | 'auth',
): Result<Record<string, string>, SendError> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!HEADER_NAME.test(name)) {
      return {
        ok: false,
        error: invalidRequest('A header name contains characters that are not allowed'),
      };
    }
    const lower = name.toLowerCase();
    if (typeof value !== 'string' || UNSAFE_HEADER_VALUE.test(value)) {
      // The value is never echoed: for auth headers it is a credential.
      const what = origin === 'auth' ? 'The credentials for header' : 'Header';
      return {
        ok: false,
        error: invalidRequest(`${what} ${lower} contain a line break or NUL character`),
      };
    }
    if (CLIENT_OWNED_HEADERS.has(lower)) {
      return {
        ok: false,
        error: invalidRequest(
          `Header ${lower} is set by the HTTP client and may not be overridden`,
        ),
      };
    }
    // Bodies are not decompressed (a small gzip can expand past the size cap), so never ask for encodings.
    if (lower === 'accept-encoding') continue;
    headers[lower] = value;
  }
  return { ok: true, value: headers };
}

/** A header's value as one text: a repeated header's values joined, as HTTP allows. */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function flattenHeaders(
  raw: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const text = headerText(value);
    if (text !== undefined) headers[name.toLowerCase()] = text;
  }
  return headers;
}

function recordAttempt(
  attempt: number,
  result: AttemptResult,
  decision: RetryDecision,
): AttemptRecord {
  const record: AttemptRecord = { attempt, reason: decision.reason };
  if (result.kind === 'response') record.status = result.response.status;
  else record.errorCode = result.error.code;
  if (decision.retry) record.waitedMs = decision.waitMs;
  return record;
}

function succeed(
  response: ReceivedResponse,
  attempts: AttemptRecord[],
  durationMs: number,
): SendResult {
  return {
    ok: true,
    status: response.status,
    headers: response.headers,
    contentType: response.contentType,
    bodyText: response.bodyText,
    json: response.json,
    attempts,
    durationMs,
    finalUrl: response.finalUrl,
  };
}

function exhaustedError(
  response: ReceivedResponse,
  attempts: number,
  decision: RetryDecision,
): SendError {
  const host = new URL(response.finalUrl).host;
  const message =
    decision.reason === 'retry_after_exceeds_budget'
      ? `${host} answered ${response.status} and asked to retry after ${Math.ceil((decision.requestedWaitMs ?? 0) / 1000)} s, more than the remaining wait budget`
      : `${host} still answered ${response.status} after ${attempts} attempts`;
  return { code: 'UPSTREAM_RETRIES_EXHAUSTED', message, status: response.status };
}

function invalidRequest(message: string): SendError {
  return { code: 'UPSTREAM_INVALID_REQUEST', message };
}

function abortedError(url: URL): SendError {
  return { code: 'UPSTREAM_ABORTED', message: `The call to ${url.host} was cancelled` };
}

function deadlineError(url: URL, attemptsMade: number): SendError {
  return {
    code: 'UPSTREAM_TIMEOUT',
    message: `The call to ${url.host} ran out of time after ${attemptsMade} attempts`,
  };
}

function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
