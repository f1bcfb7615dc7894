/**
 * The kinds of failure an agent can tell apart and act on, each with the words the agent sees
 * when the connector's config gives none (`messages.failures.<kind>`, then `messages.failure`).
 * Error codes and HTTP statuses stay in the run log for the admin; agents get what happened and
 * what to do next.
 */
export const FAILURE_KINDS = {
  timeout: {
    when: 'the other system did not answer in time',
    message: 'The other system did not answer in time. Try again in a moment.',
  },
  unreachable: {
    when: 'the other system could not be reached (connection refused, DNS, TLS)',
    message: 'The other system could not be reached. Try again in a moment.',
  },
  busy: {
    when: 'the other system answered 429 or 5xx, also after the retries',
    message: 'The other system is busy or having trouble. Try again in a minute.',
  },
  notAuthorized: {
    when: 'the other system answered 401 or 403',
    message: 'The other system refused the server’s credentials. Ask an admin to check them.',
  },
  notFound: {
    when: 'the other system answered 404 and 404 is not an empty status of the connector',
    message: 'The other system does not know what was asked for.',
  },
  rejected: {
    when: 'the other system answered another 4xx (it refused the request as sent), or its answer reported an error (response.failWhen)',
    message: 'The other system refused the request. Check the values and try again.',
  },
  badAnswer: {
    when: 'the answer could not be read (not JSON, too large, a redirect that is not allowed)',
    message: 'The other system gave an answer this connector cannot read. Ask an admin.',
  },
  notSaved: {
    when: 'the call worked but writing the result to the ticket or record failed',
    // The server's own words say what the helpdesk refused ("…, but the ticket was not
    // updated: the ticket is closed"), which is what the agent needs here.
    message: null,
  },
} as const;

export type FailureKind = keyof typeof FAILURE_KINDS;
export const FAILURE_KIND_NAMES = Object.keys(FAILURE_KINDS) as FailureKind[];

const BAD_ANSWER_CODES = new Set([
  'UPSTREAM_INVALID_RESPONSE',
  'UPSTREAM_RESPONSE_TOO_LARGE',
  'UPSTREAM_RESPONSE_TOO_DEEP',
  'UPSTREAM_RESPONSE_BUDGET_EXCEEDED',
  'UPSTREAM_REDIRECT_BLOCKED',
  'UPSTREAM_TOO_MANY_REDIRECTS',
]);

/** The kind of a failed run, from its error code and the upstream's status; none for the rest. */
export function failureKindOf(code: string, status: number | undefined): FailureKind | undefined {
  if (code === 'UPSTREAM_TIMEOUT') return 'timeout';
  if (code === 'UPSTREAM_CONNECTION_FAILED') return 'unreachable';
  if (code === 'UPSTREAM_RETRIES_EXHAUSTED') return 'busy';
  if (code === 'WRITE_BACK_FAILED') return 'notSaved';
  // An OAuth connection an admin has to connect (again): the agent can only ask an admin.
  if (code === 'CONNECTION_NOT_CONNECTED' || code === 'CONNECTION_NEEDS_RECONNECT') {
    return 'notAuthorized';
  }
  if (BAD_ANSWER_CODES.has(code)) return 'badAnswer';
  // An answer that reported its own error; response.failureKind may name a closer kind.
  if (code === 'UPSTREAM_REPORTED_ERROR') return 'rejected';
  if (code !== 'UPSTREAM_HTTP_ERROR' || status === undefined) return undefined;
  if (status === 429 || status >= 500) return 'busy';
  if (status === 401 || status === 403) return 'notAuthorized';
  if (status === 404 || status === 410) return 'notFound';
  return status >= 400 ? 'rejected' : 'badAnswer';
}
