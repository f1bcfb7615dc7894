import { describe, expect, it } from 'vitest';
import { describeFailure } from './error-messages';

describe('error messages the agent sees', () => {
  it('says the server is unreachable, names it, and allows a retry with the same key', () => {
    const view = describeFailure(
      { code: 'SERVER_UNREACHABLE', status: 0, message: '' },
      { serverUrl: 'https://connectors.acme.io' },
    );
    expect(view.title).toBe('Cannot reach the Data Connectors server');
    expect(view.message).toBe('https://connectors.acme.io did not answer.');
    expect(view).toMatchObject({ retryable: true, sameKeyOnRetry: true });
  });

  it('tells the agent to reload the ticket on a 401, and the admin which settings to check', () => {
    for (const code of ['AUTH_INVALID', 'AUTH_REQUIRED', 'HTTP_401']) {
      const view = describeFailure({
        code,
        status: 401,
        message: 'The credentials were not accepted.',
      });
      expect(view.hint).toContain('Reload the ticket');
      expect(view.hint).toContain('ZENDESK_APP_INSTALLATION_ID');
      expect(view.retryable).toBe(false);
    }
  });

  it('says an expired session ended, a hidden ticket is not available, and a light agent cannot edit', () => {
    expect(describeFailure({ code: 'SESSION_EXPIRED', status: 401, message: 'x' }).title).toBe(
      'Your session has ended',
    );
    expect(
      describeFailure({ code: 'TICKET_NOT_FOUND', status: 404, message: 'There is no ticket 5.' }),
    ).toMatchObject({
      title: 'This ticket is not available to you',
      message: 'There is no ticket 5.',
    });
    expect(
      describeFailure({ code: 'TICKET_EDIT_FORBIDDEN', status: 403, message: 'x' }).title,
    ).toBe('Your role cannot edit tickets');
  });

  it('names the missing input by its label from the 422 details', () => {
    const view = describeFailure(
      {
        code: 'INPUT_INVALID',
        status: 422,
        message: 'Order number is required',
        details: [
          {
            input: 'order_number',
            code: 'INPUT_MISSING',
            message: 'Order number is required (read from ticket.custom_fields.1, which is empty)',
          },
        ],
      },
      { inputLabels: new Map([['order_number', 'Order number']]) },
    );
    expect(view.title).toBe('Check the input: Order number');
    expect(view.message).toContain('which is empty');
  });

  it('falls back to the server’s message when a 422 has no details', () => {
    const view = describeFailure({ code: 'INPUT_INVALID', status: 422, message: 'Bad input' });
    expect(view).toMatchObject({ title: 'An input is missing or not valid', message: 'Bad input' });
  });

  it('says a timeout may still finish and that Retry will not run it twice', () => {
    const view = describeFailure({ code: 'TIMEOUT', status: 0, message: '' });
    expect(view.message).toBe('The run may still finish on the server.');
    expect(view).toMatchObject({ retryable: true, sameKeyOnRetry: true });
  });

  it('blames the server’s configuration on 503 CONFIG_UNAVAILABLE', () => {
    const view = describeFailure({ code: 'CONFIG_UNAVAILABLE', status: 503, message: 'x' });
    expect(view.title).toBe('The server’s connector configuration is broken');
    expect(view.hint).toContain('/health');
  });

  it('explains a 409 CONFIRMATION_REQUIRED', () => {
    const view = describeFailure({
      code: 'CONFIRMATION_REQUIRED',
      status: 409,
      message: 'Connector "x" changes data in another system; send "confirmed": true to run it.',
    });
    expect(view.title).toBe('This connector needs your confirmation');
    expect(view.message).toContain('changes data');
  });

  it('shows the server’s message and code for anything else', () => {
    const view = describeFailure({
      code: 'CONNECTOR_DISABLED',
      status: 409,
      message: 'Connector "x" is disabled.',
    });
    expect(view).toMatchObject({
      title: 'The server refused the request',
      message: 'Connector "x" is disabled.',
      hint: 'CONNECTOR_DISABLED (HTTP 409)',
      retryable: false,
    });
    expect(describeFailure({ code: 'INTERNAL_ERROR', status: 500, message: 'm' }).retryable).toBe(
      true,
    );
  });

  it('never leaves title and message both empty', () => {
    const codes = [
      'SERVER_URL_MISSING',
      'SERVER_UNREACHABLE',
      'TIMEOUT',
      'AUTH_INVALID',
      'INPUT_INVALID',
      'CONFIG_UNAVAILABLE',
      'CONFIRMATION_REQUIRED',
      'CONNECTION_BUSY',
      'IDEMPOTENCY_IN_PROGRESS',
      'HELPDESK_UNAVAILABLE',
      'RESPONSE_INVALID',
      'FORBIDDEN',
      'TICKET_NOT_FOUND',
      'HTTP_418',
    ];
    for (const code of codes) {
      const view = describeFailure({ code, status: 400, message: '' });
      expect(view.title, code).not.toBe('');
      expect(view.message || view.hint, code).not.toBe('');
    }
  });
});
