import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runDraftCommand } from '../../server/src/cli/draft-command';
import { compileConfig } from '../../server/src/compile/compile-config';
import { loadConfigSource } from '../../server/src/config/load-config';
import { draftFromCurl } from '../../server/src/drafts/draft-from-curl';
import type { ConnectorDraft } from '../../server/src/drafts/draft-from-curl';
import { draftFromOpenApi, readOpenApi } from '../../server/src/drafts/draft-from-openapi';
import { parseCurl } from '../../server/src/drafts/parse-curl';
import { BUILT_IN_CONFIG_FORMAT } from '../../server/src/helpdesks/helpdesk-registry';
import { createSecretSource } from '../../server/src/secrets/secret-source';
import { compileTestConfig } from '../../server/src/test-support/test-config';
import { GITHUB_TOKEN, startGithubFixture } from '../templates/fixtures/github-fixture';
import type { GithubFixture } from '../templates/fixtures/github-fixture';
import { STRIPE_KEY, startStripeFixture } from '../templates/fixtures/stripe-fixture';
import type { StripeFixture } from '../templates/fixtures/stripe-fixture';
import { startConnectorStack } from '../templates/support/start-template-stack';

/**
 * Issue 14, "Done when": connectors drafted from Stripe's and GitHub's own OpenAPI documents
 * (trimmed, test/drafts/openapi/README.md), from curl commands as their docs print them
 * (test/drafts/curl), and from their docs' example responses (test/drafts/samples) pass the
 * config check or say exactly what is left to fill in, and run against the fixtures that answer
 * as those services do.
 */

const OUTPUTS_FROM_SCHEMA =
  'The outputs are suggested from the response schema: keep the ones to show or write back.';
const BODY_INPUTS =
  'Each body property became a typed-in input; give inputs a "source" (a ticket field) where the ticket holds the value, and drop the optional ones you do not need.';
const NO_SECURITY =
  'The document declares no security scheme: if the API needs credentials, set "auth" on the connection by hand (secrets go only in headers or the auth).';
const ADD_OUTPUTS =
  'Add "response.outputs" for the values to show or write back (npm run connectors -- draft --response FILE suggests them from a sample answer).';
const STRIPE_KEY_AS_USERNAME =
  'The command sent a key as the Basic username with no password (-u KEY:): set STRIPE_API_KEY.';
const GITHUB_BEARER = { type: 'bearer', token: '{{secrets.GITHUB_TOKEN}}' };

interface CurlCase {
  id: string;
  source: string;
  command: string;
}
const CURLS = JSON.parse(
  readFileSync('test/drafts/curl/docs-curl-commands.json', 'utf8'),
) as CurlCase[];

function draftFromDocument(service: 'stripe' | 'github', operation: string): ConnectorDraft {
  const doc = readOpenApi(readFileSync(`test/drafts/openapi/${service}.trimmed.json`, 'utf8'));
  if (!doc.ok) throw new Error(doc.error.message);
  const drafted = draftFromOpenApi(doc.value, operation);
  if (!drafted.ok) throw new Error(drafted.error.message);
  return drafted.value;
}

function draftFromDocsCurl(id: string): ConnectorDraft {
  const found = CURLS.find((entry) => entry.id === id);
  if (!found) throw new Error(`no curl command ${id}`);
  const parsed = parseCurl(found.command);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return draftFromCurl(parsed.value);
}

/** The config check of the draft as added, no secret set: its problems as "path: message". */
function checkDraft(draft: ConnectorDraft): string[] {
  const compiled = compileTestConfig(
    { connections: { [draft.connectionId]: draft.connection }, connectors: [draft.connector] },
    {},
  );
  const issues = compiled.ok ? compiled.value.warnings : compiled.error.issues;
  return issues.map(
    (issue) =>
      `${issue.path.join('.')}${issue.severity === 'warning' ? ' (warning)' : ''}: ${issue.message}`,
  );
}

const missingSecret = (connection: string, name: string) =>
  `connections.${connection} (warning): secret ${name} is not set; connectors using connection "${connection}" cannot run`;

type Run = (
  inputs?: Record<string, string | number | boolean>,
  ticketId?: number,
) => Promise<{ outcome: string; outputs: Record<string, unknown>; body: Record<string, unknown> }>;

