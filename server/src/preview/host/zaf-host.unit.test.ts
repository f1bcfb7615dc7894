import { describe, expect, it } from 'vitest';
import type { PreviewState, ProxyReply } from '../preview-contracts';
import { buildResponseArgs, createZafHost } from './zaf-host';

function buildState(): PreviewState {
  return {
    ticket: {
      id: 7,
      subject: 'Printer on fire',
      description: 'It burns',
      status: 'open',
      priority: 'high',
      type: null,
      tags: ['hot'],
      requester: { id: 3, name: 'Ann', email: 'ann@example.com' },
      organization: null,
      assignee: null,
      createdAt: null,
      updatedAt: '2026-01-01T00:00:00Z',
      customFields: { '11': 'A-1', '12': null },
      comments: [
        {
          id: 99,
          body: 'It burns',
          authorId: 3,
          authorName: 'Ann',
          public: true,
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
    },
    fields: [
      { id: 11, title: 'Order', type: 'text', options: [] },
      { id: 12, title: 'Status', type: 'text', options: [] },
    ],
    currentUser: { id: 5, name: 'Alex', email: 'a@x', role: 'agent', locale: 'en-US' },
    settings: { server_url: 'http://127.0.0.1:3000', title: 'Data Connectors' },
    appGuid: 'guid-1',
    appId: 1,
    installationId: 2,
    forgedSignature: false,
  };
}

function startHost(proxyReply?: ProxyReply) {
  const posted: Record<string, unknown>[] = [];
  const events: string[] = [];
  const host = createZafHost({
    state: buildState(),
    post: (message) => posted.push(message),
    proxy: async () =>
      proxyReply ?? { status: 0, statusText: 'error', headers: {}, responseText: '' },
    onResize: (size) => events.push(`resize ${String(size.height)}`),
    onFieldSet: (id, value, by) => events.push(`set ${id}=${String(value)} by ${by}`),
    onNotify: (message) => events.push(`notify ${message}`),
  });
  return { host, posted, events };
}

const send = (host: ReturnType<typeof startHost>['host'], message: unknown) =>
  host.receive(JSON.stringify(message));

describe('the ZAF host', () => {
  it('answers the handshake with app.registered carrying metadata and context', () => {
    const { host, posted } = startHost();
    send(host, { key: 'iframe.handshake', message: { version: '2.0.9' }, appGuid: 'guid-1' });
    expect(posted[0]).toMatchObject({
      key: 'zaf.app.registered',
      message: {
        metadata: {
          appId: 1,
          installationId: 2,
          settings: { server_url: 'http://127.0.0.1:3000' },
        },
        context: {
          location: 'ticket_sidebar',
          product: 'support',
          instanceGuid: 'guid-1',
          ticketId: 7,
        },
      },
    });
  });

  it('answers get with values by path and errors for unknown paths', () => {
    const { host, posted } = startHost();
    send(host, {
      id: 4,
      request: 'get',
      params: [
        'ticket.subject',
        'ticket.requester.email',
        'ticket.customField:custom_field_11',
        'nope',
      ],
    });
    expect(posted[0]).toEqual({
      id: 4,
      result: {
        'ticket.subject': 'Printer on fire',
        'ticket.requester.email': 'ann@example.com',
        'ticket.customField:custom_field_11': 'A-1',
        errors: { nope: expect.objectContaining({ path: 'nope' }) },
      },
    });
  });

  it('sets a custom field in the form and tells the app it changed', () => {
    const { host, posted, events } = startHost();
    send(host, { id: 5, request: 'set', params: { 'ticket.customField:custom_field_12': 'paid' } });
    expect(events).toEqual(['set 12=paid by app']);
    expect(posted).toContainEqual({ key: 'zaf.ticket.custom_field_12.changed', message: 'paid' });
    expect(posted).toContainEqual({
      id: 5,
      result: { 'ticket.customField:custom_field_12': 'paid', errors: {} },
    });
    expect(host.formValue(12)).toBe('paid');
  });

  it('resizes the frame on invoke("resize")', () => {
    const { host, posted, events } = startHost();
    send(host, {
      id: 6,
      request: 'invoke',
      params: { resize: [{ width: '100%', height: '420px' }] },
    });
    expect(events).toEqual(['resize 420px']);
    expect(posted[0]).toEqual({ id: 6, result: { errors: {} } });
  });

  it('fires ticket.updated when a reload finds the ticket changed', () => {
    const { host, posted } = startHost();
    const ticket = {
      ...buildState().ticket,
      updatedAt: '2026-02-01T00:00:00Z',
      customFields: { '11': 'B-2' },
    };
    host.replaceTicket(ticket);
    expect(host.formValue(11)).toBe('B-2');
    expect(posted).toContainEqual(expect.objectContaining({ key: 'zaf.ticket.updated' }));
  });

  it('relays a request and settles it with .done or .fail', async () => {
    const { host, posted } = startHost({
      status: 401,
      statusText: 'Unauthorized',
      headers: { 'content-type': 'application/json' },
      responseText: '{"error":{"code":"AUTH_INVALID"}}',
    });
    send(host, { key: 'request:3', message: { url: 'http://x/api', httpCompleteResponse: true } });
    await expect.poll(() => posted.length).toBe(1);
    const reply = posted[0] as { key: string; message: { responseArgs: unknown[] } };
    expect(reply.key).toBe('zaf.request:3.fail');
    expect(reply.message.responseArgs[0]).toMatchObject({
      status: 401,
      responseJSON: { error: { code: 'AUTH_INVALID' } },
    });
  });
});

describe('response arguments for the SDK', () => {
  const ok: ProxyReply = {
    status: 200,
    statusText: 'OK',
    headers: { 'content-type': 'application/json' },
    responseText: '{"a":1}',
  };

  it('resolves with {responseJSON, responseText, status, headers} for httpCompleteResponse', () => {
    expect(buildResponseArgs({ httpCompleteResponse: true, dataType: 'json' }, ok)).toEqual({
      outcome: 'done',
      responseArgs: [
        { responseJSON: { a: 1 }, responseText: '{"a":1}', status: 200, headers: ok.headers },
        'success',
        expect.objectContaining({ status: 200 }),
      ],
    });
  });

  it('resolves with the parsed data otherwise', () => {
    expect(buildResponseArgs({ dataType: 'json' }, ok).responseArgs[0]).toEqual({ a: 1 });
    expect(buildResponseArgs({ dataType: 'text' }, ok).responseArgs[0]).toBe('{"a":1}');
  });

  it('rejects with status 0 on a network failure', () => {
    const reply = { status: 0, statusText: 'error', headers: {}, responseText: '' };
    expect(buildResponseArgs({ httpCompleteResponse: true }, reply)).toMatchObject({
      outcome: 'fail',
      responseArgs: [{ status: 0 }, 'error', 'error'],
    });
  });

  it('resolves a JSON request whose 2xx body is empty (a 204) instead of failing to parse it', () => {
    const empty = { status: 204, statusText: 'No Content', headers: {}, responseText: '' };
    const { outcome, responseArgs } = buildResponseArgs({ dataType: 'json' }, empty);
    expect(outcome).toBe('done');
    expect(responseArgs.slice(0, 2)).toEqual([undefined, 'success']);
    expect(responseArgs[2]).not.toHaveProperty('responseJSON');
  });

  it('fails a JSON request whose 2xx body is not JSON', () => {
    expect(buildResponseArgs({ dataType: 'json' }, { ...ok, responseText: '<html>' }).outcome).toBe(
      'fail',
    );
  });
});
