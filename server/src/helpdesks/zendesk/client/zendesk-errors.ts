/** Outcome of every client call: expected failures are values, not exceptions. */

export type ZendeskErrorCode =
  | 'ZENDESK_NOT_FOUND'
  | 'ZENDESK_UNAUTHORIZED'
  | 'ZENDESK_RATE_LIMITED'
  | 'ZENDESK_CONFLICT'
  | 'ZENDESK_INVALID'
  | 'ZENDESK_UNAVAILABLE'
  | 'ZENDESK_BAD_RESPONSE';

export interface ZendeskError {
  code: ZendeskErrorCode;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** Human-readable, built from Zendesk's error/description/details; never holds credentials. */
  message: string;
  /** Zendesk's parsed error body, or other structured context. */
  details?: unknown;
  /** Requests made, including retries. */
  attempts: number;
}

export function toErrorCode(status: number): ZendeskErrorCode {
  if (status === 401 || status === 403) return 'ZENDESK_UNAUTHORIZED';
  if (status === 404) return 'ZENDESK_NOT_FOUND';
  if (status === 409) return 'ZENDESK_CONFLICT';
  if (status === 429) return 'ZENDESK_RATE_LIMITED';
  if (status >= 500) return 'ZENDESK_UNAVAILABLE';
  return 'ZENDESK_INVALID';
}

const MAX_MESSAGE_LENGTH = 500;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flattens `details: {field: [{description}]}` into "a; b". */
function describeDetails(details: unknown): string | null {
  if (!isRecord(details)) return null;
  const parts: string[] = [];
  for (const [field, problems] of Object.entries(details)) {
    const list = Array.isArray(problems) ? problems : [problems];
    for (const entry of list) {
      if (isRecord(entry) && typeof entry.description === 'string') parts.push(entry.description);
      else if (typeof entry === 'string') parts.push(`${field}: ${entry}`);
    }
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/**
 * Turns a Zendesk error body into one readable sentence. Zendesk sends
 * `{error: "RecordInvalid", description, details}`, `{error: "Couldn't authenticate you"}`, or on
 * some endpoints `{error: {title, message}}`; plain-text bodies also occur.
 */
export function describeZendeskErrorBody(body: unknown, fallback: string): string {
  let text: string | null = null;
  if (isRecord(body)) {
    const error = body.error;
    const description = typeof body.description === 'string' ? body.description : null;
    if (typeof error === 'string') {
      text = description && description !== error ? `${error}: ${description}` : error;
    } else if (isRecord(error)) {
      const title = typeof error.title === 'string' ? error.title : null;
      const message = typeof error.message === 'string' ? error.message : null;
      text = [title, message].filter(Boolean).join(': ') || null;
    } else if (description) {
      text = description;
    }
    const details = describeDetails(body.details);
    if (details) text = text ? `${text} (${details})` : details;
  } else if (typeof body === 'string' && body.trim() !== '') {
    text = body.trim();
  }
  const message = text ?? fallback;
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;
}
