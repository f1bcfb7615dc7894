import { describe, expect, it } from 'vitest';
import { compileConfig } from '../compile/compile-config';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';
import { createSecretSource } from '../secrets/secret-source';
import { draftFromCurl } from './draft-from-curl';
import { parseCurl } from './parse-curl';
import { suggestOutputs } from './suggest-outputs';

function draft(command: string) {
  const parsed = parseCurl(command);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return draftFromCurl(parsed.value);
}

describe('parseCurl', () => {
  it('reads a command copied from API docs, with line continuations and quotes', () => {
    const parsed = parseCurl(`curl https://api.stripe.com/v1/customers?email=jane%40example.com \\
  -u "sk_test_4eC39HqLyjWDarjtT1zdp7dc:" \\
  -H 'Stripe-Version: 2024-06-20' -s`);
    expect(parsed.ok && parsed.value).toMatchObject({
      method: 'GET',
      basicAuth: { username: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc', password: '' },
      headers: [['Stripe-Version', '2024-06-20']],
      ignored: [],
    });
    expect(parsed.ok && parsed.value.url.searchParams.get('email')).toBe('jane@example.com');
  });

  it('makes a POST of a command with data, and -G a query', () => {
    const post = parseCurl(`curl -X POST https://x.example.com/a --data-raw '{"a":1}'`);
    expect(post.ok && post.value).toMatchObject({ method: 'POST', body: '{"a":1}' });
    const get = parseCurl('curl -G https://x.example.com/search -d q=shoes -d limit=5');
    expect(get.ok && get.value.method).toBe('GET');
    expect(get.ok && get.value.url.search).toBe('?q=shoes&limit=5');
  });

  it('refuses what is not one curl command', () => {
    expect(parseCurl('wget https://x.example.com').ok).toBe(false);
    expect(parseCurl('curl https://x.example.com | jq .').ok).toBe(false);
    expect(parseCurl('curl -s').ok).toBe(false);
  });
});

describe('draftFromCurl', () => {
  it('turns a bearer token into the connection auth with a secret reference, never config text', () => {
    const result = draft(
      `curl 'https://api.linear.app/graphql' -H 'Authorization: Bearer lin_api_abc123def456ghi789jkl' -H 'Content-Type: application/json' --data-raw '{"query":"{ viewer { id } }"}'`,
    );
    expect(result.connection).toEqual({
      baseUrl: 'https://api.linear.app',
      auth: { type: 'bearer', token: '{{secrets.LINEAR_TOKEN}}' },
      headers: { 'User-Agent': 'data-connectors' },
    });
    expect(result.secrets).toEqual(['LINEAR_TOKEN']);
    expect(JSON.stringify(result)).not.toContain('lin_api_abc123');
    expect(result.connector).toMatchObject({
      draft: true,
      confirm: true,
      request: {
        method: 'POST',
        path: '/graphql',
        body: { type: 'json', value: { query: '{ viewer { id } }' } },
      },
    });
  });

  it('keeps an API key header as apiKeyHeader auth, and a $PLACEHOLDER counts as a credential', () => {
    const result = draft(
      `curl https://acme.myshopify.com/admin/api/2024-10/orders.json?status=any -H "X-Shopify-Access-Token: $SHOPIFY_TOKEN"`,
    );
    expect(result.connection.auth).toEqual({
      type: 'apiKeyHeader',
      header: 'X-Shopify-Access-Token',
      value: '{{secrets.ACME_MYSHOPIFY_API_KEY}}',
    });
    expect(result.connector).toMatchObject({ request: { query: { status: 'any' } } });
    expect(JSON.stringify(result)).not.toContain('$SHOPIFY_TOKEN');
  });

  it('leaves credentials in the query and body out, and says so', () => {
    const result = draft(
      `curl 'https://api.example.com/v2/items?api_key=abc&page=2' -d '{"password":"hunter2","author":"Jane"}' -H 'Content-Type: application/json'`,
    );
    expect(result.connector).toMatchObject({
      request: { query: { page: '2' }, body: { value: { password: '', author: 'Jane' } } },
    });
    expect(JSON.stringify(result.connector)).not.toContain('hunter2');
    expect(result.notes.join('\n')).toMatch(/"api_key" looked like a credential/);
    expect(result.notes.join('\n')).toMatch(/"password" looked like a credential/);
  });

  it("makes the docs' {placeholder} path segments inputs and names the service past a placeholder host", () => {
    const result = draft(`curl --request GET \\
  --url 'https://your-domain.atlassian.net/rest/api/3/issue/{issueIdOrKey}' \\
  --user 'email@example.com:<api_token>' \\
  --header 'Accept: application/json'`);
    expect(result.connectionId).toBe('atlassian');
    expect(result.secrets).toEqual(['ATLASSIAN_USERNAME', 'ATLASSIAN_PASSWORD']);
    expect(result.connector).toMatchObject({
      id: 'atlassian_get_api_issue',
      inputs: [{ name: 'issue_id_or_key', label: 'issueIdOrKey', type: 'string', required: true }],
      request: { method: 'GET', path: '/rest/api/3/issue/{{inputs.issue_id_or_key}}' },
    });
    expect(result.notes).toContain(
      'The address https://your-domain.atlassian.net is the docs\' placeholder: set the connection\'s "baseUrl" to your own.',
    );
  });

  it("leaves Trello's key and token out of the query but keeps an object id such as idList", () => {
    const result = draft(
      `curl --request POST --url 'https://api.trello.com/1/cards?idList=5abbe4b7ddc1b351ef961414&key=APIKey&token=APIToken'`,
    );
    expect(result.connector).toMatchObject({
      request: { query: { idList: '5abbe4b7ddc1b351ef961414' } },
    });
    expect(JSON.stringify(result.connector)).not.toMatch(/APIKey|APIToken/);
    expect(result.notes.filter((note) => note.includes('looked like a credential'))).toHaveLength(
      2,
    );
  });

  it('keeps a random-looking value in a field named as an id (an Atlassian account id)', () => {
    const result = draft(
      `curl https://x.example.com/issue -H 'Content-Type: application/json' -d '{"reporter":{"id":"5b10a2844c20165700ede21g"},"secret":"5b10a2844c20165700ede21g"}'`,
    );
    expect(result.connector).toMatchObject({
      request: { body: { value: { reporter: { id: '5b10a2844c20165700ede21g' }, secret: '' } } },
    });
  });

  it('does not take an API version in the path for an id', () => {
    for (const url of [
      'https://your-domain.atlassian.net/rest/api/3/issue',
      'https://api.trello.com/1/cards',
      'https://app.asana.com/api/1.0/users/me',
    ]) {
      expect(draft(`curl ${url}`).notes.join('\n'), url).not.toContain('The path holds');
    }
    expect(draft('curl https://api.example.com/orders/1001').notes.join('\n')).toContain(
      'The path holds "1001"',
    );
  });

  it("drops Atlassian's -D- (dump headers) like other local-only options", () => {
    const parsed = parseCurl(
      `curl -D- -u fred@example.com:freds_api_token -X GET https://a.example.com/x`,
    );
    expect(parsed.ok && parsed.value.ignored).toEqual([]);
  });

  it('drops the headers a browser adds', () => {
    const result = draft(
      `curl 'https://app.example.com/api/me' -H 'accept: application/json' -H 'cookie: session=abc' -H 'user-agent: Mozilla/5.0' -H 'sec-fetch-mode: cors'`,
    );
    expect(result.connector).toMatchObject({
      request: { headers: { accept: 'application/json' } },
    });
    expect(JSON.stringify(result.connector)).not.toMatch(/cookie|Mozilla|sec-fetch/);
  });

  it('compiles as a connector once its secrets are set, and names them until then', () => {
    const result = draft(
      `curl https://api.stripe.com/v1/customers -H 'Authorization: Bearer sk_live_abcdefghijklmnop'`,
    );
    const config = {
      connections: { [result.connectionId]: result.connection },
      connectors: [result.connector],
    };
    const format = BUILT_IN_CONFIG_FORMAT;
    const parsed = format.schemas.connectorConfigSchema.safeParse(config);
    expect(parsed.success).toBe(true);
    if (!parsed.success) return;
    const missing = compileConfig(parsed.data, {
      format,
      secrets: createSecretSource({}),
      maxJsonBodyBytes: 64 * 1024 * 1024,
    });
    expect(missing.ok).toBe(true);
    expect(JSON.stringify(missing.ok && missing.value.warnings)).toContain('STRIPE_TOKEN');
    const set = compileConfig(parsed.data, {
      format,
      secrets: createSecretSource({ STRIPE_TOKEN: 'sk_live_x' }),
      maxJsonBodyBytes: 64 * 1024 * 1024,
    });
    expect(set.ok && set.value.warnings.map((w) => w.message)).toEqual([]);
  });
});

describe('draftFromCurl: commands as Stripe and GitHub print them', () => {
  it('reads --data-urlencode as curl does: the content percent-encoded', () => {
    const parsed = parseCurl(`curl -G https://api.stripe.com/v1/charges/search \\
  -u "sk_test_4eC39HqLyjWDarjtT1zdp7dc:" \\
  --data-urlencode query="amount>999 AND metadata['order_id']:'6735' AND x:'a+b&c'"`);
    expect(parsed.ok && parsed.value.url.searchParams.get('query')).toBe(
      "amount>999 AND metadata['order_id']:'6735' AND x:'a+b&c'",
    );
  });

  it('makes -u KEY: Basic auth with the key as a secret and an empty password', () => {
    const result = draft(
      `curl https://api.stripe.com/v1/refunds -u "sk_test_4eC39HqLyjWDarjtT1zdp7dc:" -d charge=ch_1NirD82eZvKYlo2CIvbtLWuY`,
    );
    expect(result.connection.auth).toEqual({
      type: 'basic',
      username: '{{secrets.STRIPE_API_KEY}}',
      password: '',
    });
    expect(result.secrets).toEqual(['STRIPE_API_KEY']);
    // A prefixed object id is random-looking but no credential: it stays in the body.
    expect(result.connector.request).toMatchObject({
      body: { type: 'form', value: { charge: 'ch_1NirD82eZvKYlo2CIvbtLWuY' } },
    });
  });

  it('still treats a Stripe webhook secret in a body as a credential', () => {
    const result = draft(`curl https://x.example.com/hooks -d signing=whsec_5f2c9e1a7b -d a=1`);
    expect((result.connector.request as { body: unknown }).body).toEqual({
      type: 'form',
      value: { a: '1' },
    });
  });

  it('names the body values copied as written, as it does the query values', () => {
    const result = draft(
      `curl https://api.github.com/repos/o/r/issues -H "Authorization: Bearer x" -d '{"title":"Found a bug","labels":["bug"]}'`,
    );
    expect(result.notes).toContain(
      'Body values are copied as written (title, labels): replace the ones that change per ticket with {{inputs.…}} and declare the inputs.',
    );
  });

  it('says a fixed Idempotency-Key would replay the first answer on every run', () => {
    const result = draft(
      `curl https://api.stripe.com/v1/customers -u sk_test_x: -H "Idempotency-Key: KG5LxwFBepaKHyUD" -d description=x`,
    );
    expect(result.notes).toContain(
      'The Idempotency-Key header is fixed text ("KG5LxwFBepaKHyUD"): every run would send the same key and get the first run\'s answer back. Build it from the ticket instead, e.g. "zendesk-{{inputs.ticket_id}}-<what it does>", with a ticket_id input (source ticket.id).',
    );
  });

  it('names the capitalised placeholders of a docs URL among what to fill in', () => {
    const result = draft(`curl -L https://api.github.com/repos/OWNER/REPO/issues/ISSUE_NUMBER`);
    expect(result.notes).toContain(
      'The path holds "OWNER", "REPO", "ISSUE_NUMBER": if it changes per ticket, replace it with {{inputs.…}} and declare the input (its value is percent-encoded).',
    );
  });
});

describe('suggestOutputs', () => {
  it('offers scalar fields with their paths, and arrays as count, joined names and first element', () => {
    const suggestions = suggestOutputs({
      order: { id: 7731, status: 'shipped', 'total-price': '12.50', paid: true },
      items: [
        { name: 'Mug', qty: 1 },
        { name: 'Tea', qty: 2 },
      ],
      tags: ['vip', 'eu'],
    });
    const byPath = Object.fromEntries(suggestions.map((s) => [s.path, s]));
    expect(byPath['order.status']).toMatchObject({
      name: 'order_status',
      type: 'string',
      example: 'shipped',
    });
    expect(byPath['order.id']).toMatchObject({ type: 'integer', example: 7731 });
    expect(byPath['order."total-price"']).toMatchObject({ name: 'order_total_price' });
    expect(byPath['order.paid']).toMatchObject({ type: 'boolean' });
    expect(byPath['length(items)']).toMatchObject({ name: 'items_count', example: 2 });
    expect(byPath["join(', ', items[].name)"]).toMatchObject({ example: 'Mug, Tea' });
    expect(byPath['items[0].qty']).toMatchObject({ name: 'items_first_qty', example: 1 });
    expect(byPath["join(', ', tags[].to_string(@))"]).toMatchObject({ example: 'vip, eu' });
  });

  it('gives paths the response reader evaluates to the example values', async () => {
    const { search } = await import('@jmespath-community/jmespath');
    const sample = {
      data: [{ id: 'a1', attributes: { email: 'x@example.com' } }],
      meta: { total: 1 },
    };
    for (const suggestion of suggestOutputs(sample)) {
      expect(search(sample as never, suggestion.path), suggestion.path).toEqual(suggestion.example);
    }
  });
});
