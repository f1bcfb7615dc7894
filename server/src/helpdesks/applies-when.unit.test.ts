import { describe, expect, it } from 'vitest';
import type { AppliesWhen } from '../../../shared/src/config/connector-config-schema';
import { appliesToRecord } from './salesforce/salesforce-config';
import { appliesToTicket } from './zendesk/zendesk-config';
import type { TicketFacts } from './zendesk/zendesk-config';

const ticket = (facts: Partial<TicketFacts> = {}): TicketFacts => ({
  tags: [],
  brandId: 1,
  groupId: 2,
  ticketFormId: 3,
  status: 'open',
  ...facts,
});

describe('appliesWhen on both helpdesks', () => {
  it('applies everywhere when it sets no condition', () => {
    expect(appliesToTicket({}, ticket())).toBe(true);
    expect(appliesToRecord({}, 'Account')).toBe(true);
  });

  it('reads tag conditions on tickets and keeps a tickets-only connector off records', () => {
    const when: AppliesWhen = { zendesk: { tagsAny: ['order'] } };
    expect(appliesToTicket(when, ticket({ tags: ['order', 'vip'] }))).toBe(true);
    expect(appliesToTicket(when, ticket({ tags: ['vip'] }))).toBe(false);
    expect(appliesToRecord(when, 'Case')).toBe(false);
  });

  it('reads objectTypes on records and keeps a records-only connector off tickets', () => {
    const when: AppliesWhen = { salesforce: { objectTypes: ['Case'] } };
    expect(appliesToRecord(when, 'Case')).toBe(true);
    expect(appliesToRecord(when, 'Account')).toBe(false);
    expect(appliesToTicket(when, ticket({ tags: ['order'] }))).toBe(false);
  });

  it('with conditions for both, applies to matching tickets and to the named objects', () => {
    const when: AppliesWhen = {
      zendesk: { tagsAny: ['order'], brandIds: [1] },
      salesforce: { objectTypes: ['Case'] },
    };
    expect(appliesToTicket(when, ticket({ tags: ['order'] }))).toBe(true);
    expect(appliesToTicket(when, ticket({ tags: ['order'], brandId: 9 }))).toBe(false);
    expect(appliesToTicket(when, ticket({ tags: [] }))).toBe(false);
    expect(appliesToRecord(when, 'case')).toBe(true);
    expect(appliesToRecord(when, 'Contact')).toBe(false);
  });

  it('checks every ticket condition', () => {
    expect(appliesToTicket({ zendesk: { tagsAll: ['a', 'b'] } }, ticket({ tags: ['a'] }))).toBe(
      false,
    );
    expect(
      appliesToTicket({ zendesk: { tagsAll: ['a', 'b'] } }, ticket({ tags: ['b', 'a'] })),
    ).toBe(true);
    expect(appliesToTicket({ zendesk: { tagsNone: ['spam'] } }, ticket({ tags: ['spam'] }))).toBe(
      false,
    );
    expect(appliesToTicket({ zendesk: { groupIds: [2] } }, ticket())).toBe(true);
    expect(appliesToTicket({ zendesk: { groupIds: [2] } }, ticket({ groupId: null }))).toBe(false);
    expect(appliesToTicket({ zendesk: { ticketFormIds: [4] } }, ticket())).toBe(false);
    expect(appliesToTicket({ zendesk: { statuses: ['open', 'new'] } }, ticket())).toBe(true);
    expect(appliesToTicket({ zendesk: { statuses: ['solved'] } }, ticket())).toBe(false);
  });

  it('treats an empty list as no condition', () => {
    expect(
      appliesToTicket({ zendesk: { tagsAny: [] }, salesforce: { objectTypes: [] } }, ticket()),
    ).toBe(true);
    expect(
      appliesToRecord({ zendesk: { tagsAny: [] }, salesforce: { objectTypes: [] } }, 'Case'),
    ).toBe(true);
  });
});
