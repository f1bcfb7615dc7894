import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { DemoOrder } from '../seed/demo-upstream-seed';

/**
 * Orders in the shape of Shopify's Admin REST API (`GET /admin/api/{version}/orders.json`).
 * Behaviour that matters to connector authors, as Shopify documents it:
 * - auth is the `X-Shopify-Access-Token` header; a wrong one gets 401 with Shopify's body;
 * - `status` defaults to `open`; `any` includes closed and cancelled orders;
 * - `name` filters by the order name, which starts with `#`. An empty or missing `name` does not
 *   filter at all, so a client that forgets to percent-encode `#` (which then starts the URL
 *   fragment and never reaches the server) silently gets every order back.
 */
const INVALID_TOKEN_BODY = {
  errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
};

function equalToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function matchesStatus(order: DemoOrder, status: string): boolean {
  switch (status) {
    case 'any':
      return true;
    case 'closed':
      return order.closed_at !== null;
    case 'cancelled':
      return order.cancelled_at !== null;
    default:
      return order.closed_at === null && order.cancelled_at === null;
  }
}

export function createShopifyOrdersRouter(options: {
  accessToken: string;
  orders: DemoOrder[];
}): Router {
  const router = Router();
  router.use('/admin/api', (req, res, next) => {
    if (equalToken(req.get('X-Shopify-Access-Token'), options.accessToken)) return next();
    res.status(401).json(INVALID_TOKEN_BODY);
  });

  router.get('/admin/api/:version/orders.json', (req, res) => {
    const name = typeof req.query.name === 'string' ? req.query.name : '';
    const status = typeof req.query.status === 'string' ? req.query.status : 'open';
    const orders = options.orders.filter(
      (order) => (name === '' || order.name === name) && matchesStatus(order, status),
    );
    res.json({ orders: structuredClone(orders) });
  });

  router.get('/admin/api/:version/orders/:id.json', (req, res) => {
    const order = options.orders.find((entry) => String(entry.id) === req.params.id);
    if (!order) return res.status(404).json({ errors: 'Not Found' });
    res.json({ order: structuredClone(order) });
  });

  return router;
}
