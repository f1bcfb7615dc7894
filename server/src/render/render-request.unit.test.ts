import { describe, expect, it } from 'vitest';
import type { CompiledConnector } from '../compile/compiled-model';
import { compileTestConnector, TEST_SECRETS } from '../test-support/test-config';
import type { TestConfigParts } from '../test-support/test-config';
import { renderRequest } from './render-request';
import type { RenderedRequest, RenderRequestResult } from './render-request';

interface RenderCase {
  request: Record<string, unknown>;
  values?: Record<string, unknown>;
  redacted?: string[];
  connection?: Record<string, unknown>;
}

/** Declares one prompt input per value, compiles the connector and renders it. */
function renderCase({
  request,
  values = {},
  redacted = [],
  connection,
}: RenderCase): RenderRequestResult {
  const parts: TestConfigParts = {
    connector: {
      inputs: Object.keys(values).map((name) => ({ name, prompt: true, required: false })),
      request: { method: 'GET', path: '/items', ...request },
    },
    ...(connection ? { connection } : {}),
  };
  return renderConnector(compileTestConnector(parts), values, redacted);
}

function renderConnector(
  connector: CompiledConnector,
  values: Record<string, unknown>,
  redacted: string[] = [],
): RenderRequestResult {
  const secrets = Object.fromEntries(
    connector.connection.secretNames.map((name) => [name, TEST_SECRETS[name] as string]),
  );
  return renderRequest(
    connector,
    { inputs: values, connection: connector.connection.def.variables, secrets },
    new Set(redacted),
  );
}

function rendered(testCase: RenderCase): RenderedRequest {
  const result = renderCase(testCase);
  if (!result.ok) throw new Error(`expected the request to render: ${result.error.message}`);
  return result.value;
}

const urlOf = (testCase: RenderCase) => new URL(rendered(testCase).request.url);
const pathCase = (value: unknown): RenderCase => ({
  request: { path: '/orders/{{inputs.v}}' },
  values: { v: value },
});
const queryCase = (value: unknown): RenderCase => ({
  request: { query: { q: '{{inputs.v}}' } },
  values: { v: value },
});
const headerCase = (value: unknown): RenderCase => ({
  request: { headers: { 'X-Value': '{{inputs.v}}' } },
  values: { v: value },
});
const jsonCase = (body: unknown, values: Record<string, unknown>): RenderCase => ({
  request: { method: 'POST', body: { type: 'json', value: body } },
  values,
});
const jsonBodyOf = (testCase: RenderCase): unknown =>
  JSON.parse(rendered(testCase).request.body ?? '');

describe('renderRequest: values in the URL path', () => {
  it.each([
    ['#1001', '%231001'],
    ['a/b?c', 'a%2Fb%3Fc'],
    ['%', '%25'],
    ['100%25', '100%2525'],
    ['Müller', 'M%C3%BCller'],
    ['📦 box', '%F0%9F%93%A6%20box'],
    ['...', '...'],
    ['a\\b', 'a%5Cb'],
  ])('keeps %j inside one segment', (value, encoded) => {
    const url = urlOf(pathCase(value));
    expect(url.pathname).toBe(`/v1/orders/${encoded}`);
    expect(decodeURIComponent(url.pathname.split('/')[3] ?? '')).toBe(value);
    expect(url.search).toBe('');
    expect(url.hash).toBe('');
  });

  it.each(['.', '..'])('refuses %j, which URL parsers resolve to a parent directory', (value) => {
    expect(renderCase(pathCase(value))).toEqual({
      ok: false,
      error: {
        code: 'INPUT_UNSAFE_VALUE',
        message: `input v cannot make the URL path segment "${value}"`,
      },
    });
  });

  it('refuses a value that completes a dot segment with literal text around it', () => {
    const result = renderCase({
      request: { path: '/files/.{{inputs.v}}/raw' },
      values: { v: '.' },
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'INPUT_UNSAFE_VALUE' } });
    const joined = renderCase({
      request: { path: '/files/{{inputs.a}}{{inputs.b}}' },
      values: { a: '.', b: '.' },
    });
    expect(joined).toMatchObject({ ok: false, error: { code: 'INPUT_UNSAFE_VALUE' } });
  });

  it('keeps a dot inside a longer segment, and literal dots the admin wrote', () => {
    expect(
      urlOf({ request: { path: '/files/{{inputs.v}}.json' }, values: { v: 'report' } }).pathname,
    ).toBe('/v1/files/report.json');
    expect(urlOf(pathCase('%2e')).pathname).toBe('/v1/orders/%252e');
  });

  it('refuses a lone UTF-16 surrogate instead of throwing', () => {
    expect(renderCase(pathCase('ab\ud800'))).toMatchObject({
      ok: false,
      error: { code: 'INPUT_UNSAFE_VALUE' },
    });
  });

  it('encodes numbers and connection variables too', () => {
    const url = urlOf({
      request: { path: '/p/{{connection.project}}/{{inputs.v}}' },
      values: { v: 1001 },
      connection: { variables: { project: 'a b' } },
    });
    expect(url.pathname).toBe('/v1/p/a%20b/1001');
  });

  it('joins the base URL path prefix and the request path with one slash', () => {
    expect(
      urlOf({ request: { path: '/items' }, connection: { baseUrl: 'https://api.example.com/v1/' } })
        .href,
    ).toBe('https://api.example.com/v1/items');
  });
});

