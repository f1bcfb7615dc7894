import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorDraft } from '../../server/src/drafts/draft-from-curl';
import { DRAFT_USER_AGENT, draftFromCurl } from '../../server/src/drafts/draft-from-curl';
import { draftFromOpenApi, readOpenApi } from '../../server/src/drafts/draft-from-openapi';
import { parseCurl } from '../../server/src/drafts/parse-curl';
import { suggestOutputs } from '../../server/src/drafts/suggest-outputs';
import { compileTestConfig } from '../../server/src/test-support/test-config';
import { runConnectorsCli } from '../cli/cli-support';
import {
  ASANA_TOKEN,
  ASANA_WORKSPACE_GID,
  startAsanaFixture,
} from '../templates/fixtures/asana-fixture';
import {
  JIRA_API_TOKEN,
  JIRA_EMAIL,
  JIRA_KNOWN_ISSUE,
  startJiraFixture,
} from '../templates/fixtures/jira-fixture';
import {
  TRELLO_API_KEY,
  TRELLO_LIST_ID,
  TRELLO_TOKEN,
  startTrelloFixture,
} from '../templates/fixtures/trello-fixture';
import type { FixtureServer } from '../templates/support/start-fixture-server';
import { startConnectorStack } from '../templates/support/start-template-stack';
import { findDocsCurlCommand } from './docs-curl-commands';

/**
 * Drafts from what Jira, Asana and Trello publish: Jira Cloud's OpenAPI document (trimmed to the
 * operations used), curl commands as their docs print them, and the docs' example answers. Each
 * draft is checked as the server would load it, what the admin must still decide is asserted word
 * for word, and the drafted connector runs against the fixture that answers as the service does.
 */

const JIRA_OPENAPI = 'test/drafts/openapi/jira.trimmed.json';
const ASANA_OPENAPI = 'test/drafts/openapi/asana.trimmed.json';
const JIRA_GET_ISSUE_EXAMPLE = 'test/drafts/responses/jira-get-issue.example.json';
const JIRA_CREATE_ISSUE_EXAMPLE = 'test/drafts/responses/jira-create-issue.example.json';
const TICKET = 4;

const ATLASSIAN_SECRETS = { ATLASSIAN_USERNAME: JIRA_EMAIL, ATLASSIAN_PASSWORD: JIRA_API_TOKEN };
const PLACEHOLDER_NOTE =
  'The address https://your-domain.atlassian.net is the docs\' placeholder: set the connection\'s "baseUrl" to your own.';
const OUTPUTS_NOTE =
  'Add "response.outputs" for the values to show or write back (npm run connectors -- draft --response FILE suggests them from a sample answer).';

let jira: FixtureServer;
let asana: FixtureServer;
let trello: FixtureServer;

beforeAll(async () => {
  [jira, asana, trello] = await Promise.all([
    startJiraFixture(),
    startAsanaFixture(),
    startTrelloFixture(),
  ]);
});
afterAll(async () => {
  await Promise.all([jira?.close(), asana?.close(), trello?.close()]);
});

function draftOperation(operation: string, file = JIRA_OPENAPI): ConnectorDraft {
  const doc = readOpenApi(readFileSync(file, 'utf8'));
  if (!doc.ok) throw new Error(doc.error.message);
  const drafted = draftFromOpenApi(doc.value, operation);
  if (!drafted.ok) throw new Error(drafted.error.message);
  return drafted.value;
}

function draftCurl(id: string): ConnectorDraft {
  const parsed = parseCurl(findDocsCurlCommand(id));
  if (!parsed.ok) throw new Error(parsed.error.message);
  return draftFromCurl(parsed.value);
}

/** What loading the draft reports (errors, else warnings), with these secrets set. */
function checkDraft(draft: ConnectorDraft, secrets: Record<string, string>): string[] {
  const compiled = compileTestConfig(
    { connections: { [draft.connectionId]: draft.connection }, connectors: [draft.connector] },
    secrets,
  );
  return compiled.ok
    ? compiled.value.warnings.map((warning) => warning.message)
    : compiled.error.issues.map((issue) => issue.message);
}

