import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesk-registry';
import { compileConfig } from '../../compile/compile-config';
import type { CompiledConfig, CompiledConnector } from '../../compile/compiled-model';
import { startFakeSalesforce } from '../../sandbox/fake-salesforce/fake-salesforce';
import type { RunningFakeSalesforce } from '../../sandbox/fake-salesforce/fake-salesforce';
import { SANDBOX_SALESFORCE_IDS } from '../../sandbox/seed/salesforce-seed';
import { createSandboxSalesforceClient } from '../../test-support/sandbox-salesforce-client';
import { createSecretSource } from '../../secrets/secret-source';
import { connectorAppliesToRecord, createSalesforceHelpdesk } from './salesforce-helpdesk';

const CASES = SANDBOX_SALESFORCE_IDS.cases;
const USERS = SANDBOX_SALESFORCE_IDS.users;

const ORDER_LOOKUP = {
  id: 'order_lookup',
  name: 'Order lookup',
  connection: 'shop',
  surfaces: ['zendesk', 'salesforce'],
  appliesWhen: { objectTypes: ['Case'] },
  inputs: [
    { name: 'order_number', source: 'record.Order_Number__c' },
    { name: 'email', source: 'record.Contact.Email' },
    { name: 'rep', source: 'agent.email', required: false },
  ],
  request: { method: 'GET', path: '/orders' },
  response: {
    outputs: [
      { name: 'tracking', path: 'tracking' },
      { name: 'paid', path: 'paid', type: 'boolean' },
    ],
  },
  writeBack: {
    success: {
      recordFields: {
        Tracking_Number__c: '{{outputs.tracking}}',
        Escalated__c: '{{outputs.paid}}',
        External_Reference__c: 'order {{inputs.order_number}}',
      },
      addTags: ['looked_up'],
      internalNote: 'Looked up.',
    },
  },
};

function compile(connectors: Record<string, unknown>[]): CompiledConfig {
  const format = BUILT_IN_CONFIG_FORMAT;
  const config = format.schemas.connectorConfigSchema.parse({
    connections: { shop: { baseUrl: 'https://shop.example.com' } },
    connectors,
  });
  const result = compileConfig(config, { format, secrets: createSecretSource({}) });
  if (!result.ok) throw new Error(JSON.stringify(result.error.issues));
  return result.value.compiled;
}

let fake: RunningFakeSalesforce;
let config: CompiledConfig;

beforeEach(async () => {
  sleeps = [];
  onSleep = () => {};
  fake = await startFakeSalesforce();
  config = compile([
    ORDER_LOOKUP,
    {
      id: 'account_note',
      name: 'Account note',
      connection: 'shop',
      surfaces: ['salesforce'],
      appliesWhen: { objectTypes: ['Account'] },
      inputs: [{ name: 'account', source: 'record.Name' }],
      request: { method: 'GET', path: '/accounts' },
    },
    {
      id: 'zendesk_only',
      name: 'Zendesk only',
      connection: 'shop',
      inputs: [{ name: 'subject', source: 'record.Subject' }],
      request: { method: 'GET', path: '/x' },
    },
  ]);
});
afterEach(() => fake.close());

/** What the helpdesk waited for before re-reading a record; `onSleep` runs during the wait. */
let sleeps: number[] = [];
let onSleep: () => void = () => {};

function buildHelpdesk() {
  const client = createSandboxSalesforceClient(fake.instanceUrl);
  return createSalesforceHelpdesk(client, {
    config: () => config,
    sleep: async (ms) => {
      sleeps.push(ms);
      onSleep();
    },
  });
}

function connector(id: string): CompiledConnector {
  return config.connectors.get(id) as CompiledConnector;
}

async function load(options: Parameters<ReturnType<typeof buildHelpdesk>['load']>[1] = {}) {
  const helpdesk = buildHelpdesk();
  const loaded = await helpdesk.load(CASES.order1001, { targetType: 'Case', ...options });
  if (!loaded.ok) throw new Error(loaded.error.message);
  return { helpdesk, loaded: loaded.value };
}

const successScope = {
  inputs: { order_number: '#1001' },
  outputs: { tracking: '1Z999', paid: true },
};

