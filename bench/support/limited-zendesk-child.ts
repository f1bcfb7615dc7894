import express from 'express';
import { createFakeZendesk } from '../../server/src/sandbox/fake-zendesk/fake-zendesk';
import { listenOnLoopback } from '../../server/src/sandbox/listen-on-loopback';
import { buildZendeskSeed, SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { answerParent } from './child-process';

/**
 * The sandbox's fake Zendesk, enforcing a plan's documented limits, in a process of its own,
 * with `BENCH_TICKETS` tickets that each name an order. Its "minute" lasts `BENCH_WINDOW_MS`, so
 * a burst that would take a quarter of an hour against a real account takes a minute or two; the
 * limits per window are the plan's.
 *
 * It counts what it answered, by kind of request and status, for the benchmark to read.
 */
const tickets = Number(process.env.BENCH_TICKETS ?? '1000');
const FIRST_TICKET_ID = 100_000;
const windowMs = Number(process.env.BENCH_WINDOW_MS ?? '60000');
/** A plan's name, or `unlimited` for benchmarks about something other than the limits. */
const plan = process.env.BENCH_PLAN ?? 'enterprise';

function seedWithTickets() {
  const seed = buildZendeskSeed();
  const template = seed.tickets[0];
  if (!template) throw new Error('the sandbox seed has no ticket');
  for (let index = 0; index < tickets; index += 1) {
    seed.tickets.push({
      ...structuredClone(template),
      id: FIRST_TICKET_ID + index,
      subject: `Where is order #${2000 + index}?`,
      tags: ['order', 'bench_ticket'],
      status: 'open',
      custom_fields: template.custom_fields.map((field) =>
        field.id === SANDBOX_FIELD_IDS.orderNumber ? { ...field, value: '#1001' } : { ...field },
      ),
    });
  }
  return seed;
}

const fake = createFakeZendesk({
  seed: seedWithTickets,
  limits:
    plan === 'unlimited'
      ? {
          requestsPerMinute: 100_000_000,
          ticketUpdatesPerMinute: null,
          ticketUpdatesPerUserPerTicket: null,
          windowMs,
        }
      : { plan: plan as 'enterprise', windowMs },
  jobDelayMs: 20,
});

const counts = new Map<string, number>();
const kindOf = (method: string, path: string): string => {
  if (path.includes('update_many')) return 'update_many';
  if (path.includes('job_statuses')) return 'job_status';
  if (method === 'PUT') return 'update_ticket';
  if (method === 'GET' && /\/tickets\/\d+/.test(path)) return 'show_ticket';
  return `${method} other`;
};
const app = express();
app.use((req, res, next) => {
  res.once('finish', () => {
    const key = `${kindOf(req.method, req.path)} ${res.statusCode}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  next();
});
app.use(fake.app);
const running = await listenOnLoopback(app);

answerParent((message) => {
  if (message.type === 'counts') return { counts: Object.fromEntries(counts) };
  if (message.type === 'reset-counts') counts.clear();
  if (message.type === 'count-written') {
    // The example lookup writes the payment status: tickets that have it were written.
    const written = fake.store.data.tickets.filter(
      (ticket) =>
        ticket.id >= FIRST_TICKET_ID &&
        ticket.custom_fields.some(
          (field) => field.id === SANDBOX_FIELD_IDS.paymentStatus && field.value !== null,
        ),
    ).length;
    return { written };
  }
  return {};
});
process.send?.({ type: 'ready', url: running.url, firstTicketId: FIRST_TICKET_ID });
process.once('SIGTERM', () => void running.close().then(() => process.exit(0)));