/** Runs the draft, published, on a sandbox ticket against a fixture; closes the stack after. */
async function runDraft(
  draft: ConnectorDraft,
  fixture: FixtureServer,
  secrets: Record<string, string>,
  inputs: Record<string, string> = {},
) {
  const started = await startConnectorStack({
    connectionId: draft.connectionId,
    connection: draft.connection,
    connector: draft.connector,
    fixtureBaseUrl: fixture.baseUrl,
    secrets,
  });
  try {
    const res = await started.runOnTicket(TICKET, inputs);
    return res.body as Record<string, unknown>;
  } finally {
    await started.close();
  }
}

/** The draft's JSON out of `connectors draft` output. */
function readCliDraft(out: string): {
  connections: Record<string, unknown>;
  connectors: unknown[];
} {
  const start = out.indexOf('{');
  const end = out.indexOf('\n}\n') + 2;
  return JSON.parse(out.slice(start, end)) as {
    connections: Record<string, unknown>;
    connectors: unknown[];
  };
}

describe("drafts from Jira Cloud's published OpenAPI document", () => {
  it('records where the trimmed document comes from and keeps only the operations used', () => {
    const doc = JSON.parse(readFileSync(JIRA_OPENAPI, 'utf8')) as Record<string, unknown>;
    expect(doc['x-trimmed-from']).toMatchObject({
      repository: 'https://github.com/salto-io/jira-swaggers',
      commit: 'e9edd0efc751bbc5b2a2c33f8755f9ed04e14158',
      path: 'platform-swagger.v3.json',
      operations: ['POST /rest/api/3/issue', 'GET /rest/api/3/issue/{issueIdOrKey}'],
    });
    expect(Object.keys(doc.paths as object)).toEqual([
      '/rest/api/3/issue',
      '/rest/api/3/issue/{issueIdOrKey}',
    ]);
  });

  it('getIssue: a GET with the key as a path input, basic auth, outputs from the example answer', async () => {
    const draft = draftOperation('getIssue');
    expect(draft.connectionId).toBe('atlassian');
    expect(draft.connection).toEqual({
      baseUrl: 'https://your-domain.atlassian.net',
      auth: {
        type: 'basic',
        username: '{{secrets.ATLASSIAN_USERNAME}}',
        password: '{{secrets.ATLASSIAN_PASSWORD}}',
      },
      headers: { 'User-Agent': DRAFT_USER_AGENT },
    });
    expect(draft.secrets).toEqual(['ATLASSIAN_USERNAME', 'ATLASSIAN_PASSWORD']);
    expect(draft.connector.request).toEqual({
      method: 'GET',
      path: '/rest/api/3/issue/{{inputs.issue_id_or_key}}',
      query: {
        fields: '{{inputs.fields}}',
        fieldsByKeys: '{{inputs.fields_by_keys}}',
        expand: '{{inputs.expand}}',
        properties: '{{inputs.properties}}',
        updateHistory: '{{inputs.update_history}}',
      },
    });
    expect(draft.notes).toEqual([
      'The document\'s server address (https://your-domain.atlassian.net) is a placeholder: set the connection\'s "baseUrl" to your own.',
      "The outputs are suggested from the document's example answer: keep the ones to show or write back.",
    ]);
    expect(checkDraft(draft, {})).toEqual([
      'secret ATLASSIAN_USERNAME is not set; connectors using connection "atlassian" cannot run',
      'secret ATLASSIAN_PASSWORD is not set; connectors using connection "atlassian" cannot run',
    ]);
    expect(checkDraft(draft, ATLASSIAN_SECRETS)).toEqual([]);

    const result = await runDraft(draft, jira, ATLASSIAN_SECRETS, {
      issue_id_or_key: JIRA_KNOWN_ISSUE.key,
      fields: 'status,assignee',
    });
    expect(result).toMatchObject({ outcome: 'success' });
    expect(result.outputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'key', value: 'SUP-7' }),
        expect.objectContaining({ name: 'id', value: '10002' }),
      ]),
    );
    expect(jira.journal.at(-1)).toMatchObject({
      method: 'GET',
      path: '/rest/api/3/issue/SUP-7',
      query: { fields: 'status,assignee' },
    });
  });

  it("createIssue: the body's objects from the document's example, which Jira accepts as they are", async () => {
    const draft = draftOperation('createIssue');
    expect(draft.connector).toMatchObject({
      id: 'create_issue',
      confirm: true,
      request: { method: 'POST', path: '/rest/api/3/issue' },
    });
    const example = (
      JSON.parse(readFileSync(JIRA_OPENAPI, 'utf8')) as {
        paths: Record<string, { post: { requestBody: { content: Record<string, unknown> } } }>;
      }
    ).paths['/rest/api/3/issue']?.post.requestBody.content['application/json'] as {
      example: Record<string, unknown>;
    };
    expect(draft.connector.request).toMatchObject({
      body: { type: 'json', value: example.example },
    });
    expect(draft.notes).toEqual([
      'The document\'s server address (https://your-domain.atlassian.net) is a placeholder: set the connection\'s "baseUrl" to your own.',
      'The body\'s "fields", "update" are objects or lists: the draft holds the document\'s example for them; replace the example values with {{inputs.…}} or your own, and remove what you do not send.',
      'Left out of the body because one input cannot fill them: transition, historyMetadata, properties. Add them to "request.body" by hand if you need them.',
      "The outputs are suggested from the document's example answer: keep the ones to show or write back.",
    ]);
    expect(checkDraft(draft, ATLASSIAN_SECRETS)).toEqual([]);

    const result = await runDraft(draft, jira, ATLASSIAN_SECRETS);
    expect(result).toMatchObject({ outcome: 'success' });
    expect(result.outputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'key', value: expect.stringMatching(/^SUP-\d+$/) }),
      ]),
    );
    expect(jira.journal.at(-1)?.body).toEqual(example.example);
  });

  it('npm run connectors -- draft --openapi … --operation getIssue --response <the docs example> drafts outputs the fixture answer fills', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dc-draft-jira-'));
    const cli = runConnectorsCli(
      dataDir,
      'draft',
      '--openapi',
      JIRA_OPENAPI,
      '--operation',
      'getIssue',
      '--response',
      JIRA_GET_ISSUE_EXAMPLE,
    );
    expect(cli.err).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.out).toContain(
      'Secrets to set (in the secrets file or as SECRET_<NAME>): ATLASSIAN_USERNAME, ATLASSIAN_PASSWORD',
    );
    const drafted = readCliDraft(cli.out);
    const connector = drafted.connectors[0] as Record<string, unknown>;
    expect((connector.response as { outputs: { path: string }[] }).outputs.slice(0, 3)).toEqual([
      { name: 'id', label: 'Id', path: 'id', type: 'string' },
      { name: 'self', label: 'Self', path: 'self', type: 'string' },
      { name: 'key', label: 'Key', path: 'key', type: 'string' },
    ]);
    const result = await runDraft(
      {
        connectionId: 'atlassian',
        connection: drafted.connections.atlassian as Record<string, unknown>,
        connector,
        secrets: [],
        notes: [],
      },
      jira,
      ATLASSIAN_SECRETS,
      { issue_id_or_key: JIRA_KNOWN_ISSUE.key },
    );
    expect(result).toMatchObject({ outcome: 'success' });
  });
});

