import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CompiledWrite } from '../../compile/compiled-model';
import { compileTestConnector } from '../../test-support/test-config';
import { startFakeZendesk } from '../../sandbox/fake-zendesk/fake-zendesk';
import type { RunningFakeZendesk } from '../../sandbox/fake-zendesk/fake-zendesk';
import { SANDBOX_FIELD_IDS } from '../../sandbox/seed/zendesk-seed';
import type { TicketUpdate, ZendeskClient } from './client/zendesk-client';
import { createZendeskHelpdesk } from './zendesk-helpdesk';
import { createSandboxZendeskClient } from '../../test-support/sandbox-zendesk-client';

/**
 * The Zendesk helpdesk's write when safe_update refuses it (409: the ticket changed since it
 * was loaded), against the fake Zendesk over HTTP. The helpdesk re-reads the ticket: an update
 * that already landed (a retried PUT whose first answer was lost) is reported written and not
 * sent again, so the internal note is not added twice; otherwise it is sent once more on top of
 * the newer version, and a second refusal is a WRITE_BACK_CONFLICT.
 */

const TICKET = 1;
const PAYMENT = SANDBOX_FIELD_IDS.paymentStatus;
const TICKET_PATH = `/api/v2/tickets/${TICKET}.json`;
const NOTE = 'Payment: paid.';

const WRITE: CompiledWrite = (() => {
  const connector = compileTestConnector({
    connector: {
      response: { outputs: [{ name: 'payment', path: 'payment' }] },
      writeBack: {
        success: {
          customFields: { [String(PAYMENT)]: '{{outputs.payment}}' },
          addTags: ['payment_checked'],
          internalNote: 'Payment: {{outputs.payment}}.',
        },
      },
    },
  });
  if (!connector.writeBack.success) throw new Error('success write-back did not compile');
  return connector.writeBack.success;
})();
const SCOPE = { inputs: {}, connection: {}, outputs: { payment: 'paid' } };
const CHANGES = {
  customFields: [{ id: PAYMENT, value: 'paid' }],
  additionalTags: ['payment_checked'],
  internalNote: NOTE,
};

let fake: RunningFakeZendesk;
let client: ZendeskClient;

beforeEach(async () => {
  fake = await startFakeZendesk();
  client = createSandboxZendeskClient(fake.baseUrl, {
    random: () => 0.5,
  });
});
afterEach(() => fake.close());

/**
 * The client, with a colleague who edits the ticket right after each time it is read: the first
 * of `edits` after the load, the next after the re-read, and so on.
 */
function clientWithColleague(edits: TicketUpdate[]): ZendeskClient {
  return {
    ...client,
    getTicketContext: async (ticketId, options) => {
      const context = await client.getTicketContext(ticketId, options);
      const edit = edits.shift();
      if (edit) {
        const edited = await client.updateTicket(ticketId, edit);
        if (!edited.ok) throw new Error(edited.error.message);
      }
      return context;
    },
  };
}

async function loadTicket(through: ZendeskClient = client) {
  const helpdesk = createZendeskHelpdesk(through);
  const loaded = await helpdesk.load(String(TICKET), {});
  if (!loaded.ok) throw new Error(loaded.error.message);
  const loadedVersion = loaded.value.version;
  if (loadedVersion === undefined) throw new Error('Zendesk tickets load with their updated_at');
  return { helpdesk, loaded: loaded.value, loadedVersion };
}

/** Requests the fake received since journal index `start`, as "METHOD path". */
function requestsSince(start: number): string[] {
  return fake.journal.slice(start).map((entry) => `${entry.method} ${entry.path}`);
}

/** The safe_update stamp of each PUT since `start` (undefined for a PUT without one). */
function stampsSince(start: number): unknown[] {
  return fake.journal
    .slice(start)
    .filter((entry) => entry.method === 'PUT')
    .map((entry) => (entry.body as { ticket?: { updated_stamp?: unknown } }).ticket?.updated_stamp);
}

function stored() {
  const ticket = fake.store.findTicket(TICKET);
  if (!ticket) throw new Error(`the seed has ticket ${TICKET}`);
  return {
    payment: ticket.custom_fields.find((field) => field.id === PAYMENT)?.value ?? null,
    status: ticket.status,
    tags: ticket.tags,
    updatedAt: ticket.updated_at,
    /** How often this write's note is on the ticket (the seed has other internal notes). */
    ourNotes: fake.store
      .listComments(TICKET)
      .filter((comment) => !comment.public && comment.body === NOTE).length,
  };
}

