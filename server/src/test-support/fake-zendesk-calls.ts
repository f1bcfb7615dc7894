import { SANDBOX_ZENDESK_CREDENTIALS } from '../sandbox/seed/zendesk-seed';

/** The sandbox agent's API token as Zendesk's Basic authentication (`email/token:token`). */
export const SANDBOX_ZENDESK_BASIC = `Basic ${Buffer.from(
  `${SANDBOX_ZENDESK_CREDENTIALS.email}/token:${SANDBOX_ZENDESK_CREDENTIALS.apiToken}`,
).toString('base64')}`;

// The tests read Zendesk's JSON freely and let the assertions check its shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ZendeskJson = any;

/**
 * One call to a fake Zendesk with fetch, as the sandbox agent unless told otherwise (`null`: no
 * authentication). A string body is sent as it is, to send JSON Zendesk would refuse.
 */
export async function callFakeZendesk(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  authorization: string | null = SANDBOX_ZENDESK_BASIC,
): Promise<{ status: number; headers: Headers; json: ZendeskJson }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (authorization) headers.Authorization = authorization;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? JSON.parse(text) : null,
  };
}
