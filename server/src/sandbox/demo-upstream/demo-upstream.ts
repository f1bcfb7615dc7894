import { startOnLoopback } from '../listen-on-loopback';
import express from 'express';
import type { Express } from 'express';
import {
  SANDBOX_JIRA_CREDENTIALS,
  SANDBOX_JIRA_PROJECT_KEYS,
  SANDBOX_SHOPIFY_TOKEN,
  buildDemoOrders,
} from '../seed/demo-upstream-seed';
import type { DemoOrder } from '../seed/demo-upstream-seed';
import { createJiraIssuesRouter } from './jira-issues';
import type { CreatedIssue } from './jira-issues';
import { createShopifyOrdersRouter } from './shopify-orders';

/**
 * Stand-ins for the external systems the sandbox and the example connectors call: a Shopify-like
 * orders API and a Jira-like issue API. The server mounts it at `/sandbox/upstream`.
 */
export interface DemoUpstreamOptions {
  shopifyAccessToken?: string;
  jiraCredentials?: { email: string; apiToken: string };
  jiraProjectKeys?: readonly string[];
  orders?: DemoOrder[];
  now?: () => Date;
}

export interface OutageOptions {
  /** Which stand-in goes down (both when omitted). */
  service?: 'shopify' | 'jira';
  retryAfterSeconds?: number;
}

export interface UpstreamRequest {
  method: string;
  path: string;
  query: Record<string, unknown>;
}

export interface DemoUpstream {
  app: Express;
  orders: DemoOrder[];
  /** Issues created through the Jira stand-in, oldest first. */
  createdIssues: CreatedIssue[];
  /** Requests received (no headers, so no credentials), oldest first. */
  journal: UpstreamRequest[];
  /** Simulates an outage: 503 with Retry-After until switched off. */
  setOutage(on: boolean, options?: OutageOptions): void;
}

function serviceOf(path: string): 'shopify' | 'jira' | null {
  if (path.startsWith('/admin/api/')) return 'shopify';
  if (path.startsWith('/rest/api/')) return 'jira';
  return null;
}

export function createDemoUpstream(options: DemoUpstreamOptions = {}): DemoUpstream {
  const orders = options.orders ?? buildDemoOrders();
  const createdIssues: CreatedIssue[] = [];
  const journal: UpstreamRequest[] = [];
  let outage: (OutageOptions & { on: boolean }) | null = null;

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    journal.push({ method: req.method, path: req.path, query: { ...req.query } });
    // The sandbox runs for days; keep the journal bounded (tests only look at recent requests).
    if (journal.length > 2000) journal.splice(0, journal.length - 2000);
    const service = serviceOf(req.path);
    if (outage?.on && (outage.service === undefined || outage.service === service)) {
      res.setHeader('Retry-After', String(outage.retryAfterSeconds ?? 1));
      res.status(503).json({ errors: 'Service Unavailable' });
      return;
    }
    next();
  });
  app.use(
    createShopifyOrdersRouter({
      accessToken: options.shopifyAccessToken ?? SANDBOX_SHOPIFY_TOKEN,
      orders,
    }),
  );
  app.use(
    createJiraIssuesRouter({
      credentials: options.jiraCredentials ?? SANDBOX_JIRA_CREDENTIALS,
      projectKeys: options.jiraProjectKeys ?? SANDBOX_JIRA_PROJECT_KEYS,
      createdIssues,
      now: options.now ?? (() => new Date()),
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ errors: 'Not Found' });
  });

  return {
    app,
    orders,
    createdIssues,
    journal,
    setOutage(on, outageOptions = {}) {
      outage = on ? { ...outageOptions, on } : null;
    },
  };
}

export interface RunningDemoUpstream extends DemoUpstream {
  /** e.g. http://127.0.0.1:54321 */
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the demo upstream on its own port (0 = any free port) on 127.0.0.1, for tests. */
export async function startDemoUpstream(
  options: DemoUpstreamOptions & { port?: number } = {},
): Promise<RunningDemoUpstream> {
  const running = await startOnLoopback(createDemoUpstream(options), options.port);
  return { ...running, baseUrl: running.url };
}
