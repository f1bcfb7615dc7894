/**
 * The console's calls to the server. The session is an HttpOnly cookie the page cannot read;
 * what the page holds is the CSRF token (from /admin/session), sent with every change.
 */

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

export type ApiResult<T> =
  { ok: true; value: T } | { ok: false; status: number; error: ApiErrorBody };

let csrfToken = '';
/** Inside Zendesk's nav_bar: the session the server embedded in the page (no cookie there). */
let bearerToken = '';
let onSignedOut: () => void = () => {};

export function useCsrfToken(token: string): void {
  csrfToken = token;
}

export function useBearerToken(token: string): void {
  bearerToken = token;
}

/** Called when a request finds the session gone, so the page shows the sign-in form. */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

async function readError(response: Response): Promise<ApiErrorBody> {
  try {
    const body = (await response.json()) as { error?: ApiErrorBody };
    if (body.error) return body.error;
  } catch {
    // Not JSON: a proxy's page, say. The status says enough.
  }
  return { code: 'HTTP_' + response.status, message: `The server answered ${response.status}.` };
}

export async function callApi<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: bearerToken ? 'omit' : 'same-origin',
      headers: {
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(bearerToken ? { Authorization: `Bearer ${bearerToken}` } : {}),
        ...(method === 'GET' || bearerToken ? {} : { 'X-CSRF-Token': csrfToken }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    return {
      ok: false,
      status: 0,
      error: { code: 'NETWORK', message: 'The server could not be reached.' },
    };
  }
  if (response.status === 401) onSignedOut();
  if (!response.ok) return { ok: false, status: response.status, error: await readError(response) };
  if (response.status === 204) return { ok: true, value: undefined as T };
  return { ok: true, value: (await response.json()) as T };
}

/** A query string from the set values only. */
export function toQuery(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