/** Adds the draft (after the admin's edits) to a running server pointed at the fixture. */
async function withDraft(
  draft: ConnectorDraft,
  fixture: { baseUrl: string },
  secrets: Record<string, string>,
  use: (run: Run) => Promise<void>,
): Promise<void> {
  const started = await startConnectorStack({
    connectionId: draft.connectionId,
    connection: draft.connection,
    connector: draft.connector,
    fixtureBaseUrl: fixture.baseUrl,
    secrets,
  });
  try {
    await use(async (inputs = {}, ticketId = 1) => {
      const res = await started.runOnTicket(ticketId, inputs);
      const body = res.body as Record<string, unknown>;
      const outputs = Object.fromEntries(
        ((body.outputs as { name: string; value: unknown }[] | undefined) ?? []).map((o) => [
          o.name,
          o.value,
        ]),
      );
      return { outcome: String(body.outcome), outputs, body };
    });
  } finally {
    await started.close();
  }
}

let stripe: StripeFixture;
let github: GithubFixture;

beforeAll(async () => {
  stripe = await startStripeFixture();
  github = await startGithubFixture();
});
afterAll(async () => {
  await stripe?.close();
  await github?.close();
});
afterEach(() => {
  stripe.setMode('normal');
  github.setMode('normal');
});

describe("drafts from Stripe's OpenAPI document", () => {
  it('GetChargesSearch: bearer key, expand as expand[], runs a search', async () => {
    const draft = draftFromDocument('stripe', 'GetChargesSearch');
    expect(draft.connection).toEqual({
      baseUrl: 'https://api.stripe.com',
      auth: { type: 'bearer', token: '{{secrets.STRIPE_TOKEN}}' },
      headers: { 'User-Agent': 'data-connectors' },
    });
    expect(draft.connector.request).toEqual({
      method: 'GET',
      path: '/v1/charges/search',
      query: {
        'expand[]': '{{inputs.expand}}',
        limit: '{{inputs.limit}}',
        page: '{{inputs.page}}',
        query: '{{inputs.query}}',
      },
    });
    expect(draft.notes).toEqual([OUTPUTS_FROM_SCHEMA]);
    expect(checkDraft(draft)).toEqual([missingSecret('stripe', 'STRIPE_TOKEN')]);

    await withDraft(draft, stripe, { STRIPE_TOKEN: STRIPE_KEY }, async (run) => {
      const result = await run({
        query: "billing_details.email:'maria@example.com'",
        expand: 'data.customer',
        limit: 2,
      });
      expect(result.outcome).toBe('success');
      expect(result.outputs).toMatchObject({ data_count: 2 });
      expect(stripe.journal.at(-1)?.query).toEqual({
        query: "billing_details.email:'maria@example.com'",
        'expand[]': 'data.customer',
        limit: '2',
      });
    });
  });

  it('GetCustomers: the email filter alone is sent when the other inputs are empty', async () => {
    const draft = draftFromDocument('stripe', 'GetCustomers');
    expect(draft.notes).toEqual([OUTPUTS_FROM_SCHEMA]);
    expect(checkDraft(draft)).toEqual([missingSecret('stripe', 'STRIPE_TOKEN')]);
    await withDraft(draft, stripe, { STRIPE_TOKEN: STRIPE_KEY }, async (run) => {
      const result = await run({ email: 'maria@example.com' });
      expect(result.outcome).toBe('success');
      expect(result.outputs).toMatchObject({ data_count: 1, data_names: 'Maria Lopez' });
      expect(stripe.journal.at(-1)?.query).toEqual({ email: 'maria@example.com' });
    });
  });

  it('PostRefunds: a form body of the given fields, metadata left to the admin', async () => {
    const draft = draftFromDocument('stripe', 'PostRefunds');
    expect(draft.connector).toMatchObject({
      confirm: true,
      request: {
        method: 'POST',
        path: '/v1/refunds',
        body: {
          type: 'form',
          value: {
            amount: '{{inputs.amount}}',
            charge: '{{inputs.charge}}',
            'expand[]': '{{inputs.expand}}',
            payment_intent: '{{inputs.payment_intent}}',
            reason: '{{inputs.reason}}',
            refund_application_fee: '{{inputs.refund_application_fee}}',
            reverse_transfer: '{{inputs.reverse_transfer}}',
          },
        },
      },
    });
    expect(draft.notes).toEqual([
      BODY_INPUTS,
      'Left out of the body because one input cannot fill them: metadata. Add them to "request.body" by hand if you need them (form fields such as metadata[key]).',
      OUTPUTS_FROM_SCHEMA,
    ]);
    expect(checkDraft(draft)).toEqual([missingSecret('stripe', 'STRIPE_TOKEN')]);
    await withDraft(draft, stripe, { STRIPE_TOKEN: STRIPE_KEY }, async (run) => {
      const result = await run({ charge: 'ch_1NirD82eZvKYlo2CIvbtLWuY', amount: 300 });
      expect(result.outcome).toBe('success');
      expect(result.outputs).toMatchObject({ amount: 300, charge: 'ch_1NirD82eZvKYlo2CIvbtLWuY' });
      // Empty optional inputs are left out: Stripe refuses `payment_intent=` as an unset.
      expect(stripe.journal.at(-1)?.body).toEqual({
        amount: '300',
        charge: 'ch_1NirD82eZvKYlo2CIvbtLWuY',
      });
    });
  });

  it('GetCustomersCustomer: a customer Stripe does not have is "empty"', async () => {
    const draft = draftFromDocument('stripe', 'GetCustomersCustomer');
    expect(draft.connector.request).toEqual({
      method: 'GET',
      path: '/v1/customers/{{inputs.customer}}',
      query: { 'expand[]': '{{inputs.expand}}' },
    });
    expect(checkDraft(draft)).toEqual([missingSecret('stripe', 'STRIPE_TOKEN')]);
    await withDraft(draft, stripe, { STRIPE_TOKEN: STRIPE_KEY }, async (run) => {
      expect((await run({ customer: 'cus_NffrFeUfNV2Hib' })).outputs).toMatchObject({
        created: 1680893993,
        delinquent: false,
      });
      expect((await run({ customer: 'cus_0000NoSuchOne' })).outcome).toBe('empty');
    });
  });

  it('fails with Stripe’s 401 until the secret it names holds a valid key', async () => {
    const draft = draftFromDocument('stripe', 'GetCustomers');
    await withDraft(draft, stripe, { STRIPE_TOKEN: 'rk_test_revoked' }, async (run) => {
      const result = await run({ email: 'maria@example.com' });
      expect(result.body).toMatchObject({
        outcome: 'failed',
        error: {
          code: 'UPSTREAM_HTTP_ERROR',
          message: 'the API answered 401: Invalid API Key provided: rk_test_****0000',
        },
      });
    });
  });
});