describe('load', () => {
  it("loads, in one query, only the fields read by Salesforce connectors for the record's object", async () => {
    const { loaded } = await load();
    const queries = fake.journal.filter((entry) => entry.path.endsWith('/query'));
    expect(queries).toHaveLength(1);
    expect(queries[0]?.query.q).toBe(
      `SELECT Id, Order_Number__c, Contact.Email, LastModifiedDate FROM Case WHERE Id = '${CASES.order1001}' LIMIT 1`,
    );
    expect(loaded.target).toEqual({ system: 'salesforce', type: 'Case', id: CASES.order1001 });
    expect(loaded.read('record.Order_Number__c')).toBe('#1001');
    expect(loaded.read('record.Contact.Email')).toBe('maria@example.com');
    expect(loaded.read('record.Subject')).toBeUndefined();
    expect(loaded.version).toBe(fake.store.findRecord('Case', CASES.order1001)?.LastModifiedDate);
  });

  it('loads just one connector’s fields when asked to', async () => {
    await load({ connectorId: 'account_note' });
    const query = fake.journal.find((entry) => entry.path.endsWith('/query'));
    expect(query?.query.q).toContain('SELECT Id, LastModifiedDate FROM Case');
  });

  it('loads a connector named by id even when it only serves automations', async () => {
    config = compile([
      { ...ORDER_LOOKUP, id: 'automation_only', surfaces: ['automation'] },
      ORDER_LOOKUP,
    ]);
    await load({ connectorId: 'automation_only' });
    const query = fake.journal.find((entry) => entry.path.endsWith('/query'));
    expect(query?.query.q).toContain('SELECT Id, Order_Number__c, Contact.Email, LastModifiedDate');
  });

  it('loads every record field of an input that lists sources for both helpdesks', async () => {
    config = compile([
      {
        ...ORDER_LOOKUP,
        inputs: [
          {
            name: 'order_number',
            source: ['ticket.custom_fields.1', 'record.Order_Number__c', 'record.Subject'],
          },
          { name: 'email', source: ['ticket.requester.email', 'record.Contact.Email'] },
        ],
      },
    ]);
    await load();
    const query = fake.journal.find((entry) => entry.path.endsWith('/query'));
    expect(query?.query.q).toContain(
      'SELECT Id, Order_Number__c, Subject, Contact.Email, LastModifiedDate FROM Case',
    );
  });

  it('adds the record fields among the sources the caller names, once each, and reads them', async () => {
    const { loaded } = await load({
      connectorId: 'order_lookup',
      sources: [
        'record.Subject',
        'record.order_number__c',
        'record.Account.Name',
        'ticket.subject',
      ],
    });
    const query = fake.journal.find((entry) => entry.path.endsWith('/query'));
    expect(query?.query.q).toBe(
      `SELECT Id, Order_Number__c, Contact.Email, Subject, Account.Name, LastModifiedDate FROM Case WHERE Id = '${CASES.order1001}' LIMIT 1`,
    );
    expect(loaded.read('record.Subject')).toBe('Where is my order #1001?');
    expect(loaded.read('record.Account.Name')).toBe('Acme Retail');
  });

  it('reads appliesWhen for the record it loaded: objectTypes, never ticket conditions', async () => {
    const { loaded } = await load();
    expect(loaded.applies({ salesforce: { objectTypes: ['Case'] } })).toBe(true);
    expect(loaded.applies({ salesforce: { objectTypes: ['case'] } })).toBe(true);
    expect(loaded.applies({ salesforce: { objectTypes: ['Account'] } })).toBe(false);
    expect(loaded.applies({ zendesk: { tagsAny: ['order'] } })).toBe(false);
    expect(loaded.applies({})).toBe(true);
  });

  it('knows the rep from the user id, and offers them as agent.* sources', async () => {
    const { loaded } = await load({ actorId: USERS.rep });
    expect(loaded.agent).toEqual({ id: USERS.rep, name: 'Rita Rep', email: 'rita@sandbox.local' });
    expect(loaded.read('agent.email')).toBe('rita@sandbox.local');
  });

  it('refuses a record that does not exist, and an unknown user', async () => {
    const helpdesk = buildHelpdesk();
    const missing = await helpdesk.load('500SB0000000999AAA', { targetType: 'Case' });
    const noUser = await helpdesk.load(CASES.order1001, {
      targetType: 'Case',
      actorId: '005SB0000000999AAA',
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'RECORD_NOT_FOUND' } });
    expect(noUser).toMatchObject({ ok: false, error: { code: 'AGENT_NOT_FOUND' } });
  });

  it('names a field the configuration reads that the object lacks', async () => {
    config = compile([
      { ...ORDER_LOOKUP, inputs: [{ name: 'order_number', source: 'record.Order_No__c' }] },
    ]);
    const loaded = await buildHelpdesk().load(CASES.order1001, { targetType: 'Case' });
    expect(loaded).toMatchObject({ ok: false, error: { code: 'HELPDESK_UNAVAILABLE' } });
    if (!loaded.ok) expect(loaded.error.message).toContain('Case has no field "Order_No__c"');
  });
});

