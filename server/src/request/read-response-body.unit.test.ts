import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  isJsonMediaType,
  jsonNestsDeeperThan,
  MAX_JSON_DEPTH,
  readBodyWithLimit,
} from './read-response-body';

/**
 * A body that, like undici's, reports a destroy before its end as an error. With `ends: false`
 * it stalls after its chunks, as a connection that stays open.
 */
function bodyOf(chunks: Buffer[], ends = true): Readable {
  return new Readable({
    read() {
      const next = chunks.shift();
      if (next !== undefined) this.push(next);
      else if (ends) this.push(null);
    },
    destroy(error, callback) {
      const aborted = Object.assign(new Error('Request aborted'), { code: 'UND_ERR_ABORTED' });
      callback(error ?? (this.readableEnded ? null : aborted));
    },
  });
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('readBodyWithLimit', () => {
  it('reads a body to its end', async () => {
    const read = await readBodyWithLimit(bodyOf([Buffer.from('ab'), Buffer.from('c')]), 10);
    expect(read).toEqual({ ok: true, value: Buffer.from('abc') });
  });

  it('stops at the cap, and the error the destroy raises reaches a listener, not the process', async () => {
    const body = bodyOf([Buffer.alloc(6), Buffer.alloc(6), Buffer.alloc(6)]);
    const read = await readBodyWithLimit(body, 10);
    expect(read).toEqual({ ok: false, error: { reason: 'too_large', receivedBytes: 12 } });
    await tick();
    // The destroy's error was raised; with no listener left it would be an uncaught exception.
    expect(body.destroyed).toBe(true);
    expect(body.errored).toMatchObject({ code: 'UND_ERR_ABORTED' });
  });

  it('rejects with the error of a body that fails, and gives its budget back', async () => {
    let held = 0;
    const budget = {
      take: (bytes: number) => ((held += bytes), true),
      give: (bytes: number) => void (held -= bytes),
    };
    const body = bodyOf([Buffer.alloc(4)], false);
    const reading = readBodyWithLimit(body, 10, budget as never);
    await tick();
    body.destroy(new Error('socket hang up'));
    await expect(reading).rejects.toThrow('socket hang up');
    expect(held).toBe(0);
  });
});

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
