/**
 * What the admin console (admin-console/) reads from the server's /api/admin/console routes.
 * Types only: the console bundles nothing from here, and the server builds these shapes.
 */

export type ConnectorState = 'live' | 'draft' | 'disabled' | 'unavailable' | 'paused';

export interface ConsoleConnector {
  id: string;
  name: string;
  description?: string;
  state: ConnectorState;
  /** Why it is not live, in words ("Secret SHOPIFY_TOKEN is missing", "Paused by the admin"). */
  stateReason?: string;
  surfaces: string[];
  connection: string;
  method: string;
  /** The config file that holds it. */
  file?: string;
  /** Real runs (dry runs left out) in the last 24 hours, and how many failed. */
  last24h: { runs: number; failed: number };
  lastRun?: {
    id: string;
    startedAt: string;
    outcome: 'success' | 'empty' | 'failed';
    dryRun: boolean;
  };
}

export interface ConsoleConnectorsAnswer {
  connectors: ConsoleConnector[];
  config: { ok: boolean; loadedAt?: string; files: string[]; errors: ConsoleIssue[] };
}

export interface ConsoleIssue {
  file: string;
  path: string;
  message: string;
  hint: string;
  line?: number;
  column?: number;
  severity?: 'error' | 'warning';
}

export interface ConsoleConnectorSource {
  id: string;
  file: string;
  index: number;
  connector: unknown;
  fileHash: string;
}

export interface ConsoleCheckAnswer {
  ok: boolean;
  file?: string;
  issues: ConsoleIssue[];
}

export interface ConsoleSettings {
  user: string;
  mode: 'sandbox' | 'live';
  retentionDays: number;
  configPath: string;
  helpdesks: string[];
  /** The sandbox's ticket ids to test against, when there is a sandbox. */
  sandbox: boolean;
}
