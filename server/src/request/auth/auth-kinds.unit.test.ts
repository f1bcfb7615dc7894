import { describe, expect, it } from 'vitest';
import { mapAuthTemplates } from './auth-kinds';

describe('mapAuthTemplates', () => {
  it('maps only the template fields of each kind and keeps the others as they are', () => {
    const upper = (value: string) => value.toUpperCase();
    expect(
      mapAuthTemplates(
        {
          type: 'oauth2ClientCredentials',
          tokenUrl: 'https://auth.example.com/token',
          clientId: 'id',
          clientSecret: 'secret',
          scope: 'orders.read',
        },
        upper,
      ),
    ).toEqual({
      type: 'oauth2ClientCredentials',
      tokenUrl: 'https://auth.example.com/token',
      clientId: 'ID',
      clientSecret: 'SECRET',
      scope: 'orders.read',
    });
    expect(mapAuthTemplates({ type: 'apiKeyHeader', header: 'x-key', value: 'v' }, upper)).toEqual({
      type: 'apiKeyHeader',
      header: 'x-key',
      value: 'V',
    });
    expect(mapAuthTemplates({ type: 'basic', username: 'u', password: 'p' }, upper)).toEqual({
      type: 'basic',
      username: 'U',
      password: 'P',
    });
    expect(mapAuthTemplates({ type: 'none' }, upper)).toEqual({ type: 'none' });
  });

  it('names the field it maps, for error paths', () => {
    const seen: string[] = [];
    mapAuthTemplates({ type: 'bearer', token: 't' }, (value: string, field) => {
      seen.push(field);
      return value;
    });
    expect(seen).toEqual(['token']);
  });
});
