import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeZendesk } from '../sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../sandbox/fake-zendesk/fake-zendesk';
import type { LoadedTarget } from '../runs/helpdesk-port';
import { createZendeskHelpdesk } from './zendesk/zendesk-helpdesk';
import { createSandboxZendeskClient } from '../test-support/sandbox-zendesk-client';

/**
 * `appliesWhen` (a connector's or a macro's) is read by the helpdesk that loaded the target:
 * the Zendesk adapter reads tags, brand, group, form and status from the ticket it loaded, and a
 * condition only Salesforce has (`objectTypes`) keeps the connector or macro off tickets.
 */
let zendesk: RunningFakeZendesk;

beforeAll(async () => {
  zendesk = await startFakeZendesk();
});
afterAll(async () => {
  await zendesk.close();
});

async function loadTicket(id: number): Promise<LoadedTarget> {
  const helpdesk = createZendeskHelpdesk(createSandboxZendeskClient(zendesk.baseUrl));
  const loaded = await helpdesk.load(String(id), {});
  if (!loaded.ok) throw new Error(loaded.error.message);
  return loaded.value;
}

describe('the Zendesk adapter reads appliesWhen from the ticket it loaded', () => {
  it('tags and status', async () => {
    const ticket = await loadTicket(1);
    expect(ticket.applies({ zendesk: { tagsAny: ['order'] } })).toBe(true);
    expect(ticket.applies({ zendesk: { tagsNone: ['order'] } })).toBe(false);
    expect(ticket.applies({ zendesk: { statuses: ['open'] } })).toBe(true);
    expect(ticket.applies({ zendesk: { statuses: ['solved'] } })).toBe(false);
  });

  it('group, brand and form', async () => {
    const stored = zendesk.store.findTicket(5);
    if (!stored?.group_id) throw new Error('the seed ticket 5 has a group');
    const ticket = await loadTicket(5);
    expect(ticket.applies({ zendesk: { groupIds: [stored.group_id] } })).toBe(true);
    expect(ticket.applies({ zendesk: { groupIds: [stored.group_id + 1] } })).toBe(false);
    if (stored.brand_id !== null) {
      expect(ticket.applies({ zendesk: { brandIds: [stored.brand_id] } })).toBe(true);
      expect(ticket.applies({ zendesk: { brandIds: [stored.brand_id + 1] } })).toBe(false);
    }
  });

  it('keeps what only Salesforce can hold off tickets', async () => {
    const ticket = await loadTicket(1);
    expect(ticket.applies({ salesforce: { objectTypes: ['Case'] } })).toBe(false);
    expect(ticket.applies({})).toBe(true);
  });
});
