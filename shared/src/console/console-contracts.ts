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

/** An OAuth authorization code connection as the console shows it: its state, never a token. */
export interface ConsoleOAuthConnection {
  id: string;
  /** `needs_reconnect`: the authorization server refused its refresh token; runs fail until then. */
  state: 'not_connected' | 'connected' | 'needs_reconnect';
  /** Why it is not connected or needs reconnecting, in words. */
  reason?: string;
  connectedAt?: string;
  connectedBy?: string;
  /** Who consented, when the authorization server says (an id_token's email or name). */
  connectedAs?: string;
  /** While it needs reconnecting: since when. */
  since?: string;
  /** The redirect URI to register with the service (PUBLIC_URL + /oauth/callback). */
  redirectUri: string;
  /** The connectors that use it. */
  connectors: string[];
}

export interface ConsoleConnectionsAnswer {
  connections: ConsoleOAuthConnection[];
}

/** Where the console sends the admin's browser to consent. */
export interface ConsoleOAuthStartAnswer {
  authorizeUrl: string;
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

/** One input of a connector test: its value and where it came from, or what is wrong with it. */
export interface TestedInput {
  name: string;
  label: string;
  /** The value the run would use (masked for `redact` inputs); absent when there is none. */
  value?: unknown;
  /** Where it came from: "typed", the source path that had it, or "default". */
  from?: string;
  problem?: string;
}

/** What one response rule found (server/src/response/explain-response.ts). */
export interface TestedPath {
  /** `response.failWhen`, `response.emptyWhen`, `response.root`, or `outputs.<name>`. */
  rule: string;
  expression: string;
  found?: unknown;
  problem?: string;
  effect: string;
}

/** `POST /api/admin/console/connectors/:id/test` (server/src/runs/test-connector.ts). */
export interface ConsoleTestReport {
  connectorId: string;
  name: string;
  draft: boolean;
  target: { system: string; type: string; id: string; commentId?: string };
  inputs: TestedInput[];
  /** The request as it would be sent, secrets masked; absent when an input stops it. */
  request?: { method: string; url: string; headers: Record<string, string>; body?: string };
  /** Why the request could not be built (input problems), in words. */
  blocked?: string;
  mode: 'preview' | 'response' | 'send';
  sent: boolean;
  /** The dry run recorded when the request was sent. */
  runId?: string;
  answer?: {
    status: number;
    /** What the status means for the run. */
    statusEffect: string;
    outcome: 'success' | 'empty' | 'failed';
    emptyReason?: string;
    error?: { code: string; message: string };
    paths: TestedPath[];
    outputs: { name: string; label: string; path: string; value: unknown }[];
    /** The first 4 KiB of the body, secrets masked. */
    bodyExcerpt: string;
    /**
     * Outputs this answer could give (a JMESPath path per field, counts and joined lists for
     * arrays), marked `used` when the connector already reads that path: a connector's outputs
     * from the answer the admin just tested, instead of from a file.
     */
    suggestedOutputs: {
      name: string;
      label: string;
      path: string;
      type: string;
      example: unknown;
      used: boolean;
    }[];
  };
  /** What the run would write for this outcome: nothing is written by a test. */
  writeBack?: {
    outcome: 'success' | 'empty' | 'failure';
    /** Field by field, with the helpdesk's own names. */
    fields: { field: string; label: string; value: unknown }[];
    note?: string;
    error?: { code: string; message: string };
  };
}

/** `GET /api/admin/console/helpdesk-fields`: the fields a connector can write, to pick from. */
export interface ConsoleHelpdeskFieldsAnswer {
  fields: { key: string; label: string; type: string; writable: boolean }[];
}

/** `GET /api/admin/console/templates`: the template library, as its files describe it. */
export interface ConsoleTemplatesAnswer {
  templates: ConsoleTemplate[];
  /** Templates that did not load, and why. */
  issues: ConsoleIssue[];
}

export interface ConsoleTemplate {
  id: string;
  title: string;
  service: string;
  category: string;
  summary: string;
  auth: { type: string; why: string };
  sideEffects?: { what: string; guard: string };
  docs: { topic: string; title: string; url: string }[];
  parameters: {
    name: string;
    label: string;
    description: string;
    kind: 'text' | 'url' | 'zendeskTicketField' | 'salesforceField';
    required: boolean;
    default?: string;
    example?: string;
    salesforceObject?: string;
    fieldTypes?: string[];
  }[];
  secrets: { name: string; label: string; howToGet: string }[];
  connectionId: string;
  connectorId: string;
}

/**
 * A draft to review before it is saved (from a template, a curl command, an OpenAPI operation):
 * the connector and its connection as they would be added, the secrets to set and what to decide.
 */
export interface ConsoleDraftAnswer {
  connectionId: string;
  connection: Record<string, unknown>;
  connector: Record<string, unknown>;
  secrets: { name: string; label?: string; howToGet?: string; set: boolean }[];
  notes: string[];
  check: ConsoleCheckAnswer;
}
