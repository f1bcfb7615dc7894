import { readFileSync } from 'fs';
import { join } from 'path';
import {
  buildInputFields,
  buildMacroStepRows,
  describeMacroConfirmation,
  describeMacroResult,
  macroWroteToRecord,
  buildRunInputs,
  describeWrites,
  filterConnectors,
  formatValue,
  parseConnectorFilter,
  validateInputValues,
  createClickKeys,
  newIdempotencyKey,
  coerceInput,
} from 'c/dataConnectorsUtils';

// The cases the server's input rules (shared/src/inputs/coerce-input.ts) are tested with; this
// component keeps a copy of those rules and must pass every one of them.
const { cases: COERCE_INPUT_CASES } = JSON.parse(
  readFileSync(
    join(__dirname, '../../../../../../../shared/src/inputs/coerce-input-cases.json'),
    'utf8',
  ),
);

function input(overrides) {
  return {
    name: 'value',
    label: 'Value',
    description: '',
    type: 'string',
    required: true,
    prompt: true,
    source: null,
    pattern: null,
    maxLength: null,
    value: null,
    ...overrides,
  };
}

describe('c-data-connectors-utils', () => {
  describe('parseConnectorFilter', () => {
    it('splits ids on commas and spaces and drops blanks', () => {
      expect(parseConnectorFilter(' a_one, b-two ,,c\n')).toEqual(['a_one', 'b-two', 'c']);
    });

    it('reads an unset property as no filter', () => {
      expect(parseConnectorFilter(undefined)).toEqual([]);
    });
  });

  describe('filterConnectors', () => {
    const connectors = [
      { id: 'order_lookup', name: 'Look up order', description: 'Shopify' },
      { id: 'refund', name: 'Refund', description: 'Refunds in Shopify' },
    ];

    it('matches the search term in the id, name or description, ignoring case', () => {
      expect(filterConnectors(connectors, { searchTerm: 'SHOPIFY' })).toHaveLength(2);
      expect(filterConnectors(connectors, { searchTerm: 'order_' }).map((c) => c.id)).toEqual([
        'order_lookup',
      ]);
    });

    it('applies the allowed ids before the search term', () => {
      const result = filterConnectors(connectors, { allowedIds: ['refund'], searchTerm: 'shop' });
      expect(result.map((c) => c.id)).toEqual(['refund']);
    });
  });

  describe('coerceInput', () => {
    it('has the shared cases to run', () => {
      expect(COERCE_INPUT_CASES.length).toBeGreaterThan(50);
    });

    it.each(COERCE_INPUT_CASES.map((entry) => [JSON.stringify(entry), entry]))(
      'follows the server: %s',
      (_title, entry) => {
        const rules = {
          type: entry.type,
          trim: entry.trim,
          maxLength: entry.maxLength === undefined ? null : entry.maxLength,
          pattern: entry.pattern === undefined ? null : entry.pattern,
        };
        expect(coerceInput(rules, entry.raw)).toEqual(
          entry.error === undefined
            ? { ok: true, value: entry.value }
            : { ok: false, code: entry.error },
        );
      },
    );
  });

  describe('validateInputValues', () => {
    it('reports a missing required value', () => {
      expect(validateInputValues([input({})], { value: '  ' })).toEqual([
        { name: 'value', label: 'Value', message: 'Enter a value.' },
      ]);
    });

    it('checks pattern, length, numbers, integers and emails', () => {
      const inputs = [
        input({ name: 'code', pattern: '^[A-Z]{3}$' }),
        input({ name: 'note', maxLength: 3 }),
        input({ name: 'amount', type: 'number' }),
        input({ name: 'count', type: 'integer' }),
        input({ name: 'email', type: 'email' }),
      ];
      const values = { code: 'abc', note: 'long', amount: 'ten', count: '1.5', email: 'nope' };
      expect(validateInputValues(inputs, values).map((p) => [p.name, p.message])).toEqual([
        ['code', 'The value does not have the expected format.'],
        ['note', 'Use at most 3 characters.'],
        ['amount', 'Enter a number.'],
        ['count', 'Enter a whole number.'],
        ['email', 'Enter an email address.'],
      ]);
    });

    it('ignores inputs the rep cannot edit and empty optional ones', () => {
      const inputs = [input({ prompt: false }), input({ name: 'opt', required: false })];
      expect(validateInputValues(inputs, { value: '', opt: '' })).toEqual([]);
    });

    it('refuses what the server refuses: hex numbers, unsafe integers, loose emails, dates', () => {
      const inputs = [
        input({ name: 'amount', type: 'number' }),
        input({ name: 'ticket', type: 'integer' }),
        input({ name: 'email', type: 'email' }),
        input({ name: 'when', type: 'date' }),
        input({ name: 'until', type: 'date' }),
      ];
      const values = {
        amount: '0x10',
        ticket: '9007199254740993',
        email: 'ana@example.c',
        when: '2023-02-29',
        until: 'March 5',
      };
      expect(validateInputValues(inputs, values).map((p) => [p.name, p.message])).toEqual([
        ['amount', 'Enter a number.'],
        ['ticket', 'Enter a whole number.'],
        ['email', 'Enter an email address.'],
        ['when', 'Enter a real calendar date.'],
        ['until', 'Enter a date (YYYY-MM-DD).'],
      ]);
    });

    it("checks a number's pattern on the number, and its maxLength not at all, as the server does", () => {
      const inputs = [input({ name: 'count', type: 'integer', pattern: '^[0-9]+$', maxLength: 2 })];
      expect(validateInputValues(inputs, { count: '1e3' })).toEqual([]);
    });

    it('leaves a pattern JavaScript cannot compile to the server', () => {
      expect(validateInputValues([input({ pattern: '(' })], { value: 'x' })).toEqual([]);
    });
  });

  describe('buildRunInputs', () => {
    it('sends only editable inputs, typed, with blanks as null', () => {
      const inputs = [
        input({ name: 'code' }),
        input({ name: 'amount', type: 'number' }),
        input({ name: 'urgent', type: 'boolean' }),
        input({ name: 'note', required: false }),
        input({ name: 'email', prompt: false }),
      ];
      const values = { code: ' A1 ', amount: '12.5', urgent: true, note: '', email: 'x@y.z' };
      expect(buildRunInputs(inputs, values)).toEqual({
        code: 'A1',
        amount: 12.5,
        urgent: true,
        note: null,
      });
    });
  });

  describe('buildRunInputs: values as the server reads them', () => {
    it('sends a yes/no value from the record as a boolean and a date-time as its UTC date', () => {
      const inputs = [
        input({ name: 'vip', type: 'boolean' }),
        input({ name: 'optOut', type: 'boolean' }),
        input({ name: 'since', type: 'date' }),
      ];
      const values = { vip: 'yes', optOut: null, since: '2024-01-01T23:30:00.000-0500' };
      expect(buildRunInputs(inputs, values)).toEqual({
        vip: true,
        optOut: false,
        since: '2024-01-02',
      });
    });

    it("trims typed text unless the input's trim is off, as the server does", () => {
      const inputs = [input({ name: 'code' }), input({ name: 'raw', trim: false })];
      expect(buildRunInputs(inputs, { code: '  A-1 ', raw: '  A-1 ' })).toEqual({
        code: 'A-1',
        raw: '  A-1 ',
      });
    });
  });

  describe('buildInputFields', () => {
    it('shows a yes/no value from the record as a checked box', () => {
      const connector = { inputs: [input({ name: 'vip', type: 'boolean' })] };
      expect(buildInputFields(connector, { vip: 'Yes' })[0].checked).toBe(true);
      expect(buildInputFields(connector, { vip: 'no' })[0].checked).toBe(false);
    });

    it('maps input types to lightning-input types and shows checkboxes as checked', () => {
      const connector = {
        inputs: [
          input({ name: 'when', type: 'date' }),
          input({ name: 'urgent', type: 'boolean', prompt: false }),
        ],
      };
      const fields = buildInputFields(connector, { when: '2026-01-31', urgent: true });
      expect(fields.map((f) => [f.type, f.value, f.checked, f.readOnly])).toEqual([
        ['date', '2026-01-31', false, false],
        ['checkbox', '', true, true],
      ]);
    });
  });

  describe('describeWrites', () => {
    // `changes` as the server records a Salesforce write (salesforce-helpdesk.ts, describeChanges).
    it('names the fields that were written, in plain words', () => {
      const result = {
        writes: {
          status: 'written',
          changes: {
            fields: { Payment_Status__c: 'paid', Tracking_Number__c: '1Z9', Status: 'New' },
          },
        },
      };
      expect(describeWrites(result)).toBe(
        'Saved to this record: Payment Status, Tracking Number, Status.',
      );
    });

    it('says which fields were left alone because the rep cannot edit them', () => {
      const skipped = [
        { field: 'Tracking_Number__c', reason: 'user 005 cannot edit Case.Tracking_Number__c' },
      ];
      expect(
        describeWrites({
          writes: {
            status: 'written',
            changes: { fields: { Payment_Status__c: 'paid' }, skipped },
          },
        }),
      ).toBe(
        'Saved to this record: Payment Status. Not saved, because you cannot edit Tracking Number.',
      );
      expect(
        describeWrites({ writes: { status: 'skipped', changes: { fields: {}, skipped } } }),
      ).toBe('Nothing was saved: you cannot edit Tracking Number.');
    });

    it('never lists the keys of the change record itself', () => {
      const result = { writes: { status: 'written', changes: { fields: {} } } };
      expect(describeWrites(result)).toBe('Saved to this record.');
    });

    it('explains a failed write-back', () => {
      const result = { writes: { status: 'failed', error: { code: 'X', message: 'Locked' } } };
      expect(describeWrites(result)).toBe('Not saved to this record: Locked');
    });

    it('says nothing for connectors that write nothing', () => {
      expect(describeWrites({ writes: { status: 'none', changes: null } })).toBe('');
    });
  });

  describe('formatValue', () => {
    it('shows objects as JSON and empty values as a dash', () => {
      expect(formatValue({ a: 1 })).toBe('{"a":1}');
      expect(formatValue(null)).toBe('—');
      expect(formatValue(0)).toBe('0');
      expect(formatValue(false)).toBe('false');
    });
  });
});

