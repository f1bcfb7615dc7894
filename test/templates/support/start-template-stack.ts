import request from 'supertest';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { SANDBOX_SALESFORCE_IDS } from '../../../server/src/sandbox/seed/salesforce-seed';
import { applyTemplate } from '../../../server/src/templates/apply-template';
import type { TemplateChoices } from '../../../server/src/templates/apply-template';
import { loadTemplates } from '../../../server/src/templates/load-templates';
import type { ConnectorTemplate } from '../../../shared/src/templates/template-schema';
import { SANDBOX_SECRETS, startTestStack } from '../../support/start-test-stack';
import type { FixtureServer } from './start-fixture-server';
import type { StackFakes, TestStack, TestStackOptions } from '../../support/start-test-stack';

/**
 * The whole service with one template added as its admin would add it (`connectors add`), its
 * connection pointed at a local fixture instead of the real service. The template is published
 * (not a draft) so runs go the way an agent's would: request, response rules, write-back, log.
 */
export interface TemplateStack {
  stack: TestStack;
  template: ConnectorTemplate;
  connectorId: string;
  /** Runs the connector on a sandbox ticket as the admin, confirming any side effect. */
  runOnTicket(
    ticketId: number,
    inputs?: Record<string, string | number | boolean>,
  ): Promise<request.Response>;
  /** Runs the connector on a sandbox Salesforce record as the sandbox rep, confirmed. */
  runOnRecord(
    objectApiName: string,
    recordId: string,
    inputs?: Record<string, string | number | boolean>,
  ): Promise<request.Response>;
  close(): Promise<void>;
}

export interface TemplateStackOptions {
  templateId: string;
  /**
   * Where the fixture listens; the template's base URL path is kept after it. A function picks
   * one of the stack's helpdesk fakes (the fake Zendesk plays Zendesk for a hand-over template).
   */
  fixtureBaseUrl: string | ((fakes: StackFakes) => string);
  choices?: TemplateChoices;
  /** Secret values by (chosen) name, over the sandbox's. */
  secrets?: Record<string, string>;
  stackOptions?: Omit<TestStackOptions, 'editConfig' | 'secrets'>;
  /**
   * Changes the connection as added, before the server loads it: an OAuth connection's token
   * and authorize URLs pointed at the fake authorization server, say.
   */
  editConnection?: (connection: Record<string, unknown>) => void;
}

export function findTemplate(id: string): ConnectorTemplate {
  const template = loadTemplates().templates.find((candidate) => candidate.id === id);
  if (!template)
    throw new Error(`no template ${id} (or it did not load: run connectors templates)`);
  return template;
}

export interface ConnectorStackOptions {
  connectionId: string;
  connection: Record<string, unknown>;
  connector: Record<string, unknown>;
  fixtureBaseUrl: TemplateStackOptions['fixtureBaseUrl'];
  secrets?: Record<string, string>;
  stackOptions?: TemplateStackOptions['stackOptions'];
  editConnection?: TemplateStackOptions['editConnection'];
}

/**
 * The whole service with one connection and connector added (from a template or a draft), the
 * connection pointed at a local fixture. The connector is published (`draft: false`).
 */
export async function startConnectorStack(
  options: ConnectorStackOptions,
): Promise<Omit<TemplateStack, 'template'>> {
  const { connectionId, connection } = options;
  const connector: Record<string, unknown> = { ...options.connector, draft: false };
  const stack = await startTestStack({
    ...options.stackOptions,
    secrets: { ...SANDBOX_SECRETS, ...options.secrets },
    editConfig: (config, fakes) => {
      const fixtureBaseUrl =
        typeof options.fixtureBaseUrl === 'string'
          ? options.fixtureBaseUrl
          : options.fixtureBaseUrl(fakes);
      const connections = config.connections as Record<string, unknown>;
      const pathPrefix = new URL(String(connection.baseUrl)).pathname.replace(/\/$/, '');
      const added: Record<string, unknown> = {
        ...structuredClone(connection),
        baseUrl: `${fixtureBaseUrl}${pathPrefix}`,
        allowedHosts: ['127.0.0.1'],
        allowPrivateNetwork: true,
      };
      options.editConnection?.(added);
      connections[connectionId] = added;
      (config.connectors as unknown[]).push(connector);
    },
  });
  const connectorId = String(connector.id);
  return {
    stack,
    connectorId,
    runOnTicket: (ticketId, inputs = {}) =>
      request(stack.url)
        .post(`/api/connectors/${connectorId}/run`)
        .set(stack.adminAuth)
        .send({ ticketId, inputs, confirmed: true }),
    runOnRecord: (objectApiName, recordId, inputs = {}) =>
      request(stack.url)
        .post(`/api/salesforce/connectors/${connectorId}/run`)
        .set(stack.salesforceAuth)
        .send({
          objectApiName,
          recordId,
          userId: SANDBOX_SALESFORCE_IDS.users.rep,
          inputs,
          confirmed: true,
        }),
    close: () => stack.close(),
  };
}

export async function startTemplateStack(options: TemplateStackOptions): Promise<TemplateStack> {
  const template = findTemplate(options.templateId);
  const applied = applyTemplate(template, { ...options.choices, draft: false });
  if (!applied.ok) throw new Error(`template ${template.id}: ${applied.error.message}`);
  const { connectionId, connection, connector } = applied.value;
  const started = await startConnectorStack({
    connectionId,
    connection,
    connector,
    fixtureBaseUrl: options.fixtureBaseUrl,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.stackOptions ? { stackOptions: options.stackOptions } : {}),
    ...(options.editConnection ? { editConnection: options.editConnection } : {}),
  });
  return { ...started, template };
}

/**
 * A template test's fixture and stack, with the hooks every such test needs: both start once;
 * after each test the fixture answers normally again (and `reset` puts back what the test
 * changed in it) and the fake Zendesk's tickets are the seeded ones; both close at the end.
 */
export function useTemplateStack<F extends FixtureServer>(
  startFixture: () => Promise<F>,
  options: (fixture: F) => TemplateStackOptions,
  reset?: (fixture: F) => void,
): { readonly fixture: F; readonly added: TemplateStack } {
  let fixture: F | undefined;
  let added: TemplateStack | undefined;
  beforeAll(async () => {
    fixture = await startFixture();
    added = await startTemplateStack(options(fixture));
  });
  afterAll(async () => {
    await added?.close();
    await fixture?.close();
  });
  afterEach(() => {
    if (fixture) {
      fixture.setMode('normal');
      reset?.(fixture);
    }
    added?.stack.zendesk.store.reset();
  });
  return {
    get fixture() {
      if (!fixture) throw new Error('the fixture starts in beforeAll');
      return fixture;
    },
    get added() {
      if (!added) throw new Error('the stack starts in beforeAll');
      return added;
    },
  };
}
