import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompiledWrite } from '../../compile/compiled-model';
import { compileTestConnector } from '../../test-support/test-config';
import { createBatchChooser } from '../../pacing/choose-batching';
import { startFakeZendesk } from '../../sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../../sandbox/fake-zendesk/fake-zendesk';
import { SANDBOX_FIELD_IDS } from '../../sandbox/seed/zendesk-seed';
import { createSandboxZendeskClient } from '../../test-support/sandbox-zendesk-client';
import type { ZendeskClient } from './client/zendesk-client';
import { createZendeskBatchWrites, mergeTicketUpdates } from './zendesk-batch-writes';
import { createZendeskHelpdesk } from './zendesk-helpdesk';
import type { HelpdeskPort, WriteResult } from '../../runs/helpdesk-port';

/**
 * Automation's writes as Zendesk bulk jobs, against the fake Zendesk over HTTP: many tickets per
 * `update_many`, each ticket's own result, coalesced writes, and the cases where a job's outcome
 * is not certain (a lost answer), where each ticket must still be written exactly once.
 */

const PAYMENT = SANDBOX_FIELD_IDS.paymentStatus;
const NOTE = 'Payment: paid.';

function compileWrite(writeBack: Record<string, unknown>): CompiledWrite {
  const connector = compileTestConnector({
    connector: {
      response: { outputs: [{ name: 'payment', path: 'payment' }] },
      writeBack: { success: writeBack },
    },
  });
  if (!connector.writeBack.success) throw new Error('success write-back did not compile');
  return connector.writeBack.success;
}

const WITH_NOTE = compileWrite({
  customFields: { [String(PAYMENT)]: '{{outputs.payment}}' },
  addTags: ['payment_checked'],
  internalNote: 'Payment: {{outputs.payment}}.',
});
const TAG_ONLY = compileWrite({ addTags: ['vip_checked'] });
const SCOPE = { inputs: {}, connection: {}, outputs: { payment: 'paid' } };

let fake: RunningFakeZendesk;
let client: ZendeskClient;
/** Automation's port: the one given bulk jobs (zendesk-module.ts). */
let helpdesk: HelpdeskPort;

beforeEach(async () => {
  fake = await startFakeZendesk({ jobDelayMs: 20 } as Parameters<typeof startFakeZendesk>[0]);
  client = createSandboxZendeskClient(fake.baseUrl, {
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20))),
  });
  helpdesk = createZendeskHelpdesk(client, {
    batchWrites: {
      batcher: createZendeskBatchWrites(client, { lingerMs: 50, pollMs: 20 }),
      // Every automation write joins a job here; the choice itself is tested below.
      chooser: createBatchChooser({
        budget: undefined,
        bucket: 'tickets-update',
        minConcurrent: 1,
      }),
    },
  });
});
afterEach(() => fake.close());

async function createTickets(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index++) {
    const created = await client.createTicket({ subject: `Order ${index}`, body: 'Where is it?' });
    if (!created.ok) throw new Error(created.error.message);
    ids.push(created.value.ticketId);
  }
  return ids;
}

async function writeAsAutomation(ticketId: number, write: CompiledWrite): Promise<WriteResult> {
  const loaded = await helpdesk.load(String(ticketId), {});
  if (!loaded.ok) throw new Error(loaded.error.message);
  return helpdesk.write(loaded.value, write, SCOPE);
}

function requestsSince(start: number): string[] {
  return fake.journal.slice(start).map((entry) => `${entry.method} ${entry.path}`);
}

function notesOn(ticketId: number): number {
  return fake.store
    .listComments(ticketId)
    .filter((comment) => !comment.public && comment.body === NOTE).length;
}