describe("drafts from Asana's published OpenAPI document", () => {
  it('createTask: the {"data": {…}} wrapper drafted field by field, run against the Asana fixture', async () => {
    const doc = JSON.parse(readFileSync(ASANA_OPENAPI, 'utf8')) as Record<string, unknown>;
    expect(doc['x-trimmed-from']).toMatchObject({
      repository: 'https://github.com/Asana/openapi',
      commit: 'fc9f8dcf224efa8e06bfc955d91dd95aac7a398d',
      path: 'defs/asana_oas.yaml',
      operations: ['POST /tasks'],
    });
    const draft = draftOperation('createTask', ASANA_OPENAPI);
    expect(draft).toMatchObject({
      connectionId: 'asana',
      connection: {
        baseUrl: 'https://app.asana.com/api/1.0',
        auth: { type: 'bearer', token: '{{secrets.ASANA_TOKEN}}' },
      },
      secrets: ['ASANA_TOKEN'],
    });
    const data = (draft.connector.request as { body: { value: { data: Record<string, string> } } })
      .body.value.data;
    expect(data).toMatchObject({
      name: '{{inputs.name}}',
      notes: '{{inputs.notes}}',
      workspace: '{{inputs.workspace}}',
    });
    expect(Object.keys(data)).not.toContain('gid');
    expect(draft.notes).toEqual([
      'Each body property became a typed-in input; give inputs a "source" (a ticket field) where the ticket holds the value, and drop the optional ones you do not need.',
      'Left out of the body because one input cannot fill them: data.assigned_by, data.completed_by, data.external, data.custom_fields, data.followers, data.projects, data.tags. Add them to "request.body" by hand if you need them.',
      'The outputs are suggested from the response schema: keep the ones to show or write back.',
    ]);
    expect(checkDraft(draft, { ASANA_TOKEN })).toEqual([]);

    const result = await runDraft(
      draft,
      asana,
      { ASANA_TOKEN },
      {
        name: 'Wish lists',
        notes: 'From Zendesk ticket 4',
        workspace: ASANA_WORKSPACE_GID,
      },
    );
    expect(result).toMatchObject({ outcome: 'success' });
    expect(result.outputs).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'data_name', value: 'Wish lists' })]),
    );
    expect(asana.journal.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/1.0/tasks',
      body: {
        data: {
          name: 'Wish lists',
          notes: 'From Zendesk ticket 4',
          workspace: ASANA_WORKSPACE_GID,
        },
      },
    });
  });
});

