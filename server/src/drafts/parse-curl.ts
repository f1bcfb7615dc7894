import { parse as parseShell } from 'shell-quote';
import type { Result } from '../../../shared/src/result';

/**
 * A curl command as copied from API docs or a browser's "Copy as cURL" (bash), read into the
 * parts a connector needs. Only what curl would send is kept; options that change nothing about
 * the request (`-s`, `-L`, `--compressed`…) are accepted and dropped; anything else is named in
 * `ignored` so the admin sees what the draft does not carry over.
 */
export interface CurlRequest {
  method: string;
  url: URL;
  headers: [string, string][];
  /** The body as curl would send it (`-d` parts joined with `&`, or `--json`). */
  body?: string;
  /** `-u user:password`. */
  basicAuth?: { username: string; password: string };
  ignored: string[];
}

export type CurlError = { code: 'CURL_INVALID'; message: string };

/** Options that take a value and only change how curl behaves locally. */
const DROPPED_WITH_VALUE = new Set([
  '-o',
  '--output',
  '-m',
  '--max-time',
  '--connect-timeout',
  '-w',
  '--write-out',
  '--retry',
  '-A',
  '--user-agent',
  '-e',
  '--referer',
  '-b',
  '--cookie',
  '-D',
  '--dump-header',
]);
const DROPPED_FLAGS = new Set([
  '-s',
  '--silent',
  '-S',
  '--show-error',
  '-L',
  '--location',
  '-i',
  '--include',
  '-v',
  '--verbose',
  '-k',
  '--insecure',
  '--compressed',
  '-f',
  '--fail',
  '-g',
  '--globoff',
  '--http1.1',
  '--http2',
]);
const DATA_OPTIONS = new Set(['-d', '--data', '--data-raw', '--data-binary', '--data-ascii']);

/**
 * `--data-urlencode` as curl reads it: `name=content` and `=content` send the content
 * percent-encoded, a bare `content` too (Stripe's docs send search queries with quotes, `>` and
 * spaces this way; read raw, a `+` or `&` in them would change the request).
 */
function encodeDataPart(part: string): string {
  const equals = part.indexOf('=');
  if (equals < 0) return encodeURIComponent(part);
  return `${part.slice(0, equals)}${equals > 0 ? '=' : ''}${encodeURIComponent(part.slice(equals + 1))}`;
}

function fail(message: string): Result<CurlRequest, CurlError> {
  return { ok: false, error: { code: 'CURL_INVALID', message } };
}

export function parseCurl(command: string): Result<CurlRequest, CurlError> {
  // Line continuations first; `$NAME` stays as written (a placeholder for a credential, often).
  const joined = command.replace(/\\\r?\n/g, ' ').trim();
  const tokens = parseShell(joined, (name) => `$${name}`);
  const words: string[] = [];
  for (const token of tokens) {
    if (typeof token !== 'string') {
      // An unquoted URL with ? or * reads as a glob: curl gets it as written.
      if ('op' in token && token.op === 'glob') {
        words.push(token.pattern);
        continue;
      }
      // An operator (|, >, &&) or a comment: the command is more than one curl call.
      if ('comment' in token) continue;
      return fail('give one curl command, without pipes, redirects or other commands');
    }
    words.push(token);
  }
  if (words[0] !== 'curl') return fail('the command must start with curl');
  let method: string | undefined;
  let url: string | undefined;
  let get = false;
  const headers: [string, string][] = [];
  const data: string[] = [];
  let json = false;
  let basicAuth: CurlRequest['basicAuth'];
  const ignored: string[] = [];
  for (let index = 1; index < words.length; index++) {
    const word = words[index] as string;
    const next = (): string | undefined => words[++index];
    if (word === '-X' || word === '--request') method = next()?.toUpperCase();
    else if (word === '-H' || word === '--header') {
      const header = next() ?? '';
      const colon = header.indexOf(':');
      if (colon < 1) return fail(`the header "${header.slice(0, 60)}" has no name: value`);
      headers.push([header.slice(0, colon).trim(), header.slice(colon + 1).trim()]);
    } else if (word === '--data-urlencode') data.push(encodeDataPart(next() ?? ''));
    else if (DATA_OPTIONS.has(word)) data.push(next() ?? '');
    else if (word === '--json') {
      data.push(next() ?? '');
      json = true;
    } else if (word === '-u' || word === '--user') {
      const user = next() ?? '';
      const colon = user.indexOf(':');
      basicAuth =
        colon < 0
          ? { username: user, password: '' }
          : { username: user.slice(0, colon), password: user.slice(colon + 1) };
    } else if (word === '-G' || word === '--get') get = true;
    else if (word === '--url') url = next();
    else if (DROPPED_FLAGS.has(word)) continue;
    else if (DROPPED_WITH_VALUE.has(word)) next();
    // `-D-` (dump the headers to stdout), as Atlassian's docs write it: the value is attached.
    else if (/^-D./.test(word)) continue;
    else if (word.startsWith('-')) ignored.push(word);
    else if (url === undefined) url = word;
    else ignored.push(word);
  }
  if (url === undefined) return fail('the command has no URL');
  let parsed: URL;
  try {
    parsed = new URL(/^https?:\/\//i.test(url) ? url : `https://${url}`);
  } catch {
    return fail(`"${url.slice(0, 80)}" is not a URL`);
  }
  if (json) {
    if (!headers.some(([name]) => name.toLowerCase() === 'content-type')) {
      headers.push(['Content-Type', 'application/json']);
    }
  }
  let body: string | undefined = data.length ? data.join('&') : undefined;
  if (get && body !== undefined) {
    // -G sends the data as the query string instead of a body.
    for (const [name, value] of new URLSearchParams(body)) parsed.searchParams.append(name, value);
    body = undefined;
  }
  return {
    ok: true,
    value: {
      method: method ?? (body !== undefined ? 'POST' : 'GET'),
      url: parsed,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(basicAuth ? { basicAuth } : {}),
      ignored,
    },
  };
}
