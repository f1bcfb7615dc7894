import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CompiledConnector } from '../compile/compiled-model';
import { compileTestConfig, compileTestConnector } from '../test-support/test-config';
import { readResponse } from './read-response';
import type { UpstreamAnswer } from './read-response';

function connectorWithResponse(response: Record<string, unknown>): CompiledConnector {
  return compileTestConnector({ connector: { response } });
}

function jsonAnswer(json: unknown, status = 200): UpstreamAnswer {
  return { status, contentType: 'application/json', json, bodyText: JSON.stringify(json) };
}

const readJson = (path: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8'));

function exampleConnector(id: string): CompiledConnector {
  const result = compileTestConfig(
    readJson('config/connectors.json'),
    readJson('config/sandbox.secrets.json') as Record<string, string>,
  );
  const connector = result.ok ? result.value.compiled.connectors.get(id) : undefined;
  if (!connector) throw new Error(`example connector ${id} did not compile`);
  return connector;
}

describe('readResponse: status', () => {
  const connector = connectorWithResponse({ outputs: [{ name: 'status', path: 'status' }] });

  it('takes the empty path on 404 by default', () => {
    expect(readResponse(connector, jsonAnswer({ message: 'Not Found' }, 404))).toEqual({
      outcome: 'empty',
      outputs: {},
      reason: 'the API answered 404, which response.emptyStatus (404) counts as nothing found',
      warnings: [],
    });
  });

  it('fails on other statuses with the API message', () => {
    expect(readResponse(connector, jsonAnswer({ message: 'Rate limited' }, 429))).toEqual({
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_HTTP_ERROR',
        status: 429,
        message: 'the API answered 429: Rate limited',
      },
    });
    expect(
      readResponse(connector, jsonAnswer({ errorMessages: ['Field a', 'Field b'] }, 400)),
    ).toMatchObject({
      error: { message: 'the API answered 400: Field a; Field b' },
    });
    // Salesforce's list of coded errors, and Google's error envelope.
    expect(
      readResponse(
        connector,
        jsonAnswer(
          [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
          401,
        ),
      ),
    ).toMatchObject({
      error: { message: 'the API answered 401: INVALID_SESSION_ID: Session expired or invalid' },
    });
    expect(
      readResponse(
        connector,
        jsonAnswer(
          { error: { code: 409, message: 'The requested identifier already exists.' } },
          409,
        ),
      ),
    ).toMatchObject({
      error: { message: 'the API answered 409: The requested identifier already exists.' },
    });
    expect(
      readResponse(connector, {
        status: 502,
        contentType: 'text/html',
        json: undefined,
        bodyText: '<html>',
      }),
    ).toMatchObject({ error: { code: 'UPSTREAM_HTTP_ERROR', message: 'the API answered 502' } });
  });

  it('uses the configured success and empty statuses', () => {
    const strict = connectorWithResponse({
      successStatus: [201],
      emptyStatus: [],
      outputs: [{ name: 'key', path: 'key' }],
    });
    expect(readResponse(strict, jsonAnswer({ key: 'SUP-1' }, 201))).toMatchObject({
      outcome: 'success',
    });
    expect(readResponse(strict, jsonAnswer({ key: 'SUP-1' }, 200))).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_HTTP_ERROR', status: 200 },
    });
    expect(readResponse(strict, jsonAnswer({}, 404))).toMatchObject({ outcome: 'failed' });
  });
});

describe('readResponse: bodies that are not the JSON expected', () => {
  const connector = connectorWithResponse({ outputs: [{ name: 'status', path: 'status' }] });

  it('fails on invalid JSON and on an HTML page, describing what came back', () => {
    expect(
      readResponse(connector, {
        status: 200,
        contentType: 'application/json',
        json: undefined,
        bodyText: '{"status":',
      }),
    ).toEqual({
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_INVALID_RESPONSE',
        status: 200,
        message: 'expected a JSON response, got application/json, starting "{\\"status\\":"',
      },
    });
    const html = readResponse(connector, {
      status: 200,
      contentType: 'text/html; charset=utf-8',
      json: undefined,
      bodyText: '<!doctype html><title>Login</title>',
    });
    expect(html).toMatchObject({ outcome: 'failed', error: { code: 'UPSTREAM_INVALID_RESPONSE' } });
    if (html.outcome === 'failed') expect(html.error.message).toContain('text/html');
  });

  it('takes the empty path on 204 or an empty body', () => {
    expect(
      readResponse(connector, { status: 204, contentType: null, json: undefined, bodyText: '' }),
    ).toMatchObject({
      outcome: 'empty',
      reason: 'the API answered 204 with an empty body',
    });
  });

  it('needs no JSON when the connector reads nothing from the response', () => {
    const fireAndForget = connectorWithResponse({});
    expect(
      readResponse(fireAndForget, {
        status: 202,
        contentType: 'text/plain',
        json: undefined,
        bodyText: 'queued',
      }),
    ).toEqual({ outcome: 'success', outputs: {}, warnings: [] });
  });
});