describe('drafts from curl commands as the docs print them', () => {
  it("Jira's Get issue: the {issueIdOrKey} placeholder is an input and -u email:token basic auth", async () => {
    const draft = draftCurl('jira-get-issue');
    expect(draft.connectionId).toBe('atlassian');
    expect(draft.connector).toMatchObject({
      id: 'atlassian_get_api_issue',
      inputs: [
        {
          name: 'issue_id_or_key',
          label: 'issueIdOrKey',
          type: 'string',
          prompt: true,
          required: true,
        },
      ],
      request: {
        method: 'GET',
        path: '/rest/api/3/issue/{{inputs.issue_id_or_key}}',
        headers: { Accept: 'application/json' },
      },
    });
    expect(draft.secrets).toEqual(['ATLASSIAN_USERNAME', 'ATLASSIAN_PASSWORD']);
    expect(draft.notes).toEqual([
      'The path\'s placeholders became typed-in inputs (issue_id_or_key): give them a "source" (a ticket field) where the ticket holds the value.',
      PLACEHOLDER_NOTE,
      OUTPUTS_NOTE,
    ]);
    expect(checkDraft(draft, ATLASSIAN_SECRETS)).toEqual([]);
    const result = await runDraft(draft, jira, ATLASSIAN_SECRETS, {
      issue_id_or_key: JIRA_KNOWN_ISSUE.key,
    });
    expect(result).toMatchObject({ outcome: 'success' });
    expect(jira.journal.at(-1)).toMatchObject({ path: '/rest/api/3/issue/SUP-7' });
  });

  it("Jira's Create issue: the body as printed, account ids kept, outputs from the docs' example answer", async () => {
    const draft = draftCurl('jira-create-issue');
    const printed = findDocsCurlCommand('jira-create-issue');
    const body = JSON.parse(printed.slice(printed.indexOf("'{") + 1, -1)) as unknown;
    expect(draft.connector.request).toMatchObject({
      method: 'POST',
      path: '/rest/api/3/issue',
      body: { type: 'json', value: body },
    });
    expect(draft.notes).toEqual([
      'Body values are copied as written (update, fields): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.',
      PLACEHOLDER_NOTE,
      OUTPUTS_NOTE,
    ]);
    expect(checkDraft(draft, ATLASSIAN_SECRETS)).toEqual([]);

    // As `draft --response` does: outputs from the docs' example answer.
    const sample = JSON.parse(readFileSync(JIRA_CREATE_ISSUE_EXAMPLE, 'utf8')) as unknown;
    const outputs = suggestOutputs(sample)
      .filter((s) => s.type !== 'json')
      .map((s) => ({ name: s.name, label: s.label, path: s.path, type: s.type }));
    expect(outputs.map((output) => output.path)).toEqual([
      'id',
      'key',
      'self',
      'transition.status',
      'length(transition.errorCollection.errorMessages)',
    ]);
    const result = await runDraft(
      { ...draft, connector: { ...draft.connector, response: { outputs } } },
      jira,
      ATLASSIAN_SECRETS,
    );
    expect(result).toMatchObject({ outcome: 'success' });
    expect(result.outputs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'key', value: expect.stringMatching(/^SUP-\d+$/) }),
      ]),
    );
    expect(jira.journal.at(-1)?.body).toEqual(body);
  });

  it("Jira's basic auth guide: -D- is dropped and fred's email and API token become secrets", async () => {
    const draft = draftCurl('jira-basic-auth');
    expect(draft.connector).toMatchObject({
      id: 'atlassian_get_issue_createmeta',
      request: {
        method: 'GET',
        path: '/rest/api/2/issue/createmeta',
        headers: { 'Content-Type': 'application/json' },
      },
    });
    expect(JSON.stringify(draft)).not.toMatch(/fred|freds_api_token/);
    expect(draft.notes).toEqual([PLACEHOLDER_NOTE, OUTPUTS_NOTE]);
    expect(checkDraft(draft, ATLASSIAN_SECRETS)).toEqual([]);
    const result = await runDraft(draft, jira, ATLASSIAN_SECRETS);
    expect(result).toMatchObject({ outcome: 'success' });
  });

  it("Asana's personal access token example: the bearer token becomes the ASANA_TOKEN secret", async () => {
    const draft = draftCurl('asana-pat');
    expect(draft).toMatchObject({
      connectionId: 'asana',
      connection: {
        baseUrl: 'https://app.asana.com',
        auth: { type: 'bearer', token: '{{secrets.ASANA_TOKEN}}' },
      },
      secrets: ['ASANA_TOKEN'],
      notes: [OUTPUTS_NOTE],
    });
    expect(draft.connector.request).toEqual({ method: 'GET', path: '/api/1.0/users/me' });
    expect(checkDraft(draft, { ASANA_TOKEN })).toEqual([]);
    const result = await runDraft(draft, asana, { ASANA_TOKEN });
    expect(result).toMatchObject({ outcome: 'success' });
    expect(asana.journal.at(-1)?.headers.authorization).toBe(`Bearer ${ASANA_TOKEN}`);
  });

  for (const id of ['trello-create-card', 'trello-create-card-example-key']) {
    it(`Trello's Create a new Card (${id}): key and token are left out of the URL, idList kept, and the key goes into the Authorization header as the note says`, async () => {
      const draft = draftCurl(id);
      expect(draft).toMatchObject({
        connectionId: 'trello',
        connection: { baseUrl: 'https://api.trello.com', auth: { type: 'none' } },
        secrets: [],
      });
      expect(draft.connector).toMatchObject({
        id: 'trello_post_cards',
        confirm: true,
        request: { method: 'POST', path: '/1/cards', query: { idList: TRELLO_LIST_ID } },
      });
      expect(JSON.stringify(draft.connector)).not.toMatch(
        new RegExp(`APIKey|APIToken|${TRELLO_API_KEY}|${TRELLO_TOKEN}`),
      );
      expect(draft.notes).toEqual([
        'The query parameter "key" looked like a credential and was left out: secrets go only in headers or the connection\'s auth. If the API accepts the key as a header, put it in the connection\'s auth (apiKeyHeader).',
        'The query parameter "token" looked like a credential and was left out: secrets go only in headers or the connection\'s auth. If the API accepts the key as a header, put it in the connection\'s auth (apiKeyHeader).',
        'Query values are copied as written (idList): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.',
        OUTPUTS_NOTE,
      ]);
      expect(checkDraft(draft, {})).toEqual([]);

      // What the admin fills in: Trello's documented Authorization header, with two secrets.
      const connection = {
        ...draft.connection,
        auth: {
          type: 'apiKeyHeader',
          header: 'Authorization',
          value:
            'OAuth oauth_consumer_key="{{secrets.TRELLO_API_KEY}}", oauth_token="{{secrets.TRELLO_TOKEN}}"',
        },
      };
      const secrets = { TRELLO_API_KEY, TRELLO_TOKEN };
      expect(checkDraft({ ...draft, connection }, secrets)).toEqual([]);
      const result = await runDraft({ ...draft, connection }, trello, secrets);
      expect(result).toMatchObject({ outcome: 'success' });
      const sent = trello.journal.at(-1);
      expect(sent).toMatchObject({
        method: 'POST',
        path: '/1/cards',
        query: { idList: TRELLO_LIST_ID },
      });
      expect(sent?.headers.authorization).toBe(
        `OAuth oauth_consumer_key="${TRELLO_API_KEY}", oauth_token="${TRELLO_TOKEN}"`,
      );
    });
  }
});
