import { describe, expect, it } from 'vitest';
import { linkTo, readRoute } from './route';

describe('console routes', () => {
  it('reads the screen and its filters from the hash', () => {
    const route = readRoute('#/connectors/order%20lookup/test?x=1');
    expect(route.parts).toEqual(['connectors', 'order lookup', 'test']);
    expect(route.query.get('x')).toBe('1');
    expect(readRoute('').parts).toEqual([]);
  });

  it('builds links that read back the same, leaving empty filters out', () => {
    const link = linkTo(['logs'], { connectorId: 'a/b', outcome: undefined, targetId: '' });
    expect(link).toBe('#/logs?connectorId=a%2Fb');
    expect(readRoute(link).query.get('connectorId')).toBe('a/b');
  });
});
