import { describe, expect, it } from 'vitest';
import { createRedactor, SECRET_MASK } from './redact';

const SECRET = 'sk_live_Q7v!x/9+Lm';
const redactor = createRedactor(() => [SECRET, 'abc']);

describe('redactText', () => {
  it('masks every occurrence of a secret value', () => {
    expect(redactor.redactText(`token ${SECRET} echoed: ${SECRET}.`)).toBe(
      `token ${SECRET_MASK} echoed: ${SECRET_MASK}.`,
    );
  });

  it('masks the URL-encoded forms of a secret', () => {
    expect(redactor.redactText(`/callback?key=${encodeURIComponent(SECRET)}`)).toBe(
      `/callback?key=${SECRET_MASK}`,
    );
    const form = new URLSearchParams({ client_id: 'c', client_secret: SECRET }).toString();
    expect(redactor.redactText(form)).toBe(`client_id=c&client_secret=${SECRET_MASK}`);
  });

  it('masks a secret encoded on its own in base64', () => {
    const encoded = Buffer.from(SECRET).toString('base64');
    expect(redactor.redactText(`x-token: ${encoded}`)).toBe(`x-token: ${SECRET_MASK}`);
  });

  it('masks a secret inside a longer base64 text at any byte offset, as in Basic auth', () => {
    for (const user of ['a', 'ab', 'abc', 'ana@example.com']) {
      const header = `Basic ${Buffer.from(`${user}:${SECRET}`).toString('base64')}`;
      const out = redactor.redactText(`upstream echoed ${header}`);
      expect(out, user).toContain(SECRET_MASK);
      // What is left of the base64 no longer decodes to anything holding the secret's middle.
      const left = out.replace('upstream echoed Basic ', '').split(SECRET_MASK).join('');
      expect(Buffer.from(left, 'base64').toString('latin1')).not.toContain(SECRET.slice(2, -2));
    }
  });

  it('leaves very short values alone, so masking does not shred ordinary text', () => {
    expect(redactor.redactText('abc abc')).toBe('abc abc');
  });

  it('masks a text exactly as long as the shortest form, and skips only shorter ones', () => {
    const short = createRedactor(() => ['wxyz', 'a-much-longer-secret']);
    expect(short.redactText('wxyz')).toBe(SECRET_MASK);
    expect(short.redactText('wxy')).toBe('wxy');
    expect(short.textRedactor()('a-much-longer-secret')).toBe(SECRET_MASK);
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const overlapping = createRedactor(() => ['token-1234', 'token-1234-extended']);
    expect(overlapping.redactText('x token-1234-extended y')).toBe(`x ${SECRET_MASK} y`);
  });

  it('reads the secret list on every call, so reloaded secrets apply', () => {
    let secrets = ['first-secret'];
    const live = createRedactor(() => secrets);
    secrets = ['second-secret'];
    expect(live.redactText('first-secret second-secret')).toBe(`first-secret ${SECRET_MASK}`);
  });
});

describe('redactDeep', () => {
  it('masks values under credential-looking keys, whatever they hold', () => {
    const headers = {
      Authorization: 'Bearer oauth-token-from-elsewhere',
      'proxy-authorization': 'x',
      cookie: 'session=1',
      'Set-Cookie': ['a=1'],
      'x-api-key': 'k',
      'X-Shopify-Access-Token': 'shpat_1',
      'Private-Token': 'glpat',
      clientSecret: 's',
      password: 'p',
      refresh_token: 'r',
    };
    const out = redactor.redactDeep(headers);
    for (const key of Object.keys(headers))
      expect(out[key as keyof typeof headers], key).toBe(SECRET_MASK);
  });

  it('keeps keys that only look alike, and empty values', () => {
    const value = {
      tokenUrl: 'https://auth.example.com/token',
      token_type: 'bearer',
      maxTokens: 5,
      password: '',
    };
    expect(redactor.redactDeep(value)).toEqual(value);
  });

  it('walks nested objects and arrays, and leaves other types and the input alone', () => {
    const date = new Date(0);
    const value = { a: [{ b: `x${SECRET}` }, 1, null, true], when: date };
    const out = redactor.redactDeep(value);
    expect(out).toEqual({ a: [{ b: `x${SECRET_MASK}` }, 1, null, true], when: date });
    expect(value.a[0]).toEqual({ b: `x${SECRET}` });
  });

  it('keeps an error readable and masks secrets in its message', () => {
    const error = Object.assign(new TypeError(`bad token ${SECRET}`), { code: 'E_AUTH' });
    expect(redactor.redactDeep({ error })).toEqual({
      error: { name: 'TypeError', message: `bad token ${SECRET_MASK}`, code: 'E_AUTH' },
    });
  });

  it('lets nothing through below the depth limit', () => {
    let nested: unknown = { leak: SECRET };
    for (let i = 0; i < 30; i += 1) nested = { nested };
    expect(JSON.stringify(redactor.redactDeep(nested))).not.toContain(SECRET);
  });
});
