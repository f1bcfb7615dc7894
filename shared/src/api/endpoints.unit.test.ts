import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { API_ERROR_CODES } from './api-errors';
import { buildEndpointPath, defineEndpoint } from './define-endpoint';
import type { EndpointContract } from './define-endpoint';
import { SALESFORCE_ENDPOINTS, ZENDESK_ENDPOINTS } from './endpoints';

/**
 * The contracts as data: well formed, and the paths the apps build from them. That the server's
 * real answers fit them is test/contracts/endpoint-answers.integration.test.ts.
 */

const ALL: [string, EndpointContract][] = [
  ...Object.entries(ZENDESK_ENDPOINTS),
  ...Object.entries(SALESFORCE_ENDPOINTS).map(([name, e]): [string, EndpointContract] => [
    `salesforce.${name}`,
    e,
  ]),
];

describe('every endpoint contract', () => {
  it.each(ALL)('%s is well formed', (_name, endpoint) => {
    expect(endpoint.path).toMatch(/^\/api\/[a-z/:A-Z]+[a-z]$/);
    // GET carries a query and no body; POST a body (or nothing) and no query.
    expect(Object.keys(endpoint)).not.toContain(endpoint.method === 'GET' ? 'body' : 'query');
    expect(endpoint.errors.length).toBeGreaterThan(0);
    expect(new Set(endpoint.errors).size).toBe(endpoint.errors.length);
    for (const code of endpoint.errors) expect(Object.keys(API_ERROR_CODES)).toContain(code);
    // Whatever the endpoint: no credentials, or a server bug.
    expect(endpoint.errors).toEqual(expect.arrayContaining(['AUTH_REQUIRED', 'INTERNAL_ERROR']));
    expect(Object.isFrozen(endpoint)).toBe(true);
  });

  it('names each method and path once', () => {
    const routes = ALL.map(([, endpoint]) => `${endpoint.method} ${endpoint.path}`);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('lists the body errors exactly for the endpoints that take a body', () => {
    for (const [name, endpoint] of ALL) {
      const takesBody = endpoint.method === 'POST' && endpoint.body !== undefined;
      expect(endpoint.errors.includes('BODY_INVALID'), name).toBe(takesBody);
    }
  });
});

describe('the request schemas in the contracts', () => {
  it('fill in the defaults the server relies on', () => {
    expect(
      z.parse(ZENDESK_ENDPOINTS.runConnector.body, { ticketId: '12', inputs: { a: 'b' } }),
    ).toEqual({
      ticketId: '12',
      inputs: { a: 'b' },
      confirmed: false,
      dryRun: false,
      surface: 'zendesk',
    });
    expect(z.parse(ZENDESK_ENDPOINTS.listRuns.query, { ticketId: '1', limit: '5' })).toEqual({
      ticketId: '1',
      limit: 5,
    });
    expect(
      z.parse(SALESFORCE_ENDPOINTS.listConnectors.query, {
        objectApiName: 'Case',
        recordId: '500SB0000000001AAA',
        allowedConnectorIds: 'a,,b',
      }),
    ).toMatchObject({ allowedConnectorIds: ['a', 'b'] });
  });

  it('refuse what the server refuses, with its own messages', () => {
    const runMacro = z.safeParse(ZENDESK_ENDPOINTS.runMacro.body, {
      ticketId: '9007199254740993',
      confirmed: true,
      extra: 1,
    });
    // zod's own messages come from the locale zod classic loads, which the server does.
    expect(runMacro.error?.issues.map((issue) => [issue.path, issue.code])).toEqual([
      [['ticketId'], 'custom'],
      [[], 'unrecognized_keys'],
    ]);
    expect(runMacro.error?.issues[0]?.message).toBe(
      `must be a numeric id from 1 to ${Number.MAX_SAFE_INTEGER}`,
    );
    expect(
      z.safeParse(SALESFORCE_ENDPOINTS.runMacro.body, {
        objectApiName: 'Case',
        recordId: 'nope',
      }).error?.issues[0]?.message,
    ).toBe('must be a 15- or 18-character Salesforce id');
  });
});

describe('buildEndpointPath', () => {
  it('encodes path parameters, so an id stays one path segment', () => {
    expect(
      buildEndpointPath(ZENDESK_ENDPOINTS.getRun, { params: { runId: 'run_1/../admin' } }),
    ).toBe('/api/runs/run_1%2F..%2Fadmin');
    expect(buildEndpointPath(SALESFORCE_ENDPOINTS.runMacro, { params: { macroId: 'a b?c' } })).toBe(
      '/api/salesforce/macros/a%20b%3Fc/run',
    );
  });

  it('writes the query in the order given, encoded, leaving out what is undefined', () => {
    expect(
      buildEndpointPath(ZENDESK_ENDPOINTS.listRuns, {
        query: { ticketId: 1, limit: 5, cursor: undefined, connectorId: 'a&b=c' },
      }),
    ).toBe('/api/runs?ticketId=1&limit=5&connectorId=a%26b%3Dc');
    expect(buildEndpointPath(ZENDESK_ENDPOINTS.listConnectors, {})).toBe('/api/connectors');
  });

  it('refuses to build a path without one of its parameters', () => {
    const endpoint = defineEndpoint({
      method: 'GET',
      path: '/api/things/:thingId',
      answer: z.unknown(),
      errors: ['INTERNAL_ERROR'],
    });
    // The types require it; a caller that casts its way around them gets an error, not a path.
    expect(() => buildEndpointPath(endpoint, { params: {} } as never)).toThrow(/:thingId/);
  });
});
