import { describe, expect, it } from 'vitest';
import { planRedirect } from './redirect-policy';
import type { Hop } from './redirect-policy';

const hop = (url: string, headers: Record<string, string> = {}): Hop => ({
  method: 'POST',
  url: new URL(url),
  headers: { 'content-type': 'application/json', ...headers },
  body: '{"a":1}',
  carriesCredentials: true,
});

describe('planning a redirect', () => {
  it('never follows https to http, whatever the host', () => {
    for (const location of ['http://api.example.com/next', 'http://other.example.com/']) {
      const plan = planRedirect(hop('https://api.example.com/start'), 307, location, []);
      expect(plan).toMatchObject({
        ok: false,
        error: { message: expect.stringContaining('https to http') },
      });
    }
  });

  it('drops every header that carries a secret on a change of port, host or scheme', () => {
    const headers = { authorization: 'Bearer t', 'x-shop-key': 's', 'x-trace': 'keep' };
    for (const location of [
      'https://api.example.com:8443/next',
      'https://other.example.com/next',
    ]) {
      const plan = planRedirect(hop('https://api.example.com/start', headers), 307, location, [
        'x-shop-key',
      ]);
      if (!plan.ok) throw new Error(plan.error.message);
      expect(plan.value.headers).toEqual({ 'content-type': 'application/json', 'x-trace': 'keep' });
      expect(plan.value.carriesCredentials).toBe(false);
    }
  });

  it('keeps them on the same origin, and keeps method and body on 307', () => {
    const plan = planRedirect(
      hop('https://api.example.com/start', { 'x-shop-key': 's' }),
      307,
      '/next',
      ['x-shop-key'],
    );
    expect(plan).toMatchObject({
      ok: true,
      value: { method: 'POST', body: '{"a":1}', headers: { 'x-shop-key': 's' } },
    });
  });
});
