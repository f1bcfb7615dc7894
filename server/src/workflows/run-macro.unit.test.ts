import { describe, expect, it } from 'vitest';
import type { LoadedTarget } from '../runs/helpdesk-port';
import { macroApplies } from './run-macro';

function ticket(values: Record<string, unknown>): LoadedTarget {
  return {
    target: { system: 'zendesk', type: 'ticket', id: '1' },
    read: (source) => values[source],
    applies: () => true,
    agent: undefined,
    viewerMayEdit: true,
    version: undefined,
  };
}

function record(type: string): LoadedTarget {
  return {
    target: { system: 'salesforce', type, id: '500SB0000000001AAA' },
    read: () => undefined,
    applies: () => true,
    agent: undefined,
    viewerMayEdit: true,
    version: undefined,
  };
}

describe('macroApplies', () => {
  const both = { tagsNone: ['escalated'], objectTypes: ['Case'] };

  it('reads ticket conditions on tickets and objectTypes on records', () => {
    expect(macroApplies(both, ticket({ 'ticket.tags': ['order'] }))).toBe(true);
    expect(macroApplies(both, ticket({ 'ticket.tags': ['escalated'] }))).toBe(false);
    expect(macroApplies(both, record('Case'))).toBe(true);
    expect(macroApplies(both, record('Account'))).toBe(false);
  });

  it('keeps a macro with conditions for one helpdesk off the other', () => {
    expect(macroApplies({ tagsNone: ['escalated'] }, record('Case'))).toBe(false);
    expect(macroApplies({ objectTypes: ['Case'] }, ticket({ 'ticket.tags': [] }))).toBe(false);
  });

  it('reads brand, group, form and status through the loaded ticket', () => {
    const loaded = ticket({
      'ticket.tags': [],
      'ticket.brand_id': 7,
      'ticket.group_id': 8,
      'ticket.ticket_form_id': 9,
      'ticket.status': 'open',
    });
    expect(macroApplies({ brandIds: [7], groupIds: [8], ticketFormIds: [9] }, loaded)).toBe(true);
    expect(macroApplies({ statuses: ['open'] }, loaded)).toBe(true);
    expect(macroApplies({ statuses: ['solved'] }, loaded)).toBe(false);
    expect(macroApplies({ groupIds: [1] }, loaded)).toBe(false);
  });
});
