/**
 * Seed data and sandbox credentials for the demo upstream (stand-ins for Shopify and Jira).
 * These tokens only open the local demo services; they are not secrets.
 */

export const SANDBOX_SHOPIFY_TOKEN = 'sandbox-shopify-token';

export const SANDBOX_JIRA_CREDENTIALS = Object.freeze({
  email: 'jira@sandbox.local',
  apiToken: 'sandbox-jira-token',
});

/** Project keys the demo Jira accepts. */
export const SANDBOX_JIRA_PROJECT_KEYS = Object.freeze(['SUP']);

export interface DemoFulfillment {
  id: number;
  status: 'success' | 'pending' | 'cancelled' | 'error' | 'failure';
  tracking_company: string | null;
  tracking_number: string | null;
  tracking_numbers: string[];
  tracking_url: string | null;
  created_at: string;
}

export interface DemoLineItem {
  id: number;
  title: string;
  quantity: number;
  price: string;
  sku: string;
}

/** The subset of Shopify's REST Order resource the examples read. */
export interface DemoOrder {
  id: number;
  name: string;
  order_number: number;
  email: string;
  financial_status:
    'pending' | 'authorized' | 'paid' | 'partially_refunded' | 'refunded' | 'voided';
  fulfillment_status: 'fulfilled' | 'partial' | 'restocked' | null;
  fulfillments: DemoFulfillment[];
  total_price: string;
  currency: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  cancelled_at: string | null;
  line_items: DemoLineItem[];
}

/** Fresh copies of the seed orders: #1001 shipped with tracking, #1002 paid but not shipped. */
export function buildDemoOrders(): DemoOrder[] {
  return [
    {
      id: 5500000001001,
      name: '#1001',
      order_number: 1001,
      email: 'maria@example.com',
      financial_status: 'paid',
      fulfillment_status: 'fulfilled',
      fulfillments: [
        {
          id: 4400000001001,
          status: 'success',
          tracking_company: 'UPS',
          tracking_number: '1Z999AA10123456784',
          tracking_numbers: ['1Z999AA10123456784'],
          tracking_url: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
          created_at: '2026-01-03T16:20:00Z',
        },
      ],
      total_price: '59.95',
      currency: 'USD',
      created_at: '2026-01-02T12:00:00Z',
      updated_at: '2026-01-03T16:20:00Z',
      closed_at: null,
      cancelled_at: null,
      line_items: [
        {
          id: 3300000001001,
          title: 'Canvas Tote Bag',
          quantity: 1,
          price: '24.95',
          sku: 'TOTE-01',
        },
        { id: 3300000001002, title: 'Enamel Mug', quantity: 2, price: '17.50', sku: 'MUG-02' },
      ],
    },
    {
      id: 5500000001002,
      name: '#1002',
      order_number: 1002,
      email: 'chen@example.com',
      financial_status: 'paid',
      fulfillment_status: null,
      fulfillments: [],
      total_price: '120.00',
      currency: 'USD',
      created_at: '2026-01-06T18:45:00Z',
      updated_at: '2026-01-06T18:45:00Z',
      closed_at: null,
      cancelled_at: null,
      line_items: [
        { id: 3300000002001, title: 'Wool Blanket', quantity: 1, price: '120.00', sku: 'BLNK-01' },
      ],
    },
  ];
}
