import type { CurlRequest } from './parse-curl';
import { GENERIC_HOST_LABELS, hasPlaceholderHost, isPlaceholderLabel } from './placeholder-host';
import { toSnakeCase } from './snake-case';

/**
 * A draft connector (and the connection it needs) from a curl command. Credentials never become
 * config text: a value that looks like one becomes a secret reference in the connection's auth
 * or a header (the only places the config allows secrets), and one found in the query or body is
 * left out, with a note saying what to do. The notes are what the admin must still decide.
 */
export interface ConnectorDraft {
  connectionId: string;
  connection: Record<string, unknown>;
  connector: Record<string, unknown>;
  /** Secret names the draft refers to: set them before the connector can run. */
  secrets: string[];
  notes: string[];
}

/**
 * Sent as the drafted connection's User-Agent: curl sends one of its own, the server's HTTP client
 * sends none, and some APIs refuse a request without one (GitHub answers 403).
 */
export const DRAFT_USER_AGENT = 'data-connectors';

/** Header names whose value is a credential, whatever it looks like. */
const CREDENTIAL_HEADER =
  /^(authorization|proxy-authorization|x-api-key|api-key|apikey|x-auth-token|x-access-token|x-.*-(token|key|secret)|.*-api-key)$/i;
/** Values that look like credentials: known prefixes, JWTs, `$NAME` placeholders, long random strings. */
const CREDENTIAL_VALUE =
  /^(\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\}|(sk|pk|rk)_(live|test)_\w+|whsec_\w+|gh[pousr]_\w{20,}|xox[abposr]-[\w-]+|AKIA[0-9A-Z]{16}|eyJ[\w-]+\.[\w-]+\.[\w-]*|<[^>]*(token|key|secret|password)[^>]*>)$/i;
/** Names of credential fields, matched on whole words ("author" and an issue "key" are not). */
const CREDENTIAL_WORDS =
  /(^|_)(token|secret|password|passwd|signature|apikey|api_key|access_key|private_key|auth_token)(_|$)/;

