import type { Agent } from 'undici';
import { request } from 'undici';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { SANDBOX_ZENDESK_BASIC } from '../../server/src/test-support/fake-zendesk-calls';
import { ORDERS_PATH } from './instant-fakes';

interface TicketBody {
  ticket: { updated_at: string; custom_fields: { id: number; value: unknown }[] };
}

/** What one floor run saw: enough for the skeleton server to record the run as the log would. */
export interface FloorRunResult {
  ok: boolean;
  order: unknown;
  ordersUrl: string;
  ordersStatus: number;
  ordersText: string;
  changes: Record<string, unknown>;
}

/**
 * Checks of Zendesk's two answers, for the skeleton that also does what the design needs
 * (skeleton-child.ts, SKELETON_MUST_HAVES): a ticket that fails its check ends the run, an update
 * answer that fails makes it fail. The floor itself checks nothing.
 */
export interface ZendeskAnswerChecks {
  ticket(json: unknown): boolean;
  updated(json: unknown): boolean;
}

/**
 * The floor: the three HTTP calls of the example connector's run (GET ticket, GET orders, PUT
 * ticket), made with undici directly and nothing else: no validation, no log, no redaction.
 */
export function createFloorRun(fakesUrl: string, agent: Agent, checks?: ZendeskAnswerChecks) {
  const zendeskHeaders = { authorization: SANDBOX_ZENDESK_BASIC, accept: 'application/json' };
  return async (ticketId: number): Promise<FloorRunResult> => {
    const shown = await request(
      `${fakesUrl}/api/v2/tickets/${ticketId}.json?include=users%2Corganizations`,
      { dispatcher: agent, headers: zendeskHeaders },
    );
    const ticket = (await shown.body.json()) as TicketBody;
    if (checks && !checks.ticket(ticket)) {
      // As the server does: an answer that fails its schema ends the run before anything else.
      return {
        ok: false,
        order: undefined,
        ordersUrl: '',
        ordersStatus: 0,
        ordersText: '',
        changes: {},
      };
    }
    const order = ticket.ticket.custom_fields.find(
      (field) => field.id === SANDBOX_FIELD_IDS.orderNumber,
    )?.value;
    const query = new URLSearchParams({
      name: String(order),
      status: 'any',
      fields: 'id,name,financial_status,fulfillment_status,fulfillments,total_price,currency',
    });
    const ordersUrl = `${fakesUrl}${ORDERS_PATH}?${query}`;
    const upstream = await request(ordersUrl, {
      dispatcher: agent,
      headers: { 'x-shopify-access-token': 'sandbox-shopify-token', accept: 'application/json' },
    });
    const ordersText = await upstream.body.text();
    const orders = JSON.parse(ordersText) as {
      orders: { financial_status: string; fulfillment_status: string | null }[];
    };
    const first = orders.orders[0];
    const changes = {
      custom_fields: [
        { id: SANDBOX_FIELD_IDS.paymentStatus, value: first?.financial_status },
        {
          id: SANDBOX_FIELD_IDS.fulfillmentStatus,
          value: first?.fulfillment_status ?? 'unfulfilled',
        },
      ],
      remove_tags: ['order_not_found'],
    };
    const updated = await request(`${fakesUrl}/api/v2/tickets/${ticketId}.json`, {
      method: 'PUT',
      dispatcher: agent,
      headers: { ...zendeskHeaders, 'content-type': 'application/json' },
      body: JSON.stringify({
        ticket: { ...changes, safe_update: true, updated_stamp: ticket.ticket.updated_at },
      }),
    });
    const updatedJson: unknown = await updated.body.json();
    const updatedValid = checks ? checks.updated(updatedJson) : true;
    return {
      ok:
        shown.statusCode === 200 &&
        upstream.statusCode === 200 &&
        updated.statusCode === 200 &&
        updatedValid,
      order,
      ordersUrl,
      ordersStatus: upstream.statusCode,
      ordersText,
      changes,
    };
  };
}
