import { describe, expect, it } from 'vitest';
import {
  customFieldIdOf,
  isSourceReadableOn,
  isValidInputSource,
  sourceIdentity,
} from './input-sources';

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

describe('isSourceReadableOn', () => {
  it('gives record fields to Salesforce, ticket and comment sources to Zendesk, agent to both', () => {
    expect(isSourceReadableOn('record.Contact.Email', 'salesforce')).toBe(true);
    expect(isSourceReadableOn('record.Contact.Email', 'zendesk')).toBe(false);
    expect(isSourceReadableOn('ticket.requester.email', 'zendesk')).toBe(true);
    expect(isSourceReadableOn('ticket.requester.email', 'salesforce')).toBe(false);
    expect(isSourceReadableOn('comment.body', 'salesforce')).toBe(false);
    expect(isSourceReadableOn('agent.email', 'zendesk')).toBe(true);
    expect(isSourceReadableOn('agent.email', 'salesforce')).toBe(true);
  });
});

describe('sourceIdentity', () => {
  it('ignores case in record fields only', () => {
    expect(sourceIdentity('record.Order_Number__c')).toBe(sourceIdentity('record.order_number__C'));
    expect(sourceIdentity('ticket.subject')).not.toBe(sourceIdentity('ticket.Subject'));
  });
});