describe('automation writes as Zendesk bulk jobs', () => {
  it('writes 150 tickets with two update_many jobs and no single updates', async () => {
    const tickets = await createTickets(150);
    const start = fake.journal.length;
    const loaded = await Promise.all(
      tickets.map(async (id) => {
        const result = await helpdesk.load(String(id), {});
        if (!result.ok) throw new Error(result.error.message);
        return result.value;
      }),
    );
    const afterLoads = fake.journal.length;
    const results = await Promise.all(
      loaded.map((target) => helpdesk.write(target, WITH_NOTE, SCOPE)),
    );

    expect(results.every((result) => result.ok && result.written)).toBe(true);
    const writes = requestsSince(afterLoads).filter((line) => line.startsWith('PUT'));
    expect(writes).toEqual([
      'PUT /api/v2/tickets/update_many.json',
      'PUT /api/v2/tickets/update_many.json',
    ]);
    expect(
      requestsSince(start).filter((line) => line.includes('job_statuses')).length,
    ).toBeGreaterThan(0);
    for (const id of tickets) {
      const ticket = fake.store.findTicket(id);
      expect(ticket?.custom_fields.find((field) => field.id === PAYMENT)?.value).toBe('paid');
      expect(ticket?.tags).toContain('payment_checked');
      expect(notesOn(id)).toBe(1);
    }
  });

  it('sends each ticket its own safe_update stamp in the job', async () => {
    const [ticket] = await createTickets(1);
    const start = fake.journal.length;
    await writeAsAutomation(ticket as number, WITH_NOTE);
    const job = fake.journal
      .slice(start)
      .find((entry) => entry.path === '/api/v2/tickets/update_many.json');
    const sent = (job?.body as { tickets: Record<string, unknown>[] }).tickets;
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ id: ticket, safe_update: true });
    expect(typeof sent[0]?.updated_stamp).toBe('string');
  });

  it('coalesces two writes to one ticket into one job item, and both are told it was written', async () => {
    const [ticket] = await createTickets(1);
    const start = fake.journal.length;
    const [first, second] = await Promise.all([
      writeAsAutomation(ticket as number, WITH_NOTE),
      writeAsAutomation(ticket as number, TAG_ONLY),
    ]);
    expect(first).toMatchObject({ ok: true, written: true });
    expect(second).toMatchObject({ ok: true, written: true });
    const jobs = fake.journal
      .slice(start)
      .filter((entry) => entry.path === '/api/v2/tickets/update_many.json');
    expect(jobs).toHaveLength(1);
    expect((jobs[0]?.body as { tickets: unknown[] }).tickets).toHaveLength(1);
    expect(fake.store.findTicket(ticket as number)?.tags).toEqual(
      expect.arrayContaining(['payment_checked', 'vip_checked']),
    );
  });

  it('writes a ticket exactly once when the job’s answer is lost', async () => {
    const [ticket] = await createTickets(1);
    fake.faults.enqueue({
      method: 'PUT',
      pathPattern: '/tickets/update_many',
      loseResponse: true,
    });
    const start = fake.journal.length;

    const result = await writeAsAutomation(ticket as number, WITH_NOTE);

    expect(result).toMatchObject({ ok: true, written: true });
    // The job ran although its answer was lost; the single write with the loaded stamp was
    // refused (409) and the re-read found the change there, so the note is on once.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(notesOn(ticket as number)).toBe(1);
    expect(requestsSince(start)).toContain(`PUT /api/v2/tickets/${ticket}.json`);
  });

  it('reports a ticket the job could not update as rejected, and writes the others', async () => {
    const tickets = await createTickets(3);
    const loaded = await Promise.all(
      tickets.map(async (id) => {
        const result = await helpdesk.load(String(id), {});
        if (!result.ok) throw new Error(result.error.message);
        return result.value;
      }),
    );
    // The middle ticket is deleted after it was loaded.
    fake.store.data.tickets = fake.store.data.tickets.filter((t) => t.id !== tickets[1]);
    fake.store.save();

    const results = await Promise.all(
      loaded.map((target) => helpdesk.write(target, TAG_ONLY, SCOPE)),
    );

    expect(results[0]).toMatchObject({ ok: true, written: true });
    expect(results[2]).toMatchObject({ ok: true, written: true });
    expect(results[1]).toMatchObject({ ok: false });
  });

  it('applies a write on top of a colleague’s edit that the job refused as a conflict', async () => {
    const [ticket] = await createTickets(1);
    const loaded = await helpdesk.load(String(ticket), {});
    if (!loaded.ok) throw new Error(loaded.error.message);
    // A colleague edits the ticket after it was loaded: the job's stamp is stale.
    const edited = await client.updateTicket(ticket as number, { additionalTags: ['colleague'] });
    if (!edited.ok) throw new Error(edited.error.message);
    const start = fake.journal.length;

    const result = await helpdesk.write(loaded.value, WITH_NOTE, SCOPE);

    expect(result).toMatchObject({ ok: true, written: true });
    const puts = requestsSince(start).filter((line) => line.startsWith('PUT'));
    expect(puts).toEqual([
      'PUT /api/v2/tickets/update_many.json', // refused for this ticket: stale stamp
      `PUT /api/v2/tickets/${ticket}.json`, // alone, with the loaded stamp: 409
      `PUT /api/v2/tickets/${ticket}.json`, // on top of the colleague's version
    ]);
    expect(fake.store.findTicket(ticket as number)?.tags).toEqual(
      expect.arrayContaining(['colleague', 'payment_checked']),
    );
    expect(notesOn(ticket as number)).toBe(1);
  });

  it('leaves agents’ writes out of the jobs: their port has none', async () => {
    const agents = createZendeskHelpdesk(client);
    const [ticket] = await createTickets(1);
    const loaded = await agents.load(String(ticket), {});
    if (!loaded.ok) throw new Error(loaded.error.message);
    const start = fake.journal.length;
    await agents.write(loaded.value, WITH_NOTE, SCOPE);
    expect(requestsSince(start)).toEqual([`PUT /api/v2/tickets/${ticket}.json`]);
  });
});

describe('merging two writes to one ticket', () => {
  it('keeps later values and tag changes, and refuses two notes or two stamps', () => {
    expect(
      mergeTicketUpdates(
        {
          customFields: [{ id: 1, value: 'a' }],
          additionalTags: ['x'],
          internalNote: 'n',
          safeUpdateStamp: 's',
        },
        {
          customFields: [
            { id: 1, value: 'b' },
            { id: 2, value: 'c' },
          ],
          removeTags: ['x'],
          status: 'open',
          safeUpdateStamp: 's',
        },
      ),
    ).toEqual({
      customFields: [
        { id: 1, value: 'b' },
        { id: 2, value: 'c' },
      ],
      status: 'open',
      removeTags: ['x'],
      internalNote: 'n',
      safeUpdateStamp: 's',
    });
    expect(mergeTicketUpdates({ internalNote: 'a' }, { internalNote: 'b' })).toBeUndefined();
    expect(
      mergeTicketUpdates({ safeUpdateStamp: 'one' }, { safeUpdateStamp: 'two' }),
    ).toBeUndefined();
  });
});
