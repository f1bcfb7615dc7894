import { describe, expect, it } from 'vitest';
import {
  createRunId,
  decodeRunCursor,
  encodeRunCursor,
  runQuerySchema,
  runRecordSchema,
} from './run-record';
import { buildTestRun } from './build-test-run';

describe('createRunId', () => {
  it('makes run_ plus a 26-character Crockford base32 id', () => {
    expect(createRunId()).toMatch(/^run_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sorts ids by creation time', () => {
    const times = [0, 1, 31, 32, 1_700_000_000_000, 1_700_000_000_001, 2 ** 48 - 1];
    const ids = times.map((time) => createRunId(time));
    expect([...ids].sort()).toEqual(ids);
  });

  it('encodes the time in the first ten characters', () => {
    expect(createRunId(0).slice(4, 14)).toBe('0000000000');
    expect(createRunId(2 ** 48 - 1).slice(4, 14)).toBe('7ZZZZZZZZZ');
    // Back and forth, as runs that start in the same millisecond share its prefix.
    for (const [time, prefix] of [
      [1_700_000_000_000, '01HF7YAT00'],
      [1_700_000_000_001, '01HF7YAT01'],
      [1_700_000_000_000, '01HF7YAT00'],
      [0, '0000000000'],
      [1_700_000_000_000, '01HF7YAT00'],
    ] as const) {
      expect(createRunId(time).slice(4, 14)).toBe(prefix);
    }
  });

  it('gives different ids within the same millisecond, across refills of its random pool', () => {
    // 5,000 ids draw the pool (1,024 ids' worth) empty four times.
    const ids = new Set(Array.from({ length: 5_000 }, () => createRunId(1_700_000_000_000)));
    expect(ids.size).toBe(5_000);
    // The random part varies in every position, so no byte of the pool is reused or left zero.
    const randomParts = [...ids].map((id) => id.slice(14));
    for (let position = 0; position < 16; position += 1) {
      expect(new Set(randomParts.map((part) => part[position])).size).toBe(32);
    }
  });

  it('refuses times a 48-bit prefix cannot hold', () => {
    expect(() => createRunId(-1)).toThrow(RangeError);
    expect(() => createRunId(2 ** 48)).toThrow(RangeError);
  });
});

describe('runRecordSchema', () => {
  it('accepts a complete run', () => {
    expect(runRecordSchema.safeParse(buildTestRun()).success).toBe(true);
  });

  it('rejects unknown keys and lower-case error codes', () => {
    expect(runRecordSchema.safeParse({ ...buildTestRun(), extra: 1 }).success).toBe(false);
    expect(runRecordSchema.safeParse(buildTestRun({ errorCode: 'timeout' })).success).toBe(false);
  });
});

describe('run cursors', () => {
  it('round-trip through an opaque URL-safe string', () => {
    const cursor = { startedAtMs: 1_740_830_400_000, id: createRunId(1_740_830_400_000) };
    const encoded = encodeRunCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeRunCursor(encoded)).toEqual(cursor);
  });

  it('reject tampered values', () => {
    expect(decodeRunCursor('not a cursor')).toBeUndefined();
    expect(decodeRunCursor(Buffer.from('12|x').toString('base64url'))).toBeUndefined();
    expect(runQuerySchema.safeParse({ cursor: 'abc' }).success).toBe(false);
  });
});

describe('runQuerySchema', () => {
  it('bounds the page size to 1..500', () => {
    expect(runQuerySchema.safeParse({ limit: 500 }).success).toBe(true);
    expect(runQuerySchema.safeParse({ limit: 501 }).success).toBe(false);
    expect(runQuerySchema.safeParse({ limit: 0 }).success).toBe(false);
  });

  it('rejects unknown filters and non-ISO dates', () => {
    expect(runQuerySchema.safeParse({ ticket: '1' }).success).toBe(false);
    expect(runQuerySchema.safeParse({ since: 'yesterday' }).success).toBe(false);
  });
});