describe('applies', () => {
  const compiled = (appliesWhen: Record<string, unknown>) =>
    compile([{ ...ORDER_LOOKUP, appliesWhen }]).connectors.get('order_lookup') as CompiledConnector;

  it('matches objectTypes whatever the case, and treats an empty list as any object', () => {
    expect(connectorAppliesToRecord(connector('order_lookup'), 'Case')).toBe(true);
    expect(connectorAppliesToRecord(connector('order_lookup'), 'case')).toBe(true);
    expect(connectorAppliesToRecord(connector('order_lookup'), 'Account')).toBe(false);
    expect(connectorAppliesToRecord(compiled({}), 'Account')).toBe(true);
    expect(connectorAppliesToRecord(compiled({ objectTypes: [] }), 'Account')).toBe(true);
  });

  it('ignores ticket conditions next to objectTypes, but a ticket-only connector stays off records', () => {
    expect(
      connectorAppliesToRecord(compiled({ objectTypes: ['Case'], tagsAny: ['vip'] }), 'Case'),
    ).toBe(true);
    expect(connectorAppliesToRecord(compiled({ tagsAny: ['vip'] }), 'Case')).toBe(false);
    expect(connectorAppliesToRecord(compiled({ brandIds: [1] }), 'Case')).toBe(false);
  });
});