describe("drafts from GitHub's OpenAPI document", () => {
  it('issues/create: says the auth is to be set, and creates the issue once it is', async () => {
    const draft = draftFromDocument('github', 'issues/create');
    expect(draft.connection.auth).toEqual({ type: 'none' });
    expect(draft.connector).toMatchObject({
      confirm: true,
      request: {
        method: 'POST',
        path: '/repos/{{inputs.owner}}/{{inputs.repo}}/issues',
        body: {
          type: 'json',
          value: {
            title: '{{inputs.title}}',
            body: '{{inputs.body}}',
            assignee: '{{inputs.assignee}}',
            milestone: '{{inputs.milestone}}',
          },
        },
      },
    });
    expect(draft.notes).toEqual([
      BODY_INPUTS,
      'Left out of the body because one input cannot fill them: labels, assignees. Add them to "request.body" by hand if you need them.',
      NO_SECURITY,
      OUTPUTS_FROM_SCHEMA,
    ]);
    expect(checkDraft(draft)).toEqual([]);
    const inputs = { owner: 'octocat', repo: 'Hello-World', title: 'Found a bug', body: 'Steps…' };

    await withDraft(draft, github, {}, async (run) => {
      const result = await run(inputs);
      expect(result.body).toMatchObject({
        outcome: 'failed',
        error: { message: 'the API answered 401: Bad credentials' },
      });
    });
    const withAuth = { ...draft, connection: { ...draft.connection, auth: GITHUB_BEARER } };
    await withDraft(withAuth, github, { GITHUB_TOKEN }, async (run) => {
      const result = await run(inputs);
      expect(result.outcome).toBe('success');
      expect(result.outputs).toMatchObject({
        title: 'Found a bug',
        state: 'open',
        repository_url: 'https://api.github.com/repos/octocat/Hello-World',
      });
      expect(github.journal.at(-1)).toMatchObject({
        path: '/repos/octocat/Hello-World/issues',
        headers: { 'user-agent': 'data-connectors' },
        body: { title: 'Found a bug', body: 'Steps…', assignee: null, milestone: null },
      });
    });
  });

  it('issues/get: reads an issue, and a number GitHub does not know is "empty"', async () => {
    const draft = draftFromDocument('github', 'issues/get');
    expect(draft.notes).toEqual([NO_SECURITY, OUTPUTS_FROM_SCHEMA]);
    expect(checkDraft(draft)).toEqual([]);
    const withAuth = { ...draft, connection: { ...draft.connection, auth: GITHUB_BEARER } };
    const created = github.issues.at(-1) as { number: number };
    await withDraft(withAuth, github, { GITHUB_TOKEN }, async (run) => {
      const base = { owner: 'octocat', repo: 'Hello-World' };
      const found = await run({ ...base, issue_number: created.number });
      expect(found.outputs).toMatchObject({ number: created.number, title: 'Found a bug' });
      expect((await run({ ...base, issue_number: 999999 })).outcome).toBe('empty');
    });
  });
});