describe('a write refused with 409 because the ticket changed since it was loaded', () => {
  it('is reported written, and not sent again, when the re-read ticket already shows it', async () => {
    // The same change lands after the load (an earlier attempt of this write, or a colleague).
    const { helpdesk, loaded, loadedVersion } = await loadTicket(clientWithColleague([CHANGES]));
    const start = fake.journal.length;

    const result = await helpdesk.write(loaded, WRITE, SCOPE);

    expect(result).toEqual({ ok: true, written: true, changes: CHANGES });
    expect(requestsSince(start)).toEqual([
      `PUT ${TICKET_PATH}`, // refused: the ticket moved past the loaded version
      `GET ${TICKET_PATH}`, // the re-read: fields and tags already there
      `GET /api/v2/tickets/${TICKET}/comments.json`, // and the note, added since the load
    ]);
    expect(stampsSince(start)).toEqual([loadedVersion]);
    expect(stored()).toMatchObject({ payment: 'paid', ourNotes: 1 });
    // The loaded target is not changed by the write: a later write starts from a fresh load.
    expect(loaded.version).toBe(loadedVersion);
  });

  it('is reported written once when the first answer was lost and the retried PUT got 409', async () => {
    const { helpdesk, loaded, loadedVersion } = await loadTicket();
    const start = fake.journal.length;
    fake.faults.enqueue({ method: 'PUT', pathPattern: TICKET_PATH, loseResponse: true });

    const result = await helpdesk.write(loaded, WRITE, SCOPE);

    expect(result).toEqual({ ok: true, written: true, changes: CHANGES });
    expect(requestsSince(start)).toEqual([
      `PUT ${TICKET_PATH}`, // lands, but its answer is lost
      `PUT ${TICKET_PATH}`, // the client's retry, on the same stamp: 409
      `GET ${TICKET_PATH}`,
      `GET /api/v2/tickets/${TICKET}/comments.json`,
    ]);
    expect(stampsSince(start)).toEqual([loadedVersion, loadedVersion]);
    expect(stored()).toMatchObject({ payment: 'paid', ourNotes: 1 });
    expect(stored().tags).toContain('payment_checked');
    // The loaded target is not changed by the write: a later write starts from a fresh load.
    expect(loaded.version).toBe(loadedVersion);
  });

  it('is sent once more when the re-read ticket has its fields and tags but not its note', async () => {
    const { helpdesk, loaded, loadedVersion } = await loadTicket(
      clientWithColleague([
        { customFields: CHANGES.customFields, additionalTags: ['payment_checked'] },
      ]),
    );
    const afterColleague = stored().updatedAt;
    const start = fake.journal.length;

    const result = await helpdesk.write(loaded, WRITE, SCOPE);

    expect(result).toEqual({ ok: true, written: true, changes: CHANGES });
    expect(requestsSince(start)).toEqual([
      `PUT ${TICKET_PATH}`,
      `GET ${TICKET_PATH}`,
      `GET /api/v2/tickets/${TICKET}/comments.json`, // no note of ours since the load
      `PUT ${TICKET_PATH}`,
    ]);
    expect(stampsSince(start)).toEqual([loadedVersion, afterColleague]);
    expect(stored()).toMatchObject({ payment: 'paid', ourNotes: 1 });
  });

  it('is sent once more on the newer version when the re-read ticket holds other values', async () => {
    const { helpdesk, loaded, loadedVersion } = await loadTicket(
      clientWithColleague([{ status: 'pending' }]),
    );
    const afterColleague = stored().updatedAt;
    const start = fake.journal.length;

    const result = await helpdesk.write(loaded, WRITE, SCOPE);

    expect(result).toEqual({ ok: true, written: true, changes: CHANGES });
    expect(requestsSince(start)).toEqual([
      `PUT ${TICKET_PATH}`, // 409
      `GET ${TICKET_PATH}`, // the re-read: our payment is not there
      `PUT ${TICKET_PATH}`, // on the re-read version: lands
    ]);
    expect(stampsSince(start)).toEqual([loadedVersion, afterColleague]);
    expect(stored()).toMatchObject({ payment: 'paid', status: 'pending', ourNotes: 1 });
  });

  it('fails with WRITE_BACK_CONFLICT, leaving the other values alone, when the retry is refused too', async () => {
    // A colleague sets another payment status after our load, and edits again after our re-read.
    const { helpdesk, loaded, loadedVersion } = await loadTicket(
      clientWithColleague([
        { customFields: [{ id: PAYMENT, value: 'refunded' }] },
        { status: 'pending' },
      ]),
    );
    const afterFirstEdit = stored().updatedAt;
    const start = fake.journal.length;

    const result = await helpdesk.write(loaded, WRITE, SCOPE);

    expect(result).toEqual({
      ok: false,
      changes: CHANGES,
      error: {
        code: 'WRITE_BACK_CONFLICT',
        message: expect.stringMatching(/^Zendesk answered 409: .*UpdateConflict/),
      },
    });
    expect(requestsSince(start)).toEqual([
      `PUT ${TICKET_PATH}`, // ours, on the loaded version: 409
      `GET ${TICKET_PATH}`, // the re-read: payment "refunded", not ours
      `PUT ${TICKET_PATH}`, // the colleague's second edit
      `PUT ${TICKET_PATH}`, // ours, on the re-read version: 409 again
    ]);
    expect(stampsSince(start)).toEqual([loadedVersion, undefined, afterFirstEdit]);
    expect(stored()).toMatchObject({ payment: 'refunded', status: 'pending', ourNotes: 0 });
    expect(stored().tags).not.toContain('payment_checked');
    expect(loaded.version).toBe(loadedVersion);
  });
});