describe('macros', () => {
  const macro = {
    id: 'escalate_case',
    name: 'Escalate Case',
    confirm: true,
    connectors: [{ id: 'jira', name: 'Create Jira issue' }],
  };

  it('names the connectors a macro runs in its confirmation', () => {
    expect(describeMacroConfirmation(macro)).toBe(
      '"Escalate Case" can change data in another system and on this record. It runs Create Jira issue. Run it?',
    );
  });

  it('reads a macro result as a success or an error toast', () => {
    expect(describeMacroResult('Escalate Case', { outcome: 'success', message: '' })).toEqual({
      title: 'Escalate Case',
      message: 'Done.',
      variant: 'success',
    });
    expect(
      describeMacroResult('Escalate Case', { outcome: 'failed', message: 'Jira is down.' }),
    ).toEqual({ title: 'Escalate Case failed', message: 'Jira is down.', variant: 'error' });
  });

  it('tells whether any step wrote to the record', () => {
    const run = { stepId: 'create', type: 'run', outcome: 'success', writes: { status: 'none' } };
    const write = { stepId: 'save', type: 'write', outcome: 'success', writes: { fields: {} } };
    const nothing = { stepId: 'save', type: 'write', outcome: 'success', writes: null };
    expect(macroWroteToRecord({ steps: [run, write] })).toBe(true);
    expect(macroWroteToRecord({ steps: [run, nothing] })).toBe(false);
    expect(macroWroteToRecord({ steps: [{ ...run, writes: { status: 'written' } }] })).toBe(true);
    expect(macroWroteToRecord(undefined)).toBe(false);
  });

  it('lists the steps in order with an icon per outcome', () => {
    const rows = buildMacroStepRows({
      steps: [
        { stepId: 'create', outcome: 'success', message: 'Created SUP-1.' },
        { stepId: 'save', outcome: 'failed', message: 'Rejected.' },
      ],
    });
    expect(rows.map((row) => [row.stepId, row.icon, row.message])).toEqual([
      ['create', 'utility:success', 'Created SUP-1.'],
      ['save', 'utility:error', 'Rejected.'],
    ]);
  });
});

describe('Idempotency-Keys', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('makes version-4 UUIDs, also where the browser has no crypto.randomUUID', () => {
    const randomUUID = globalThis.crypto.randomUUID;
    try {
      Object.defineProperty(globalThis.crypto, 'randomUUID', {
        value: undefined,
        configurable: true,
      });
      const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()));
      expect(keys.size).toBe(50);
      for (const key of keys) expect(key).toMatch(UUID);
    } finally {
      Object.defineProperty(globalThis.crypto, 'randomUUID', {
        value: randomUUID,
        configurable: true,
      });
    }
  });

  it('keeps one key per request until it is settled', () => {
    const keys = createClickKeys();
    const request = { connectorId: 'order_lookup', inputsJson: '{}', confirmed: false };
    const first = keys.keyFor(request);
    expect(keys.keyFor({ ...request })).toBe(first);
    expect(keys.keyFor({ ...request, confirmed: true })).not.toBe(first);
    keys.settle(request);
    expect(keys.keyFor(request)).not.toBe(first);
  });
});