describe('write', () => {
  it('writes recordFields with one update, keeping the type of single-reference values', async () => {
    const { helpdesk, loaded } = await load();
    const write = connector('order_lookup').writeBack.success;
    const result = await helpdesk.write(loaded, write, successScope);
    expect(result).toEqual({
      ok: true,
      written: true,
      changes: {
        fields: {
          Tracking_Number__c: '1Z999',
          Escalated__c: true,
          External_Reference__c: 'order #1001',
        },
      },
    });
    const patches = fake.journal.filter((entry) => entry.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]?.body).toEqual({
      Tracking_Number__c: '1Z999',
      Escalated__c: true,
      External_Reference__c: 'order #1001',
    });
    expect(fake.store.findRecord('Case', CASES.order1001)).toMatchObject({
      Tracking_Number__c: '1Z999',
      Escalated__c: true,
    });
  });

  it('previews the same fields without writing', async () => {
    const helpdesk = buildHelpdesk();
    const preview = helpdesk.preview(connector('order_lookup').writeBack.success, successScope);
    expect(preview).toMatchObject({
      ok: true,
      written: false,
      changes: { fields: { Escalated__c: true } },
    });
    expect(fake.journal).toHaveLength(0);
  });

  it('does nothing for a write spec without recordFields', async () => {
    const { helpdesk, loaded } = await load();
    const result = await helpdesk.write(loaded, undefined, successScope);
    expect(result).toEqual({ ok: true, written: false, changes: null });
    expect(fake.journal.filter((entry) => entry.method === 'PATCH')).toHaveLength(0);
  });

  describe('when Salesforce does not confirm the update', () => {
    const write = () => connector('order_lookup').writeBack.success;
    const patches = () => fake.journal.filter((entry) => entry.method === 'PATCH');

    it('re-reads the record and sends the update once more, conditionally, when it did not land', async () => {
      const { helpdesk, loaded } = await load();
      fake.faults.enqueue({ method: 'PATCH', pathPattern: '/sobjects/Case', status: 503 });

      const result = await helpdesk.write(loaded, write(), successScope);

      expect(result).toMatchObject({ ok: true, written: true });
      expect(sleeps).toEqual([1000]);
      expect(patches()).toHaveLength(2);
      expect(patches()[1]?.ifUnmodifiedSince).toBe(new Date(String(loaded.version)).toUTCString());
      expect(fake.store.findRecord('Case', CASES.order1001)).toMatchObject({
        Tracking_Number__c: '1Z999',
        Escalated__c: true,
      });
    });

    it('reports it written, without a second update, when the lost answer hid a landed one', async () => {
      const { helpdesk, loaded } = await load();
      fake.faults.enqueue({ method: 'PATCH', pathPattern: '/sobjects/Case', loseResponse: true });

      const result = await helpdesk.write(loaded, write(), successScope);

      expect(result).toMatchObject({ ok: true, written: true });
      expect(patches()).toHaveLength(1);
      expect(fake.store.findRecord('Case', CASES.order1001)).toMatchObject({
        Tracking_Number__c: '1Z999',
        External_Reference__c: 'order #1001',
      });
    });

    it('leaves a record someone else changed meanwhile alone, and says so', async () => {
      const { helpdesk, loaded } = await load();
      fake.faults.enqueue({ method: 'PATCH', pathPattern: '/sobjects/Case', status: 503 });
      onSleep = () => {
        const record = fake.store.findRecord('Case', CASES.order1001);
        if (record) record.LastModifiedDate = '2099-01-01T00:00:00.000+0000';
      };

      const result = await helpdesk.write(loaded, write(), successScope);

      expect(result).toMatchObject({
        ok: false,
        error: {
          code: 'WRITE_BACK_CONFLICT',
          message: expect.stringMatching(/changed since it was read, so it was not sent again/),
        },
      });
      expect(patches()).toHaveLength(1);
    });

    it('gives up with WRITE_BACK_UNAVAILABLE when the record cannot be read back either', async () => {
      const { helpdesk, loaded } = await load();
      fake.faults.enqueue({ method: 'PATCH', pathPattern: '/sobjects/Case', status: 503 });
      fake.faults.enqueue({ method: 'GET', pathPattern: '/query', status: 503, times: 10 });

      const result = await helpdesk.write(loaded, write(), successScope);

      expect(result).toMatchObject({
        ok: false,
        error: {
          code: 'WRITE_BACK_UNAVAILABLE',
          message: expect.stringMatching(
            /did not confirm the Case update .*reading it back failed/,
          ),
        },
      });
      expect(patches()).toHaveLength(1);
    });

    it('does not re-read after a refusal that cannot hide a write (a field error)', async () => {
      const { helpdesk, loaded } = await load();
      const result = await helpdesk.write(loaded, write(), {
        ...successScope,
        outputs: { tracking: 'T'.repeat(40), paid: false },
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'WRITE_BACK_REJECTED' } });
      expect(sleeps).toEqual([]);
    });
  });

  it("reports Salesforce's field error readably", async () => {
    const { helpdesk, loaded } = await load();
    const result = await helpdesk.write(loaded, connector('order_lookup').writeBack.success, {
      ...successScope,
      outputs: { tracking: 'T'.repeat(40), paid: false },
    });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'WRITE_BACK_REJECTED',
        message:
          'Salesforce did not save the Case: Tracking_Number__c: value too long (FIELD_CUSTOM_VALIDATION_EXCEPTION)',
      },
    });
  });

  it('skips the fields the rep cannot edit when asked to, and says why', async () => {
    const { helpdesk, loaded } = await load({
      actorId: USERS.restrictedRep,
      callerRights: { onlyEditableFields: true },
    });
    const result = await helpdesk.write(
      loaded,
      connector('order_lookup').writeBack.success,
      successScope,
    );
    expect(result).toEqual({
      ok: true,
      written: true,
      changes: {
        fields: { External_Reference__c: 'order #1001' },
        skipped: [
          {
            field: 'Tracking_Number__c',
            reason: `user ${USERS.restrictedRep} cannot edit Case.Tracking_Number__c`,
          },
          {
            field: 'Escalated__c',
            reason: `user ${USERS.restrictedRep} cannot edit Case.Escalated__c`,
          },
        ],
      },
    });
    const patch = fake.journal.find((entry) => entry.method === 'PATCH');
    expect(patch?.body).toEqual({ External_Reference__c: 'order #1001' });
  });

  it('writes every mapped field for a rep who may edit them all', async () => {
    const { helpdesk, loaded } = await load({
      actorId: USERS.rep,
      callerRights: { onlyEditableFields: true },
    });
    const result = (await helpdesk.write(
      loaded,
      connector('order_lookup').writeBack.success,
      successScope,
    )) as { changes: { skipped?: unknown } };
    expect(result.changes.skipped).toBeUndefined();
  });

  it('refuses onlyEditableFields without a user id', async () => {
    const loaded = await buildHelpdesk().load(CASES.order1001, {
      targetType: 'Case',
      callerRights: { onlyEditableFields: true },
    });
    expect(loaded).toMatchObject({ ok: false, error: { code: 'AGENT_NOT_FOUND' } });
  });

  it('reports an exhausted API limit as unavailable', async () => {
    const { helpdesk, loaded } = await load();
    fake.apiUsage.used = fake.apiUsage.max;
    const result = await helpdesk.write(
      loaded,
      connector('order_lookup').writeBack.success,
      successScope,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'WRITE_BACK_UNAVAILABLE' } });
    if (!result.ok) expect(result.error.message).toContain('REQUEST_LIMIT_EXCEEDED');
  });
});
