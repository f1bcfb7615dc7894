import type { ApiFailure } from './server-api';
import { STRINGS } from './strings';

/**
 * Turns every failure the app can meet into text an agent (or the admin they forward it to)
 * can act on. One helper, so no view ever shows a raw code or a blank panel.
 */

export interface ErrorView {
  code: string;
  title: string;
  message: string;
  hint: string;
  /** Whether a Retry button makes sense (the same request may work a moment later). */
  retryable: boolean;
  /**
   * Whether Retry should send the same Idempotency-Key: after a timeout or a lost answer the
   * first request may have run, and the same key makes the server replay it instead of
   * running the connector a second time.
   */
  sameKeyOnRetry: boolean;
}

interface InputProblemLike {
  input?: unknown;
  message?: unknown;
}

function inputProblems(details: unknown): { input: string; message: string }[] {
  if (!Array.isArray(details)) return [];
  return details
    .filter((item): item is InputProblemLike => item !== null && typeof item === 'object')
    .map((item) => ({
      input: typeof item.input === 'string' ? item.input : '',
      message: typeof item.message === 'string' ? item.message : '',
    }));
}

/**
 * @param context `serverUrl` to name the host that did not answer; `inputLabels` to name a
 *   missing input by the label the agent sees.
 */
export function describeFailure(
  error: ApiFailure,
  context: { serverUrl?: string; inputLabels?: ReadonlyMap<string, string> } = {},
): ErrorView {
  const base = { code: error.code, retryable: false, sameKeyOnRetry: false };
  const serverText = error.message || STRINGS.errors.noDetails;
  const codeText = STRINGS.errorCode(error.code, error.status);
  const E = STRINGS.errors;
  switch (error.code) {
    case 'SERVER_UNREACHABLE':
      return {
        ...base,
        title: E.unreachable.title,
        message: E.unreachable.message(context.serverUrl ?? ''),
        hint: E.unreachable.hint,
        retryable: true,
        sameKeyOnRetry: true,
      };
    case 'TIMEOUT':
      return { ...base, ...E.timeout, retryable: true, sameKeyOnRetry: true };
    case 'AUTH_INVALID':
    case 'AUTH_REQUIRED':
      return { ...base, ...E.auth };
    case 'SESSION_EXPIRED':
      return { ...base, ...E.sessionExpired };
    case 'TICKET_NOT_FOUND':
      return {
        ...base,
        title: E.ticketHidden.title,
        message: serverText,
        hint: E.ticketHidden.hint,
      };
    case 'TICKET_EDIT_FORBIDDEN':
      return { ...base, title: E.cannotEdit.title, message: serverText, hint: E.cannotEdit.hint };
    case 'INPUT_INVALID': {
      const problems = inputProblems(error.details);
      const names = [
        ...new Set(
          problems
            .map((problem) => context.inputLabels?.get(problem.input) ?? problem.input)
            .filter(Boolean),
        ),
      ];
      return {
        ...base,
        title: names.length ? E.input.title(names.join(', ')) : E.input.fallbackTitle,
        message: problems.length
          ? problems.map((problem) => problem.message).join('; ')
          : serverText,
        hint: '',
      };
    }
    case 'CONFIG_UNAVAILABLE':
      return { ...base, ...E.config, retryable: true };
    case 'CONFIRMATION_REQUIRED':
      return {
        ...base,
        title: E.confirmation.title,
        message: serverText,
        hint: E.confirmation.hint,
      };
    case 'CONNECTION_BUSY':
    case 'IDEMPOTENCY_IN_PROGRESS':
      return {
        ...base,
        title: E.busy.title,
        message: serverText,
        hint: E.busy.hint,
        retryable: true,
        sameKeyOnRetry: error.code === 'IDEMPOTENCY_IN_PROGRESS',
      };
    case 'HELPDESK_UNAVAILABLE':
    case 'HELPDESK_AUTH_FAILED':
      return {
        ...base,
        title: E.helpdesk.title,
        message: serverText,
        hint: E.helpdesk.hint,
        retryable: error.code === 'HELPDESK_UNAVAILABLE',
      };
    case 'RESPONSE_INVALID':
      return { ...base, ...E.invalidResponse, retryable: true };
    case 'FORBIDDEN':
    case 'AGENT_NOT_FOUND':
      return { ...base, title: E.forbidden.title, message: serverText, hint: E.forbidden.hint };
    default:
      if (error.status === 401) return { ...base, ...E.auth };
      if (error.status === 404) {
        return { ...base, title: E.notFound.title, message: serverText, hint: codeText };
      }
      return {
        ...base,
        title: E.other.title,
        message: serverText,
        hint: codeText,
        retryable: error.status >= 500 || error.status === 429,
      };
  }
}