describe('renderRequest: values in the query', () => {
  it.each(['a&b=c', '#1001', 'x=1&y=2#frag', '50% off + more', 'Zürich 🚚', '?q=1'])(
    'keeps %j as exactly one parameter',
    (value) => {
      const url = urlOf(queryCase(value));
      expect([...url.searchParams.keys()]).toEqual(['q']);
      expect(url.searchParams.get('q')).toBe(value);
      expect(url.hash).toBe('');
      expect(url.pathname).toBe('/v1/items');
    },
  );

  it('encodes "#" so the order number is not cut off as a fragment', () => {
    expect(urlOf(queryCase('#1001')).search).toBe('?q=%231001');
  });

  it('leaves out a parameter whose only value is empty, but keeps literal text', () => {
    expect(urlOf(queryCase('')).search).toBe('');
    expect(
      urlOf({ request: { query: { q: 'x{{inputs.v}}', fixed: '' } }, values: { v: '' } }).search,
    ).toBe('?q=x&fixed=');
  });

  it('keeps the config order of fixed and filled parameters, fixed ones encoded as the others', () => {
    const query = {
      name: '{{inputs.order}}',
      status: 'any',
      email: '{{inputs.email}}',
      fields: 'id,name & total',
    };
    expect(
      urlOf({ request: { query }, values: { order: '#1001', email: 'a+b@example.com' } }).search,
    ).toBe('?name=%231001&status=any&email=a%2Bb%40example.com&fields=id%2Cname+%26+total');
    expect(urlOf({ request: { query }, values: { order: '#1001', email: '' } }).search).toBe(
      '?name=%231001&status=any&fields=id%2Cname+%26+total',
    );
  });

  it('refuses a fixed parameter holding a lone surrogate, naming it', () => {
    expect(renderCase({ request: { query: { fixed: 'x\udc00' } } })).toMatchObject({
      ok: false,
      error: {
        code: 'INPUT_UNSAFE_VALUE',
        message: expect.stringContaining('query parameter fixed'),
      },
    });
  });

  it('refuses a lone surrogate, which the URL would silently replace', () => {
    expect(renderCase(queryCase('\udc00'))).toMatchObject({
      ok: false,
      error: { code: 'INPUT_UNSAFE_VALUE' },
    });
  });
});

