import { describe, expect, it } from 'vitest';
import { ZafAdapter, customFieldPath } from './zaf-client';
import type { IClient } from './zaf-client';

/** A client that answers like the SDK: `get` with an array reports unreadable paths in `errors`. */
function fakeClient(values: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  const calls: { method: string; args: unknown[] }[] = [];
  const client: IClient = {
    get: async (paths) => {
      calls.push({ method: 'get', args: [paths] });
      const list = Array.isArray(paths) ? paths : [paths];
      const result: Record<string, unknown> = { errors: {} };
      for (const path of list) {
        if (path in values) result[path] = values[path];
        else (result.errors as Record<string, unknown>)[path] = { message: 'not found' };
      }
      return result;
    },
    set: async (key, value) => {
      calls.push({ method: 'set', args: [key, value] });
      if (key.endsWith('_404')) throw new Error('no such field');
      return { [key]: value };
    },
    invoke: async (...args) => (calls.push({ method: 'invoke', args }), undefined),
    metadata: async () => ({ settings }),
    on: () => undefined,
    request: async () => undefined,
  };
  return { client, calls };
}

describe('the ZAF adapter', () => {
  it('reads the ticket and the agent', async () => {
    const { client } = fakeClient({
      ticket: {
        id: 4,
        subject: 'Wish lists',
        tags: ['feature_request'],
        requester: { id: 7, name: 'Tom' },
      },
      currentUser: { id: 90000000002, name: 'Alex', email: 'alex@example.com', role: 'agent' },
    });
    const zaf = new ZafAdapter(client);
    expect(await zaf.getTicket()).toMatchObject({
      id: 4,
      subject: 'Wish lists',
      tags: ['feature_request'],
    });
    expect(await zaf.getCurrentUser()).toEqual({
      id: 90000000002,
      name: 'Alex',
      email: 'alex@example.com',
      role: 'agent',
    });
  });

  it('reads several paths at once and leaves out those ZAF cannot read', async () => {
    const { client, calls } = fakeClient({ 'ticket.subject': 'S', [customFieldPath(1)]: '#1' });
    const values = await new ZafAdapter(client).getValues([
      'ticket.subject',
      customFieldPath(1),
      customFieldPath(2),
    ]);
    expect(values).toEqual({ 'ticket.subject': 'S', 'ticket.customField:custom_field_1': '#1' });
    expect(calls).toHaveLength(1);
    expect(await new ZafAdapter(client).getValues([])).toEqual({});
  });

  it('resizes to the full width and a whole pixel height', async () => {
    const { client, calls } = fakeClient({});
    await new ZafAdapter(client).resize(240.2);
    expect(calls).toEqual([
      { method: 'invoke', args: ['resize', { width: '100%', height: '241px' }] },
    ]);
  });
});
