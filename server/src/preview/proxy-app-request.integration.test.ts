import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import { proxyAppRequest } from './proxy-app-request';
import type { ProxyDeps } from './proxy-app-request';
import type { PreviewZendesk } from './preview-zendesk';

const SECRET = 'proxy-test-secret-0123456789abcdef';
const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/api/slow')) return; // never answers
      res.writeHead(req.url?.startsWith('/api/missing') ? 404 : 200, {
        'content-type': 'application/json',
        'set-cookie': 'session=1',
      });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function deps(overrides: Partial<ProxyDeps> = {}): ProxyDeps {
  return {
    zendesk: {} as PreviewZendesk,
    serverUrl: () => baseUrl,
    sharedSecret: SECRET,
    logger: createLogger({ level: 'silent', redactor: createRedactor(() => []) }),
    ...overrides,
  };
}

const signed = {
  secure: true,
  headers: { Authorization: 'Bearer {{jwt.token}}' },
  jwt: {
    algorithm: 'HS256',
    secret_key: '{{setting.shared_secret}}',
    expiry: 60,
    claims: { sub: '42' },
  },
};

describe('proxying a secure request to the server', () => {
  it('mints an HS256 token with the claims asked for, iat and exp = iat + expiry', async () => {
    const reply = await proxyAppRequest({ url: `${baseUrl}/api/connectors`, ...signed }, deps());
    expect(reply.status).toBe(200);
    const token = /^Bearer (.+)$/.exec(String(seen.at(-1)?.headers.authorization))?.[1] ?? '';
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      algorithms: ['HS256'],
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.sub).toBe('42');
    expect(payload.exp).toBe((payload.iat ?? 0) + 60);
    expect(Math.abs((payload.iat ?? 0) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('sends the body and content type the app gave and hides cookies from the app', async () => {
    const reply = await proxyAppRequest(
      {
        url: `${baseUrl}/api/run`,
        type: 'post',
        contentType: 'application/json',
        data: '{"a":1}',
        ...signed,
      },
      deps(),
    );
    expect(seen.at(-1)).toMatchObject({ method: 'POST', body: '{"a":1}' });
    expect(seen.at(-1)?.headers['content-type']).toBe('application/json');
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(JSON.parse(reply.responseText)).toEqual({ ok: true });
  });

  it('passes an HTTP error status through unchanged', async () => {
    const reply = await proxyAppRequest({ url: `${baseUrl}/api/missing`, ...signed }, deps());
    expect(reply).toMatchObject({ status: 404, statusText: 'Not Found' });
  });

  it('answers status 0 when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const reply = await proxyAppRequest(
      { url: `${url}/api/connectors`, ...signed },
      deps({ serverUrl: () => url }),
    );
    expect(reply).toMatchObject({ status: 0, statusText: 'error' });
  });

  it("answers status 0 'timeout' when the server does not answer in the app's timeout", async () => {
    const reply = await proxyAppRequest(
      { url: `${baseUrl}/api/slow`, timeout: 50, ...signed },
      deps(),
    );
    expect(reply).toMatchObject({ status: 0, statusText: 'timeout' });
  });

  it('refuses algorithms other than HS256 and secrets outside the JWT key', async () => {
    const before = seen.length;
    const rs = await proxyAppRequest(
      { url: `${baseUrl}/api/x`, ...signed, jwt: { ...signed.jwt, algorithm: 'none' } },
      deps(),
    );
    expect(rs.status).toBe(400);
    const inClaims = await proxyAppRequest(
      {
        url: `${baseUrl}/api/x`,
        ...signed,
        jwt: { ...signed.jwt, claims: { leak: '{{setting.shared_secret}}' } },
      },
      deps(),
    );
    expect(inClaims.status).toBe(403);
    const inUrl = await proxyAppRequest(
      { url: `${baseUrl}/api/x?k={{setting.shared_secret}}`, ...signed },
      deps(),
    );
    expect(inUrl.status).toBe(403);
    expect(seen.length).toBe(before);
  });

  it('refuses header names with underscores, as Zendesk does', async () => {
    const reply = await proxyAppRequest(
      { url: `${baseUrl}/api/x`, headers: { client_id: 'a' } },
      deps(),
    );
    expect(reply.status).toBe(400);
  });

  it('does not substitute anything when the request is not secure', async () => {
    await proxyAppRequest(
      { url: `${baseUrl}/api/plain`, headers: { 'X-Key': '{{setting.shared_secret}}' } },
      deps(),
    );
    expect(seen.at(-1)?.headers['x-key']).toBe('{{setting.shared_secret}}');
  });
});
