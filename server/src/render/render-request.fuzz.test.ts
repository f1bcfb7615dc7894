import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledConnector } from '../compile/compiled-model';
import { compileTestConnector } from '../test-support/test-config';
import { renderRequest } from './render-request';
import type { RenderRequestResult } from './render-request';

/**
 * Property tests: whatever text a ticket or an agent supplies, the request keeps the shape the
 * admin configured, or rendering refuses the value. It never throws.
 */

const NUM_RUNS = 300;
const HEADER_SENDABLE = /^[\t\x20-\x7e\x80-\xff]*$/;
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Characters that break naive encoders, mixed with ordinary and astral text. */
const trickyChar = fc.constantFrom(
  '/',
  '?',
  '#',
  '%',
  '&',
  '=',
  '+',
  ';',
  '\r',
  '\n',
  '\0',
  '\t',
  '"',
  "'",
  '\\',
  '.',
  '..',
  ' ',
  '{{',
  '}}',
  '{{inputs.other}}',
  '%2e',
  '%00',
  'ü',
  'ß',
  '😀',
  '\u2028',
  '\ud800',
  '\udfff',
  'a',
  '0',
);
const value = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: trickyChar, maxLength: 12 }),
  fc.constantFrom('.', '..', '', ' ', '{{inputs.other}}', '#1001'),
);

function connectorFor(request: Record<string, unknown>): CompiledConnector {
  return compileTestConnector({
    connector: {
      inputs: [
        { name: 'v', prompt: true, required: false, trim: false },
        { name: 'other', prompt: true, required: false },
      ],
      request,
    },
  });
}

function render(connector: CompiledConnector, v: string): RenderRequestResult {
  return renderRequest(
    connector,
    {
      inputs: { v, other: 'EXPANDED' },
      connection: {},
      secrets: { API_TOKEN: 'tok_live_5f2c9e1a7b' },
    },
    new Set(),
  );
}

function expectRefusal(result: RenderRequestResult): void {
  expect(result).toMatchObject({ ok: false, error: { code: 'INPUT_UNSAFE_VALUE' } });
}

describe('renderRequest with arbitrary values', () => {
  it('a path value stays one segment and decodes to itself, or is refused as a dot segment', () => {
    const connector = connectorFor({ path: '/orders/{{inputs.v}}/lines' });
    fc.assert(
      fc.property(value, (v) => {
        const result = render(connector, v);
        if (v === '.' || v === '..' || LONE_SURROGATE.test(v)) return expectRefusal(result);
        if (!result.ok) throw new Error(`refused ${JSON.stringify(v)}: ${result.error.message}`);
        const url = new URL(result.value.request.url);
        const segments = url.pathname.split('/');
        expect(segments).toHaveLength(5);
        expect(segments.slice(0, 3)).toEqual(['', 'v1', 'orders']);
        expect(decodeURIComponent(segments[3] ?? '')).toBe(v);
        expect(segments[4]).toBe('lines');
        expect(url.search).toBe('');
        expect(url.hash).toBe('');
        expect(url.host).toBe('api.example.com');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a query value is exactly one parameter and decodes to itself', () => {
    const connector = connectorFor({ path: '/items', query: { q: '{{inputs.v}}', fixed: 'yes' } });
    fc.assert(
      fc.property(value, (v) => {
        const result = render(connector, v);
        if (LONE_SURROGATE.test(v)) return expectRefusal(result);
        if (!result.ok) throw new Error(`refused ${JSON.stringify(v)}: ${result.error.message}`);
        const url = new URL(result.value.request.url);
        expect([...url.searchParams.keys()]).toEqual(v === '' ? ['fixed'] : ['q', 'fixed']);
        if (v !== '') expect(url.searchParams.get('q')).toBe(v);
        expect(url.searchParams.get('fixed')).toBe('yes');
        expect(url.pathname).toBe('/v1/items');
        expect(url.hash).toBe('');
        // Byte for byte what appending each parameter to the URL's searchParams gives.
        const expected = new URL('https://api.example.com/v1/items');
        if (v !== '') expected.searchParams.append('q', v);
        expected.searchParams.append('fixed', 'yes');
        expect(result.value.request.url).toBe(expected.href);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a JSON body parses and each leaf holds the value', () => {
    const connector = connectorFor({
      method: 'POST',
      path: '/items',
      body: {
        type: 'json',
        value: { exact: '{{inputs.v}}', mixed: '<{{inputs.v}}>', list: ['{{inputs.v}}', 1] },
      },
    });
    fc.assert(
      fc.property(value, (v) => {
        const result = render(connector, v);
        if (!result.ok) throw new Error(`refused ${JSON.stringify(v)}: ${result.error.message}`);
        expect(JSON.parse(result.value.request.body ?? '')).toEqual({
          exact: v,
          mixed: `<${v}>`,
          list: [v, 1],
        });
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a header holds exactly the value, or the render is refused', () => {
    const connector = connectorFor({ path: '/items', headers: { 'X-Value': '{{inputs.v}}' } });
    fc.assert(
      fc.property(value, (v) => {
        const result = render(connector, v);
        if (result.ok) {
          expect(result.value.request.headers['x-value']).toBe(v);
          expect(v).toMatch(HEADER_SENDABLE);
        } else {
          expectRefusal(result);
          expect(v).not.toMatch(HEADER_SENDABLE);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a form body field decodes to the value', () => {
    const connector = connectorFor({
      method: 'POST',
      path: '/items',
      body: { type: 'form', value: { v: '{{inputs.v}}', fixed: 'yes' } },
    });
    fc.assert(
      fc.property(value, (v) => {
        const result = render(connector, v);
        if (LONE_SURROGATE.test(v)) return expectRefusal(result);
        if (!result.ok) throw new Error(`refused ${JSON.stringify(v)}: ${result.error.message}`);
        const form = new URLSearchParams(result.value.request.body);
        // An empty value leaves its field out, as in the query.
        expect([...form.entries()]).toEqual([...(v === '' ? [] : [['v', v]]), ['fixed', 'yes']]);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('a reference inside a value is never expanded, wherever the value lands', () => {
    const connector = connectorFor({
      method: 'POST',
      path: '/o/{{inputs.v}}',
      query: { q: '{{inputs.v}}' },
      body: { type: 'json', value: { v: '{{inputs.v}}' } },
    });
    const injected = fc
      .tuple(value, value)
      .map(([before, after]) => `${before}{{inputs.other}}{{ secrets.API_TOKEN }}${after}`);
    fc.assert(
      fc.property(injected, (v) => {
        const result = render(connector, v);
        if (!result.ok) return expectRefusal(result);
        // `auth` holds the token by design; the request and its logged copy must not.
        const text = JSON.stringify([result.value.request, result.value.censored]);
        expect(text).not.toContain('EXPANDED');
        expect(text).not.toContain('tok_live_5f2c9e1a7b');
        expect(JSON.parse(result.value.request.body ?? '')).toEqual({ v });
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
