import { describe, expect, it } from 'vitest';
import { ALERT_ENDPOINTS } from './alert-contracts';
import { API_ERROR_CODES } from './api-errors';
import { buildEndpointPath } from './define-endpoint';

describe('the admin alert contracts', () => {
  it.each(Object.entries(ALERT_ENDPOINTS))('%s names only codes of the catalogue', (_name, e) => {
    for (const code of e.errors) expect(Object.keys(API_ERROR_CODES)).toContain(code);
    expect(e.errors).toEqual(
      expect.arrayContaining(['AUTH_REQUIRED', 'FORBIDDEN', 'INTERNAL_ERROR']),
    );
    expect(new Set(e.errors).size).toBe(e.errors.length);
  });

  it('builds the resume path with the id as one segment', () => {
    expect(
      buildEndpointPath(ALERT_ENDPOINTS.resumeConnector, { params: { connectorId: 'a/../b' } }),
    ).toBe('/api/admin/connectors/a%2F..%2Fb/resume');
  });
});
