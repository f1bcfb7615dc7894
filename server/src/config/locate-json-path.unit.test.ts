import { describe, expect, it } from 'vitest';
import { createJsonPathLocator } from './locate-json-path';

const TEXT = `{
  "connectors": [
    { "id": "orders", "request": { "method": "FETCH" } }
  ]
}`;

describe('createJsonPathLocator', () => {
  const locate = createJsonPathLocator(TEXT);

  it("points at the path's key and names the connector by its id", () => {
    expect(locate(['connectors', 0, 'request', 'method'])).toEqual({
      line: 3,
      column: 36,
      subject: 'connector "orders"',
    });
  });

  it('points a missing key at the key of the object it belongs in ("request")', () => {
    expect(locate(['connectors', 0, 'request', 'path'])).toMatchObject({ line: 3, column: 23 });
  });

  it('gives up on the place, not the issue, for JSON nested too deep to walk', () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    expect(createJsonPathLocator(deep)(['a', 'a'])).toBeUndefined();
  });
});