describe('drafts from curl commands as the docs print them', () => {
  it('keeps at least five commands, each with the page it was copied from', () => {
    expect(CURLS.length).toBeGreaterThanOrEqual(5);
    for (const entry of CURLS)
      expect(entry.source).toMatch(/^https:\/\/docs\.(stripe|github)\.com\//);
  });

  it('Stripe, list customers: -u KEY: becomes Basic auth with the key as a secret', async () => {
    const draft = draftFromDocsCurl('stripe_list_customers');
    expect(draft.connection.auth).toEqual({
      type: 'basic',
      username: '{{secrets.STRIPE_API_KEY}}',
      password: '',
    });
    expect(draft.notes).toEqual([
      STRIPE_KEY_AS_USERNAME,
      'Query values are copied as written (limit): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.',
      ADD_OUTPUTS,
    ]);
    expect(checkDraft(draft)).toEqual([missingSecret('stripe', 'STRIPE_API_KEY')]);
    await withDraft(draft, stripe, { STRIPE_API_KEY: STRIPE_KEY }, async (run) => {
      expect((await run()).outcome).toBe('success');
      const sent = stripe.journal.at(-1);
      expect(sent?.query).toEqual({ limit: '3' });
      expect(sent?.headers.authorization).toBe(
        `Basic ${Buffer.from(`${STRIPE_KEY}:`).toString('base64')}`,
      );
    });
  });

  it('Stripe, search charges: the --data-urlencode query arrives as written', async () => {
    const draft = draftFromDocsCurl('stripe_search_charges');
    expect(draft.connector.request).toEqual({
      method: 'GET',
      path: '/v1/charges/search',
      query: { query: "amount>999 AND metadata['order_id']:'6735'" },
    });
    expect(checkDraft(draft)).toEqual([missingSecret('stripe', 'STRIPE_API_KEY')]);
    await withDraft(draft, stripe, { STRIPE_API_KEY: STRIPE_KEY }, async (run) => {
      expect((await run()).outcome).toBe('success');
      expect(stripe.journal.at(-1)?.query).toEqual({
        query: "amount>999 AND metadata['order_id']:'6735'",
      });
    });
  });

  it('Stripe, create a refund: the charge id stays in the form body', async () => {
    const draft = draftFromDocsCurl('stripe_create_refund');
    expect(draft.connector).toMatchObject({
      confirm: true,
      request: { body: { type: 'form', value: { charge: 'ch_1NirD82eZvKYlo2CIvbtLWuY' } } },
    });
    expect(draft.notes).toEqual([
      STRIPE_KEY_AS_USERNAME,
      'Body values are copied as written (charge): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.',
      ADD_OUTPUTS,
    ]);
    expect(checkDraft(draft)).toEqual([missingSecret('stripe', 'STRIPE_API_KEY')]);
    await withDraft(draft, stripe, { STRIPE_API_KEY: STRIPE_KEY }, async (run) => {
      expect((await run()).outcome).toBe('success');
      expect(stripe.journal.at(-1)).toMatchObject({
        method: 'POST',
        path: '/v1/refunds',
        body: { charge: 'ch_1NirD82eZvKYlo2CIvbtLWuY' },
      });
    });
  });

  it('Stripe, idempotent request: a fixed key is flagged, and shown to replay the first answer', async () => {
    const draft = draftFromDocsCurl('stripe_idempotent_request');
    expect(draft.notes).toEqual([
      STRIPE_KEY_AS_USERNAME,
      'The Idempotency-Key header is fixed text ("KG5LxwFBepaKHyUD"): every run would send the same key and get the first run\'s answer back. Build it from the ticket instead, e.g. "zendesk-{{inputs.ticket_id}}-<what it does>", with a ticket_id input (source ticket.id).',
      'Body values are copied as written (description): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.',
      ADD_OUTPUTS,
    ]);
    expect(checkDraft(draft)).toEqual([missingSecret('stripe', 'STRIPE_API_KEY')]);
    await withDraft(draft, stripe, { STRIPE_API_KEY: STRIPE_KEY }, async (run) => {
      const before = stripe.customersCreated.length;
      expect((await run({}, 1)).outcome).toBe('success');
      expect((await run({}, 2)).outcome).toBe('success');
      expect(stripe.customersCreated.length - before).toBe(1);
    });
  });

  it('GitHub, create an issue: placeholders named, and it runs once they are inputs', async () => {
    const draft = draftFromDocsCurl('github_create_issue');
    expect(draft.connection.auth).toEqual(GITHUB_BEARER);
    expect(draft.connector.request).toEqual({
      method: 'POST',
      path: '/repos/OWNER/REPO/issues',
      headers: { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28' },
      body: {
        type: 'json',
        value: {
          title: 'Found a bug',
          body: "I'm having a problem with this.",
          assignees: ['octocat'],
          milestone: 1,
          labels: ['bug'],
        },
      },
    });
    expect(draft.notes).toEqual([
      'Body values are copied as written (title, body, assignees, milestone, labels): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.',
      'The path holds "OWNER", "REPO": if it changes per ticket, replace it with {{inputs.…}} and declare the input (its value is percent-encoded).',
      ADD_OUTPUTS,
    ]);
    expect(checkDraft(draft)).toEqual([missingSecret('github', 'GITHUB_TOKEN')]);
    const filled = withPathInputs(draft, '/repos/{{inputs.owner}}/{{inputs.repo}}/issues', [
      'owner',
      'repo',
    ]);
    await withDraft(filled, github, { GITHUB_TOKEN }, async (run) => {
      expect((await run({ owner: 'octocat', repo: 'Hello-World' })).outcome).toBe('success');
      expect(github.journal.at(-1)).toMatchObject({
        path: '/repos/octocat/Hello-World/issues',
        headers: {
          accept: 'application/vnd.github+json',
          'x-github-api-version': '2022-11-28',
          authorization: `Bearer ${GITHUB_TOKEN}`,
        },
        body: { title: 'Found a bug', labels: ['bug'], milestone: 1 },
      });
    });
  });

  it('GitHub, get an issue: runs once OWNER, REPO and ISSUE_NUMBER are inputs', async () => {
    const draft = draftFromDocsCurl('github_get_issue');
    expect(draft.notes).toEqual([
      'The path holds "OWNER", "REPO", "ISSUE_NUMBER": if it changes per ticket, replace it with {{inputs.…}} and declare the input (its value is percent-encoded).',
      ADD_OUTPUTS,
    ]);
    expect(checkDraft(draft)).toEqual([missingSecret('github', 'GITHUB_TOKEN')]);
    const filled = withPathInputs(
      draft,
      '/repos/{{inputs.owner}}/{{inputs.repo}}/issues/{{inputs.issue_number}}',
      ['owner', 'repo', 'issue_number'],
    );
    const created = github.issues.at(-1) as { number: number };
    await withDraft(filled, github, { GITHUB_TOKEN }, async (run) => {
      const found = await run({
        owner: 'octocat',
        repo: 'Hello-World',
        issue_number: created.number,
      });
      expect(found.outcome).toBe('success');
      expect(github.journal.at(-1)?.path).toBe(
        `/repos/octocat/Hello-World/issues/${created.number}`,
      );
    });
  });
});

/** What the placeholder note asks the admin to do: the path from inputs the agent types. */
function withPathInputs(draft: ConnectorDraft, path: string, names: string[]): ConnectorDraft {
  const request = draft.connector.request as Record<string, unknown>;
  return {
    ...draft,
    connector: {
      ...draft.connector,
      inputs: names.map((name) => ({ name, prompt: true })),
      request: { ...request, path },
    },
  };
}

describe('npm run connectors -- draft, on the real documents and sample answers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drafts-real-docs-'));
  const configPath = join(dir, 'connectors.json');
  writeFileSync(configPath, '{\n  "connections": {},\n  "connectors": []\n}\n');
  const format = BUILT_IN_CONFIG_FORMAT;
  const deps = {
    configPath,
    validate: (overrides: ReadonlyMap<string, string>) =>
      loadConfigSource(
        configPath,
        {
          schema: format.schemas.connectorConfigSchema,
          compile: (config) => compileConfig(config, { format, secrets: createSecretSource({}) }),
        },
        overrides,
      ),
  };
  const draftJson = (stdout: string) =>
    JSON.parse(stdout.slice(stdout.indexOf('{'), stdout.indexOf('\n}\n') + 2)) as {
      connections: Record<string, Record<string, unknown>>;
      connectors: Record<string, unknown>[];
    };

  it('--openapi FILE --operation ID drafts PostRefunds and names what to set', async () => {
    const out = await runDraftCommand(
      ['--openapi', 'test/drafts/openapi/stripe.trimmed.json', '--operation', 'PostRefunds'],
      deps,
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(
      'Secrets to set (in the secrets file or as SECRET_<NAME>): STRIPE_TOKEN\n',
    );
    expect(out.stdout).toContain(`Checked with ${configPath}: it loads, with what to fill in:\n`);
    expect(out.stdout).toContain(
      'warning: secret STRIPE_TOKEN is not set; connectors using connection "stripe" cannot run',
    );
    expect(draftJson(out.stdout).connectors[0]).toMatchObject({ id: 'post_refunds', draft: true });
  });

  it('--curl with --response takes the outputs from the docs’ example answer, and they read the fixture’s', async () => {
    const command = CURLS.find((entry) => entry.id === 'stripe_search_charges')?.command ?? '';
    const out = await runDraftCommand(
      ['--curl', command, '--response', 'test/drafts/samples/stripe-charges-search.json'],
      deps,
    );
    expect(out.code).toBe(0);
    const drafted = draftJson(out.stdout);
    const connector = drafted.connectors[0] as { response: { outputs: { path: string }[] } };
    expect(connector.response.outputs.map((o) => o.path)).toEqual([
      'object',
      'url',
      'has_more',
      'length(data)',
      "join(', ', data[].id)",
      'data[0].amount',
      'data[0].amount_captured',
      'data[0].amount_refunded',
      'data[0].balance_transaction',
      'data[0].billing_details.name',
      'data[0].captured',
      'data[0].created',
    ]);
    expect(out.stdout).not.toContain(ADD_OUTPUTS);
    const draft: ConnectorDraft = {
      connectionId: 'stripe',
      connection: drafted.connections.stripe as Record<string, unknown>,
      connector: drafted.connectors[0] as Record<string, unknown>,
      secrets: ['STRIPE_API_KEY'],
      notes: [],
    };
    await withDraft(draft, stripe, { STRIPE_API_KEY: STRIPE_KEY }, async (run) => {
      const result = await run();
      expect(result.outcome).toBe('success');
      expect(result.outputs).toMatchObject({
        data_count: 1,
        data_ids: 'ch_3MmlLrLkdIwHu7ix0snN0B15',
        data_first_amount: 1099,
        data_first_billing_details_name: 'M LOPEZ',
      });
    });
  });

  it('--response FILE suggests outputs from the docs’ example answers', async () => {
    const refund = await runDraftCommand(
      ['--response', 'test/drafts/samples/stripe-refund.json'],
      deps,
    );
    expect(refund.stdout).toContain(
      '{"name":"id","label":"Id","path":"id","type":"string"}   e.g. "re_1KnYOVARuRTs9TwL4WnZApSp"',
    );
    const issue = await runDraftCommand(
      ['--response', 'test/drafts/samples/github-issue.json'],
      deps,
    );
    expect(issue.stdout).toContain(
      '{"name":"number","label":"Number","path":"number","type":"integer"}   e.g. 1347',
    );
    expect(issue.stdout).toContain(
      '{"name":"html_url","label":"Html url","path":"html_url","type":"string"}   e.g. "https://github.com/octocat/Hello-World/issues/1347"',
    );
  });
});
