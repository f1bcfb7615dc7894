import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateJsonSyntaxError } from './locate-json-syntax-error';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('locateJsonSyntaxError', () => {
  it.each([
    ['{"a": 1,}', 1, 8, 'Trailing comma'],
    ['[\n  1,\n  2,\n]', 3, 4, 'Trailing comma'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'Missing "," between properties'],
    ['{\n  "a": "x\n}', 2, 10, 'Line break or control character inside a string'],
    ['{"a": "x', 1, 7, 'Unterminated string'],
    ['{"a": [1, 2', 1, 12, 'Unexpected end of file'],
    ["{'a': 1}", 1, 2, 'Single quotes are not allowed in JSON'],
    ['{a: 1}', 1, 2, 'Property name without double quotes'],
    ['{"a": yes}', 1, 7, 'Unexpected word "yes"'],
    ['{"a": 01}', 1, 7, 'Invalid number'],
    ['{} {}', 1, 4, 'Unexpected content after the end of the JSON value'],
    ['{\n  // note\n  "a": 1\n}', 2, 3, 'Comments are not allowed in JSON'],
  ])('locates %j at line %i, column %i', (text, line, column, message) => {
    expect(locateJsonSyntaxError(text)).toMatchObject({ line, column, message });
  });

  it('finds nothing wrong in valid JSON', () => {
    expect(locateJsonSyntaxError('{"a": [1, -2.5e3, true, null, "\\u00e9\\n"]}')).toBe(undefined);
  });

  it('agrees with JSON.parse on valid documents and on damaged ones', () => {
    const damaged = fc
      .tuple(
        fc.json(),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '{', '[', '"', ':', ' ', '0', '-', 'x', '\n', '\\'),
        fc.boolean(),
      )
      .map(([json, at, char, replace]) => {
        const index = json.length === 0 ? 0 : at % json.length;
        return json.slice(0, index) + char + json.slice(replace ? index + 1 : index);
      });
    fc.assert(
      fc.property(fc.oneof(fc.json(), damaged), (text) => {
        expect(locateJsonSyntaxError(text) === undefined).toBe(parses(text));
      }),
      { numRuns: 2_000 },
    );
  });
});
