import { describe, expect, it } from 'vitest';
import { BUILT_IN_CONFIG_FORMAT as format } from '../helpdesks/helpdesk-registry';
import { isKnownSource, isReadableOn, needsAgentContext, sourceIdentityOf } from './config-format';

describe('input sources across the built-in helpdesks', () => {
  it.each([
    'ticket.subject',
    'ticket.requester.email',
    'ticket.custom_fields.360001000001',
    'comment.body',
    'agent.email',
    'record.Order_Number__c',
    'record.Contact.Account.Name',
  ])('knows %s', (source) => {
    expect(isKnownSource(format, source)).toBe(true);
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
    expect(isKnownSource(format, source)).toBe(false);
  });

  it("reads each helpdesk's sources there only, and the agent's everywhere", () => {
    expect(isReadableOn(format, 'record.Contact.Email', 'salesforce')).toBe(true);
    expect(isReadableOn(format, 'record.Contact.Email', 'zendesk')).toBe(false);
    expect(isReadableOn(format, 'ticket.requester.email', 'zendesk')).toBe(true);
    expect(isReadableOn(format, 'ticket.requester.email', 'salesforce')).toBe(false);
    expect(isReadableOn(format, 'comment.body', 'salesforce')).toBe(false);
    expect(isReadableOn(format, 'agent.email', 'zendesk')).toBe(true);
    expect(isReadableOn(format, 'agent.email', 'salesforce')).toBe(true);
  });

  it('treats two spellings of one Salesforce field as one source, and Zendesk ones as written', () => {
    expect(sourceIdentityOf(format, 'record.Order_Number__c')).toBe(
      sourceIdentityOf(format, 'record.order_number__C'),
    );
    expect(sourceIdentityOf(format, 'ticket.subject')).not.toBe(
      sourceIdentityOf(format, 'ticket.Subject'),
    );
  });

  it('marks the sources that exist only when an agent runs it (the agent, a chosen comment)', () => {
    expect(needsAgentContext(format, 'comment.body')).toBe(true);
    expect(needsAgentContext(format, 'agent.id')).toBe(true);
    expect(needsAgentContext(format, 'ticket.subject')).toBe(false);
    expect(needsAgentContext(format, 'record.Subject')).toBe(false);
  });
});