describe('renderRequest: values in headers', () => {
  it.each(['a\r\nX-Injected: 1', 'line\nbreak', 'cr\r', 'nul\0'])('refuses %j', (value) => {
    const result = renderCase(headerCase(value));
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INPUT_UNSAFE_VALUE',
        message: 'header X-Value would contain a line break; the value was refused',
      },
    });
  });

  it.each(['bell\u0007', 'del\u007f', 'emoji 📦', 'snow ☃'])(
    'refuses %j, which a header cannot carry',
    (value) => {
      const result = renderCase(headerCase(value));
      expect(result).toMatchObject({ ok: false, error: { code: 'INPUT_UNSAFE_VALUE' } });
      if (!result.ok) expect(result.error.message).not.toContain(value);
    },
  );

  it('passes through printable text unchanged, tabs and Latin-1 included', () => {
    for (const value of ['plain', 'a\tb', 'Müller', '"quoted"; x=1']) {
      expect(rendered(headerCase(value)).request.headers['x-value']).toBe(value);
    }
  });

  it('lower-cases names and lets a request header override a connection header', () => {
    const request = rendered({
      request: { headers: { 'X-Source': 'request' } },
      connection: { headers: { 'x-source': 'connection', 'X-Tenant': 'acme' } },
    }).request;
    expect(request.headers).toEqual({
      'x-source': 'request',
      'x-tenant': 'acme',
      accept: 'application/json',
    });
  });
});

describe('renderRequest: JSON bodies', () => {
  it('keeps quotes, backslashes and newlines inside their string', () => {
    const value = 'He said "hi"\n\t\\ and left}{"x":1';
    const body = jsonBodyOf(
      jsonCase({ summary: '{{inputs.v}}', note: 'Re: {{inputs.v}}' }, { v: value }),
    );
    expect(body).toEqual({ summary: value, note: `Re: ${value}` });
  });

  it('keeps the type of a leaf that is exactly one reference', () => {
    const body = jsonBodyOf(
      jsonCase(
        {
          count: '{{inputs.n}}',
          open: '{{inputs.flag}}',
          label: 'n={{inputs.n}}',
          flagText: '{{inputs.flag}}!',
        },
        { n: 42, flag: false },
      ),
    );
    expect(body).toEqual({ count: 42, open: false, label: 'n=42', flagText: 'false!' });
  });

  it('renders a missing optional value as null in a single-reference leaf and empty text in a mixed one', () => {
    const body = jsonBodyOf(
      jsonCase({ a: '{{inputs.gone}}', b: 'x{{inputs.gone}}y' }, { gone: undefined }),
    );
    expect(body).toEqual({ a: null, b: 'xy' });
  });

  it('keeps literal numbers, booleans, nulls, arrays and nesting', () => {
    const value = { n: 1.5, t: true, z: null, list: [1, 'two', { deep: '{{inputs.v}}' }] };
    expect(jsonBodyOf(jsonCase(value, { v: 'ü' }))).toEqual({
      ...value,
      list: [1, 'two', { deep: 'ü' }],
    });
  });

  it('sets a JSON content type unless the admin set one', () => {
    expect(rendered(jsonCase({}, {})).request.headers['content-type']).toBe('application/json');
    const custom = rendered({
      request: {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.api+json' },
        body: { type: 'json', value: {} },
      },
    });
    expect(custom.request.headers['content-type']).toBe('application/vnd.api+json');
  });
});

