import { describe, expect, it } from 'vitest';
import { createRedactor } from './redact';
import { createRunRedaction } from './run-redaction';
import { createRuntimeSecrets } from './runtime-secrets';

const secrets = createRedactor(() => ['s3cr3t-value']);

describe("a run's redaction policy", () => {
  it('masks secrets as [secret] and redacted values as [redacted], inside longer text too', () => {
    const run = createRunRedaction(secrets, ['4111 1111 1111 1111', null, undefined]);
    expect(run.text('card 4111 1111 1111 1111, key s3cr3t-value')).toBe(
      'card [redacted], key [secret]',
    );
  });

  it('finds a redacted value in its JSON- and URL-encoded forms', () => {
    const run = createRunRedaction(secrets, ['Jane "J" Doe/1']);
    expect(run.text(JSON.stringify({ name: 'Jane "J" Doe/1' }))).toBe('{"name":"[redacted]"}');
    expect(run.text(`q=${encodeURIComponent('Jane "J" Doe/1')}`)).toBe('q=[redacted]');
  });

  it('masks a redacted number or boolean value held whole, and short values not at all', () => {
    const run = createRunRedaction(secrets, [123456, 'no']);
    expect(run.deep({ total: 123456, other: 7, answer: 'no way' })).toEqual({
      total: '[redacted]',
      other: 7,
      answer: 'no way',
    });
  });

  it("copies an upstream's __proto__ key as a plain key, masked, without touching prototypes", () => {
    const run = createRunRedaction(secrets, []);
    const echoed = JSON.parse(
      '{"__proto__": {"polluted": "s3cr3t-value"}, "a": {"b": ["s3cr3t-value"]}}',
    );
    const copy = run.deep(echoed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(copy)).toBe(
      '{"__proto__":{"polluted":"[secret]"},"a":{"b":["[secret]"]}}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('masks credential-looking keys only where the log asks for it', () => {
    const run = createRunRedaction(secrets, []);
    const value = { access_token: 'abc', note: 'fine' };
    expect(run.deep(value)).toEqual(value);
    expect(run.deep(value, { byKey: true })).toEqual({ access_token: '[secret]', note: 'fine' });
  });
});

describe('runtime secrets', () => {
  it('are masked by the redactor once learnt, and only the newest are kept', () => {
    const runtime = createRuntimeSecrets(2);
    const redactor = createRedactor(
      () => runtime.values(),
      () => String(runtime.version()),
    );
    expect(redactor.redactText('Bearer token-aaaaaaaa')).toBe('Bearer token-aaaaaaaa');
    runtime.add('token-aaaaaaaa');
    expect(redactor.redactText('Bearer token-aaaaaaaa')).toBe('Bearer [secret]');
    runtime.add('token-bbbbbbbb');
    runtime.add('token-cccccccc');
    expect(runtime.values()).toEqual(['token-bbbbbbbb', 'token-cccccccc']);
    runtime.add('short');
    expect(runtime.values()).toHaveLength(2);
  });
});
