import { describe, expect, it } from 'vitest';
import { customFieldIdOf, isValidInputSource } from './input-sources';

describe('isValidInputSource', () => {
  it.each([
    'ticket.subject',
    'ticket.requester.email',
    'ticket.custom_fields.360001000001',
    'comment.body',
    'agent.email',
    'record.Order_Number__c',
    'record.Contact.Account.Name',
  ])('accepts %s', (source) => {
    expect(isValidInputSource(source)).toBe(true);
  });

  it.each([
    'ticket.custom_fields.abc',
    'ticket.custom_fields.',
    'ticket.password',
    'record.',
    'record.a.b.c.d.e.f',
    'record.Name;DROP',
    'secrets.API_TOKEN',
    '',
  ])('refuses %j', (source) => {
    expect(isValidInputSource(source)).toBe(false);
  });
});

describe('customFieldIdOf', () => {
  it('returns the field id of a custom field source only', () => {
    expect(customFieldIdOf('ticket.custom_fields.360001000001')).toBe('360001000001');
    expect(customFieldIdOf('ticket.subject')).toBeUndefined();
  });
});