describe('renderRequest: form and text bodies', () => {
  it('encodes each form field on its own', () => {
    const request = rendered({
      request: { method: 'POST', body: { type: 'form', value: { q: '{{inputs.v}}', other: 'x' } } },
      values: { v: 'a&other=evil b+c' },
    }).request;
    const form = new URLSearchParams(request.body);
    expect(form.getAll('q')).toEqual(['a&other=evil b+c']);
    expect(form.getAll('other')).toEqual(['x']);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('leaves out a form field whose one reference is empty, and keeps one with literal text', () => {
    const request = rendered({
      request: {
        method: 'POST',
        body: {
          type: 'form',
          value: { charge: '{{inputs.c}}', amount: '{{inputs.a}}', note: 'by {{inputs.a}}' },
        },
      },
      values: { c: 'ch_1', a: '' },
    }).request;
    expect(request.body).toBe('charge=ch_1&note=by+');
  });

  it('sends text bodies as written, with their content type', () => {
    const request = rendered({
      request: {
        method: 'POST',
        body: { type: 'text', value: 'Hello {{inputs.v}}', contentType: 'text/csv' },
      },
      values: { v: 'wörld\n' },
    }).request;
    expect(request.body).toBe('Hello wörld\n');
    expect(request.headers['content-type']).toBe('text/csv');
  });
});

describe('renderRequest: no template injection', () => {
  it('never expands a reference that arrives inside a value', () => {
    const injected = '{{inputs.other}}{{secrets.API_TOKEN}}';
    const { request } = rendered({
      request: {
        method: 'POST',
        path: '/o/{{inputs.v}}',
        query: { q: '{{inputs.v}}' },
        headers: { 'X-V': '{{inputs.v}}' },
        body: { type: 'json', value: { v: '{{inputs.v}}' } },
      },
      values: { v: injected, other: 'SHOULD-NOT-APPEAR' },
    });
    const url = new URL(request.url);
    expect(decodeURIComponent(url.pathname.split('/')[3] ?? '')).toBe(injected);
    expect(url.searchParams.get('q')).toBe(injected);
    expect(request.headers['x-v']).toBe(injected);
    expect(JSON.parse(request.body ?? '')).toEqual({ v: injected });
    expect(JSON.stringify(request)).not.toContain('SHOULD-NOT-APPEAR');
    expect(JSON.stringify(request)).not.toContain(TEST_SECRETS.API_TOKEN);
  });
});

describe('renderRequest: the censored copy', () => {
  const withSecrets: RenderCase = {
    request: {
      method: 'POST',
      path: '/c/{{inputs.dob}}',
      query: { dob: '{{inputs.dob}}', name: '{{inputs.name}}' },
      headers: { 'X-Key': 'key={{secrets.API_TOKEN}}' },
      body: { type: 'json', value: { dob: '{{inputs.dob}}', name: '{{inputs.name}}' } },
    },
    values: { dob: '1984-02-29', name: 'Ana' },
    redacted: ['dob'],
    connection: { headers: { 'X-Tenant': '{{secrets.TENANT_KEY}}' } },
  };

  it('sends the real values on the wire', () => {
    const { request } = rendered(withSecrets);
    expect(request.headers['x-key']).toBe(`key=${TEST_SECRETS.API_TOKEN}`);
    expect(request.headers['x-tenant']).toBe(TEST_SECRETS.TENANT_KEY);
    expect(JSON.parse(request.body ?? '')).toEqual({ dob: '1984-02-29', name: 'Ana' });
  });

  it('masks secrets and redacted inputs, and keeps everything else', () => {
    const { censored } = rendered(withSecrets);
    const text = JSON.stringify(censored);
    for (const secret of Object.values(TEST_SECRETS)) expect(text).not.toContain(secret);
    expect(text).not.toContain('1984');
    expect(censored.headers['x-key']).toBe('key=[secret]');
    expect(censored.headers['x-tenant']).toBe('[secret]');
    const url = new URL(censored.url);
    expect(decodeURIComponent(url.pathname)).toBe('/v1/c/[redacted]');
    expect(url.searchParams.get('dob')).toBe('[redacted]');
    expect(url.searchParams.get('name')).toBe('Ana');
    expect(JSON.parse(censored.body ?? '')).toEqual({ dob: '[redacted]', name: 'Ana' });
  });

  it('renders again only the parts that carry a secret or a redacted input', () => {
    const inQuery = rendered({
      request: {
        method: 'POST',
        query: { dob: '{{inputs.dob}}' },
        headers: { 'X-Name': '{{inputs.name}}' },
        body: { type: 'json', value: { name: '{{inputs.name}}' } },
      },
      values: { dob: '1984-02-29', name: 'Ana' },
      redacted: ['dob'],
    });
    expect(new URL(inQuery.censored.url).searchParams.get('dob')).toBe('[redacted]');
    expect(inQuery.censored.headers).toEqual({
      ...inQuery.request.headers,
      authorization: '[secret]',
    });
    expect(inQuery.censored.body).toBe(inQuery.request.body);

    const inHeader = rendered({
      request: {
        method: 'POST',
        path: '/c/{{inputs.name}}',
        headers: { 'X-Key': '{{secrets.API_TOKEN}}' },
        body: { type: 'json', value: { name: '{{inputs.name}}' } },
      },
      values: { name: 'Ana' },
    });
    expect(inHeader.censored.headers['x-key']).toBe('[secret]');
    expect(inHeader.censored.url).toBe(inHeader.request.url);
    expect(inHeader.censored.body).toBe(inHeader.request.body);

    const inForm = rendered({
      request: {
        method: 'POST',
        path: '/c/{{inputs.name}}',
        body: { type: 'form', value: { dob: '{{inputs.dob}}', name: '{{inputs.name}}' } },
      },
      values: { dob: '1984-02-29', name: 'Ana' },
      redacted: ['dob'],
    });
    expect(inForm.censored.url).toBe(inForm.request.url);
    expect(inForm.censored.body).toBe('dob=%5Bredacted%5D&name=Ana');
    expect(inForm.request.body).toBe('dob=1984-02-29&name=Ana');

    const inText = rendered({
      request: {
        method: 'POST',
        body: { type: 'text', value: 'born {{inputs.dob}}', contentType: 'text/plain' },
      },
      values: { dob: '1984-02-29' },
      redacted: ['dob'],
    });
    expect(inText.censored.body).toBe('born [redacted]');
    expect(inText.request.body).toBe('born 1984-02-29');
    expect(inText.censored.headers['content-type']).toBe('text/plain');
  });

  it('copies a request that carries nothing to mask, headers in an object of its own', () => {
    const plain = rendered({
      request: {
        method: 'POST',
        path: '/c/{{inputs.dob}}',
        query: { dob: '{{inputs.dob}}' },
        body: { type: 'json', value: { dob: '{{inputs.dob}}' } },
      },
      // Declared, but this run does not mark it redacted.
      values: { dob: '1984-02-29' },
    });
    expect(plain.censored).toEqual({
      method: 'POST',
      url: plain.request.url,
      headers: { ...plain.request.headers, authorization: '[secret]' },
      body: plain.request.body,
    });
    expect(plain.request.headers).not.toHaveProperty('authorization');
  });

  it('resolves auth separately, and shows only that it was sent in the censored copy', () => {
    const value = rendered(withSecrets);
    expect(value.auth).toEqual({ type: 'bearer', token: TEST_SECRETS.API_TOKEN });
    expect(value.request.headers).not.toHaveProperty('authorization');
    expect(value.censored.headers.authorization).toBe('[secret]');
    const apiKey = rendered({
      request: {},
      connection: {
        auth: { type: 'apiKeyHeader', header: 'X-Api-Key', value: '{{secrets.API_TOKEN}}' },
      },
    });
    expect(apiKey.censored.headers['x-api-key']).toBe('[secret]');
    expect(
      rendered({ request: {}, connection: { auth: { type: 'none' } } }).censored.headers,
    ).not.toHaveProperty('authorization');
  });

  it.each([
    [
      { type: 'basic', username: 'me@example.com', password: '{{secrets.API_TOKEN}}' },
      { type: 'basic', username: 'me@example.com', password: TEST_SECRETS.API_TOKEN },
    ],
    [
      { type: 'apiKeyHeader', header: 'X-Api-Key', value: 'Token {{secrets.API_TOKEN}}' },
      { type: 'apiKeyHeader', header: 'X-Api-Key', value: `Token ${TEST_SECRETS.API_TOKEN}` },
    ],
    [
      {
        type: 'oauth2ClientCredentials',
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'client-1',
        clientSecret: '{{secrets.API_TOKEN}}',
        scope: 'read',
      },
      {
        type: 'oauth2ClientCredentials',
        tokenUrl: 'https://auth.example.com/token',
        clientId: 'client-1',
        clientSecret: TEST_SECRETS.API_TOKEN,
        scope: 'read',
      },
    ],
  ])('resolves %j from secrets', (auth, resolved) => {
    expect(rendered({ request: {}, connection: { auth } }).auth).toEqual(resolved);
  });
});