/** Headers curl or the browser adds that a connector must not copy (the sender sets its own). */
const DROPPED_HEADERS = new Set([
  'accept-encoding',
  'connection',
  'content-length',
  'cookie',
  'host',
  'origin',
  'referer',
  'user-agent',
  'priority',
]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** An object id with a type prefix (Stripe's `ch_3Mml…`, `cus_Nff…`): random, but not secret. */
const PREFIXED_ID = /^[a-z]{2,8}_[A-Za-z0-9]{8,}$/;
/** A 12-byte object id (MongoDB's ObjectId), the id format of Trello's boards, lists and cards. */
const OBJECT_ID = /^[0-9a-f]{24}$/i;

/** A long mix of letters and digits, not an id, URL or address an API commonly takes. */
function looksRandom(value: string): boolean {
  if (UUID.test(value) || PREFIXED_ID.test(value) || OBJECT_ID.test(value)) return false;
  if (value.includes('://') || value.includes('@')) return false;
  return value.length >= 24 && /[a-z]/i.test(value) && /\d/.test(value) && !/\s/.test(value);
}

/** Fields named as ids (`id`, `accountId`, `idList`): a random-looking value there is an id. */
const ID_WORDS = /(^|_)(id|ids|gid)(_|$)/;

export function looksLikeCredential(name: string, value: string): boolean {
  const words = toSnakeCase(name);
  return (
    CREDENTIAL_VALUE.test(value) ||
    (CREDENTIAL_WORDS.test(words) && value !== '') ||
    (looksRandom(value) && !ID_WORDS.test(words))
  );
}

/**
 * `api.stripe.com` → `STRIPE`, `acme.atlassian.net` → `ACME_ATLASSIAN`, and the docs' placeholder
 * `your-domain.atlassian.net` → `ATLASSIAN`.
 */
function serviceName(host: string): string {
  const parts = host
    .toLowerCase()
    .split('.')
    .filter((part) => !GENERIC_HOST_LABELS.has(part) && !isPlaceholderLabel(part));
  const name = (parts.length ? parts.slice(0, 2) : ['api']).join('_').replace(/[^a-z0-9_]/g, '_');
  return name.toUpperCase();
}

function snake(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
}

export function draftFromCurl(request: CurlRequest, options: { id?: string } = {}): ConnectorDraft {
  const service = serviceName(request.url.hostname);
  const connectionId = snake(service) || 'api';
  const notes: string[] = [];
  const secrets: string[] = [];
  const secretRef = (suffix: string) => {
    const name = `${service}_${suffix}`;
    if (!secrets.includes(name)) secrets.push(name);
    return `{{secrets.${name}}}`;
  };

  let auth: Record<string, unknown> = { type: 'none' };
  const headers: Record<string, string> = {};
  if (request.basicAuth?.password === '') {
    // `-u KEY:` (Stripe's form) sends an API key as the username with an empty password; a
    // secret cannot be empty, so the password stays empty text.
    auth = { type: 'basic', username: secretRef('API_KEY'), password: '' };
    notes.push(
      `The command sent a key as the Basic username with no password (-u KEY:): set ${service}_API_KEY.`,
    );
  } else if (request.basicAuth) {
    auth = { type: 'basic', username: secretRef('USERNAME'), password: secretRef('PASSWORD') };
  }
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (DROPPED_HEADERS.has(lower) || lower.startsWith('sec-')) continue;
    if (lower === 'content-type' && request.body !== undefined) continue;
    if (CREDENTIAL_HEADER.test(name) || looksLikeCredential(name, value)) {
      const bearer = /^Bearer\s+/i.exec(value);
      const basic = /^Basic\s+/i.exec(value);
      if (lower === 'authorization' && bearer && auth.type === 'none') {
        auth = { type: 'bearer', token: secretRef('TOKEN') };
      } else if (lower === 'authorization' && basic && auth.type === 'none') {
        auth = { type: 'basic', username: secretRef('USERNAME'), password: secretRef('PASSWORD') };
        notes.push(
          `The Authorization header held Basic credentials: set ${service}_USERNAME and ${service}_PASSWORD.`,
        );
      } else if (auth.type === 'none') {
        // Keep a scheme word such as "Token " in front of the secret.
        const scheme = /^([A-Za-z-]+)\s+\S+$/.exec(value)?.[1];
        auth = {
          type: 'apiKeyHeader',
          header: name,
          value: `${scheme ? `${scheme} ` : ''}${secretRef(lower === 'authorization' ? 'TOKEN' : 'API_KEY')}`,
        };
      } else {
        headers[name] = secretRef(snake(name).toUpperCase());
      }
      continue;
    }
    if (lower === 'idempotency-key') {
      notes.push(
        `The ${name} header is fixed text ("${value}"): every run would send the same key and get the first run's answer back. Build it from the ticket instead, e.g. "zendesk-{{inputs.ticket_id}}-<what it does>", with a ticket_id input (source ticket.id).`,
      );
    }
    headers[name] = value;
  }

  const query: Record<string, string> = {};
  // A bare `key` is an API key when it travels with a token (Trello's key=…&token=…), though
  // alone it may be an issue key.
  const withToken = [...request.url.searchParams].some(
    ([name, value]) => name !== 'key' && looksLikeCredential(name, value),
  );
  for (const [name, value] of request.url.searchParams) {
    if (looksLikeCredential(name, value) || (name === 'key' && withToken)) {
      notes.push(
        `The query parameter "${name}" looked like a credential and was left out: secrets go only in headers or the connection's auth. If the API accepts the key as a header, put it in the connection's auth (apiKeyHeader).`,
      );
      continue;
    }
    query[name] = value;
  }
  if (Object.keys(query).length) {
    notes.push(
      `Query values are copied as written (${Object.keys(query).join(', ')}): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.`,
    );
  }

  let body: Record<string, unknown> | undefined;
  if (request.body !== undefined) {
    const contentType =
      request.headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
    const parsed = parseJson(request.body);
    if (parsed !== undefined && (contentType === '' || /json/i.test(contentType))) {
      body = { type: 'json', value: scrubJson(parsed, notes) };
    } else if (/^[^=&\s]+=[^&]*(&[^=&\s]+=[^&]*)*$/.test(request.body)) {
      const value: Record<string, string> = {};
      for (const [name, field] of new URLSearchParams(request.body)) {
        if (looksLikeCredential(name, field)) {
          notes.push(`The form field "${name}" looked like a credential and was left out.`);
          continue;
        }
        value[name] = field;
      }
      body = { type: 'form', value };
    } else {
      body = { type: 'text', value: request.body, ...(contentType ? { contentType } : {}) };
    }
  }

  const bodyKeys =
    body && body.value && typeof body.value === 'object' ? Object.keys(body.value) : [];
  if (bodyKeys.length) {
    notes.push(
      `Body values are copied as written (${bodyKeys.join(', ')}): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.`,
    );
  }

  // Docs write the per-call parts of a path as `{issueIdOrKey}`: those are inputs.
  const inputs: Record<string, unknown>[] = [];
  const pathParts = request.url.pathname.split('/').map((part) => {
    const placeholder = /^\{([A-Za-z_][A-Za-z0-9_-]*)\}$/.exec(safeDecode(part))?.[1];
    if (placeholder === undefined) return part;
    let name = toSnakeCase(placeholder).slice(0, 64);
    if (!/^[a-z]/.test(name)) name = `p_${name}`.slice(0, 64);
    if (!inputs.some((input) => input.name === name)) {
      inputs.push({ name, label: placeholder, type: 'string', prompt: true, required: true });
    }
    return `{{inputs.${name}}}`;
  });
  if (inputs.length) {
    notes.push(
      `The path's placeholders became typed-in inputs (${inputs.map((input) => String(input.name)).join(', ')}): give them a "source" (a ticket field) where the ticket holds the value.`,
    );
  }
  if (hasPlaceholderHost(request.url.hostname)) {
    notes.push(
      `The address ${request.url.origin} is the docs' placeholder: set the connection's "baseUrl" to your own.`,
    );
  }
  const segments = request.url.pathname.split('/').filter(Boolean);
  // An API version is no id: `/v1/`, and a bare number first or after "api" (Trello's `/1/`,
  // Jira's `/rest/api/3/`, Asana's `/api/1.0/`).
  const isVersion = (part: string, index: number) =>
    /^v\d+(\.\d+)?$/i.test(part) ||
    (/^\d{1,2}(\.\d{1,2})?$/.test(part) && (index === 0 || segments[index - 1] === 'api'));
  // Ids, and the capitalised placeholders API docs print (GitHub's OWNER/REPO/ISSUE_NUMBER).
  const idLike = segments.filter(
    (part, index) =>
      (/\d/.test(part) &&
        !isVersion(part, index) &&
        !/^\d{4}-\d{2}/.test(part) &&
        !/^\{.*\}$/.test(safeDecode(part))) ||
      /^[A-Z][A-Z0-9_]{2,}$/.test(part),
  );
  if (idLike.length) {
    notes.push(
      `The path holds ${idLike.map((part) => `"${decodeURIComponent(part)}"`).join(', ')}: if it changes per ticket, replace it with {{inputs.…}} and declare the input (its value is percent-encoded).`,
    );
  }
  const id =
    options.id ??
    snake(
      `${connectionId}_${request.method}_${segments
        .filter((part) => !/\d/.test(part) && !/^\{.*\}$/.test(safeDecode(part)))
        .slice(-2)
        .join('_')}`,
    );
  const mutating = !['GET', 'HEAD'].includes(request.method);
  if (request.ignored.length) {
    notes.push(`Not carried over from the command: ${request.ignored.join(' ')}.`);
  }
  notes.push(
    'Add "response.outputs" for the values to show or write back (npm run connectors -- draft --response FILE suggests them from a sample answer).',
  );
  return {
    connectionId,
    connection: {
      baseUrl: request.url.origin,
      auth,
      headers: { 'User-Agent': DRAFT_USER_AGENT },
    },
    connector: {
      id,
      name: `${request.method} ${request.url.pathname}`.slice(0, 100),
      description: `Drafted from a curl command for ${request.url.host}.`,
      draft: true,
      connection: connectionId,
      surfaces: ['zendesk'],
      ...(mutating ? { confirm: true } : {}),
      ...(inputs.length ? { inputs } : {}),
      request: {
        method: request.method,
        path: request.url.pathname === '/' ? '' : pathParts.join('/'),
        ...(Object.keys(query).length ? { query } : {}),
        ...(Object.keys(headers).length ? { headers } : {}),
        ...(body ? { body } : {}),
      },
      response: { outputs: [] },
    },
    secrets,
    notes,
  };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The JSON body with credential-looking values blanked (secrets may not go in a body). */
export function scrubJson(value: unknown, notes: string[], key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => scrubJson(item, notes, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [name, scrubJson(item, notes, name)]),
    );
  }
  if (typeof value === 'string' && looksLikeCredential(key, value)) {
    notes.push(
      `The body field "${key}" looked like a credential and was blanked: secrets go only in headers or the connection's auth.`,
    );
    return '';
  }
  return value;
}