describe('readResponse: emptyWhen, root and outputs', () => {
  const shopify = exampleConnector('shopify_order_lookup');
  const order = {
    financial_status: 'paid',
    fulfillment_status: null,
    fulfillments: [{ tracking_number: '1Z999' }],
    total_price: '12.50',
    currency: 'EUR',
  };

  it('reads the example order lookup', () => {
    expect(readResponse(shopify, jsonAnswer({ orders: [order] }))).toEqual({
      outcome: 'success',
      outputs: {
        payment_status: 'paid',
        fulfillment_status: 'unfulfilled',
        tracking_number: '1Z999',
        total: '12.50 EUR',
      },
      warnings: [],
    });
  });

  it('takes the empty path when emptyWhen matches', () => {
    expect(readResponse(shopify, jsonAnswer({ orders: [] }))).toMatchObject({
      outcome: 'empty',
      reason: 'response.emptyWhen (length(orders) == `0`) was true for the answer',
    });
  });

  it('fails, rather than crashing, when emptyWhen meets a response of another shape', () => {
    expect(readResponse(shopify, jsonAnswer({ errors: 'Not authorised' }))).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_INVALID_RESPONSE', status: 200 },
    });
  });

  it('keeps the other outputs when one expression fails on the data', () => {
    const reading = readResponse(
      shopify,
      jsonAnswer({ orders: [{ ...order, total_price: null }] }),
    );
    expect(reading).toMatchObject({
      outcome: 'success',
      outputs: { payment_status: 'paid', total: null },
      warnings: [expect.stringMatching(/^output total: /)],
    });
  });

  it('takes the empty path when root selects nothing', () => {
    const connector = connectorWithResponse({
      root: 'data.item',
      outputs: [{ name: 'id', path: 'id' }],
    });
    expect(readResponse(connector, jsonAnswer({ data: {} }))).toMatchObject({
      outcome: 'empty',
      reason: 'response.root (data.item) found nothing in the answer',
    });
  });

  it('takes the empty path when no output has a value', () => {
    const connector = connectorWithResponse({ outputs: [{ name: 'id', path: 'id' }] });
    expect(readResponse(connector, jsonAnswer({ other: 1 }))).toEqual({
      outcome: 'empty',
      outputs: { id: null },
      reason: 'no output path found a value in the answer: id (id)',
      warnings: [],
    });
  });

  it('names the paths that found nothing, the first five of them', () => {
    // The typo an admin makes: `fields.state.name` for Jira's `fields.status.name`.
    const outputs = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({
      name,
      path: `fields.stat${name}.name`,
    }));
    const reading = readResponse(
      connectorWithResponse({ outputs }),
      jsonAnswer({ fields: { status: { name: 'Open' } } }),
    );
    expect(reading).toMatchObject({
      outcome: 'empty',
      reason:
        'no output path found a value in the answer: a (fields.stata.name), b (fields.statb.name), c (fields.statc.name), d (fields.statd.name), e (fields.state.name) and 1 more',
    });
  });
});

