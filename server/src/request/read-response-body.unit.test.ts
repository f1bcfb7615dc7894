import { describe, expect, it } from 'vitest';
import { isJsonMediaType, jsonNestsDeeperThan, MAX_JSON_DEPTH } from './read-response-body';

describe('jsonNestsDeeperThan', () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('says so past the limit and not at it, with objects and arrays mixed', () => {
    expect(jsonNestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonNestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
    const mixed = '{"a":['.repeat(40) + '1' + ']}'.repeat(40);
    expect(jsonNestsDeeperThan(mixed, 79)).toBe(true);
    expect(jsonNestsDeeperThan(mixed, 80)).toBe(false);
  });

  it('counts depth, not brackets: many shallow ones and brackets inside strings pass', () => {
    const wide = JSON.stringify(Array.from({ length: 1_000 }, (_, id) => ({ id, tags: [id] })));
    expect(jsonNestsDeeperThan(wide, MAX_JSON_DEPTH)).toBe(false);
    const quoted = JSON.stringify({ text: `${'[{'.repeat(100)} \\" ${'{'.repeat(100)}` });
    expect(jsonNestsDeeperThan(quoted, MAX_JSON_DEPTH)).toBe(false);
  });
});

describe('isJsonMediaType', () => {
  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    [' APPLICATION/JSON ;charset=UTF-8', true],
    ['application/problem+json', true],
    ['application/vnd.api+json; ext=bulk', true],
    ['application/json/extra', true],
    ['text/json', true],
    ['application/jsonp', false],
    ['text/plain; note="application/json"', false],
    ['json', false],
    ['application/', false],
    [';application/json', false],
    ['', false],
    [null, false],
  ])('%j is JSON: %s', (contentType, json) => {
    expect(isJsonMediaType(contentType)).toBe(json);
  });
});