describe('readResponse: output types', () => {
  const connector = connectorWithResponse({
    outputs: [
      { name: 's', path: 's', type: 'string' },
      { name: 'obj', path: 'obj', type: 'string' },
      { name: 'n', path: 'n', type: 'number' },
      { name: 'i', path: 'i', type: 'integer' },
      { name: 'b', path: 'b', type: 'boolean' },
      { name: 'd_secs', path: 'd_secs', type: 'date' },
      { name: 'd_ms', path: 'd_ms', type: 'date' },
      { name: 'd_iso', path: 'd_iso', type: 'date' },
      { name: 'j', path: 'j', type: 'json' },
    ],
  });

  it('coerces each value to its declared type', () => {
    const reading = readResponse(
      connector,
      jsonAnswer({
        s: 42,
        obj: { a: 1 },
        n: '12.50',
        i: '7',
        b: 'true',
        d_secs: 1700000000,
        d_ms: 1700000000000,
        d_iso: '2024-03-05T10:00:00Z',
        j: { deep: [1] },
      }),
    );
    expect(reading).toEqual({
      outcome: 'success',
      outputs: {
        s: '42',
        obj: '{"a":1}',
        n: 12.5,
        i: 7,
        b: true,
        d_secs: '2023-11-14',
        d_ms: '2023-11-14',
        d_iso: '2024-03-05',
        j: { deep: [1] },
      },
      warnings: [],
    });
  });

  it('writes null and warns when a value does not fit its type', () => {
    const reading = readResponse(
      connector,
      jsonAnswer({ s: 'kept', n: 'lots', i: 1.5, b: 'maybe', d_iso: 'soon' }),
    );
    expect(reading).toMatchObject({
      outcome: 'success',
      outputs: { s: 'kept', n: null, i: null, b: null, d_iso: null },
      warnings: [
        'output n: expected a number, got string',
        'output i: expected a whole number, got 1.5',
        'output b: expected true or false, got "maybe"',
        'output d_iso: expected a date',
      ],
    });
  });

  it('reads the same yes/no words as inputs do', () => {
    const words = ['yes', 'NO', 'on', 'off', '1', '0', 'true', 'False'];
    const results = words.map(
      (word) =>
        (
          readResponse(connector, jsonAnswer({ s: 'x', b: word })) as {
            outputs: Record<string, unknown>;
          }
        ).outputs.b,
    );
    expect(results).toEqual([true, false, true, false, true, false, true, false]);
  });

  it('treats an empty string as no number', () => {
    expect(readResponse(connector, jsonAnswer({ s: 'x', n: ' ' }))).toMatchObject({
      outputs: { n: null },
      warnings: [],
    });
  });
});

describe('readResponse: failWhen', () => {
  const slack = connectorWithResponse({
    failWhen: 'ok == `false`',
    failureMessage: 'error',
    failureKind: {
      path: 'error',
      kinds: { invalid_auth: 'notAuthorized', ratelimited: 'busy' },
    },
    emptyWhen: 'ok == `false`',
    outputs: [{ name: 'ts', path: 'ts' }],
  });

  it("fails a 200 answer that reports an error, before emptyWhen, with the API's own text", () => {
    expect(readResponse(slack, jsonAnswer({ ok: false, error: 'invalid_auth' }))).toEqual({
      outcome: 'failed',
      error: {
        code: 'UPSTREAM_REPORTED_ERROR',
        status: 200,
        message: 'the API answered 200 but reported an error: invalid_auth',
        kind: 'notAuthorized',
        upstreamError: 'invalid_auth',
      },
    });
  });

  it('sorts error codes by failureKind, and codes it does not name as "otherwise"', () => {
    const kindOf = (error: string) => {
      const reading = readResponse(slack, jsonAnswer({ ok: false, error }));
      return reading.outcome === 'failed' ? reading.error.kind : undefined;
    };
    expect(kindOf('ratelimited')).toBe('busy');
    expect(kindOf('channel_not_found')).toBe('rejected');
    // A key the map only has by inheritance is not a mapped code.
    expect(kindOf('constructor')).toBe('rejected');
  });

  it('reads the answer as usual when failWhen is false', () => {
    expect(readResponse(slack, jsonAnswer({ ok: true, ts: '1503435956.000247' }))).toMatchObject({
      outcome: 'success',
      outputs: { ts: '1503435956.000247' },
    });
  });

  it('keeps control characters and length out of the recorded error text', () => {
    const reading = readResponse(
      slack,
      jsonAnswer({ ok: false, error: `bad\n\u001b[31mthing ${'x'.repeat(400)}` }),
    );
    if (reading.outcome !== 'failed') throw new Error('expected a failure');
    expect(reading.error.upstreamError).toMatch(/^bad \[31mthing x+…$/);
    expect(reading.error.upstreamError).toHaveLength(300);
  });

  it('joins GraphQL error messages, and falls back to the usual keys without failureMessage', () => {
    const graphql = connectorWithResponse({
      failWhen: 'length(errors || `[]`) > `0`',
      failureMessage: 'errors[].message',
    });
    const answer = jsonAnswer({ errors: [{ message: 'Entity not found' }, { message: 'Again' }] });
    expect(readResponse(graphql, answer)).toMatchObject({
      error: { upstreamError: 'Entity not found; Again', kind: 'rejected' },
    });
    const plain = connectorWithResponse({ failWhen: 'ok == `false`' });
    expect(readResponse(plain, jsonAnswer({ ok: false, error: 'not_authed' }))).toMatchObject({
      error: { code: 'UPSTREAM_REPORTED_ERROR', upstreamError: 'not_authed', kind: 'rejected' },
    });
  });

  it('fails as an unexpected shape when failWhen cannot be evaluated', () => {
    const strict = connectorWithResponse({ failWhen: 'length(errors) > `0`' });
    expect(readResponse(strict, jsonAnswer({ data: {} }))).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_INVALID_RESPONSE' },
    });
  });
});
