import { describe, expect, it } from 'vitest';
import type { CompiledWrite } from '../../compile/compiled-model';
import { compileTestConnector } from '../../test-support/test-config';
import { buildTicketUpdate } from './build-ticket-update';

const OUTPUTS = ['count', 'state', 'key', 'flag', 'labels', 'missing'];

/** Compiles a success write spec on a connector with the outputs above and one input "order". */
function successWrite(spec: Record<string, unknown>): CompiledWrite {
  const connector = compileTestConnector({
    connector: {
      inputs: [{ name: 'order', source: 'ticket.external_id' }],
      response: { outputs: OUTPUTS.map((name) => ({ name, path: name })) },
      writeBack: { success: spec },
    },
  });
  if (!connector.writeBack.success) throw new Error('success write-back did not compile');
  return connector.writeBack.success;
}

const scope = {
  inputs: { order: '#1001' },
  connection: {},
  outputs: {
    count: 3,
    state: ' Pending ',
    key: 'SUP-12',
    flag: true,
    labels: ['a', 'b'],
    missing: null,
  },
};

describe('buildTicketUpdate', () => {
  it('makes no update when the outcome has no write spec', () => {
    expect(buildTicketUpdate(undefined, scope)).toEqual({ ok: true, update: {}, empty: true });
  });

  it('keeps the type of custom field values that are exactly one reference', () => {
    const result = buildTicketUpdate(
      successWrite({
        customFields: {
          '1': '{{outputs.count}}',
          '2': '{{outputs.flag}}',
          '3': '{{outputs.labels}}',
          '4': 'Order {{inputs.order}}: {{outputs.key}}',
          '5': false,
          '6': '{{outputs.missing}}',
          '360001000002': '{{outputs.key}}',
        },
      }),
      scope,
    );
    expect(result).toEqual({
      ok: true,
      empty: false,
      update: {
        customFields: [
          { id: 1, value: 3 },
          { id: 2, value: true },
          { id: 3, value: ['a', 'b'] },
          { id: 4, value: 'Order #1001: SUP-12' },
          { id: 5, value: false },
          { id: 6, value: null },
          { id: 360001000002, value: 'SUP-12' },
        ],
      },
    });
  });

  it('normalises a templated status and refuses one Zendesk does not have', () => {
    expect(buildTicketUpdate(successWrite({ status: '{{outputs.state}}' }), scope)).toMatchObject({
      ok: true,
      update: { status: 'pending' },
    });
    expect(buildTicketUpdate(successWrite({ status: '{{outputs.key}}' }), scope)).toEqual({
      ok: false,
      error: {
        code: 'WRITE_BACK_INVALID',
        message:
          '"sup-12" is not a valid ticket status (use new, open, pending, hold, solved, closed)',
      },
    });
  });

  it('sets literal status, priority and type, and skips ones that render empty', () => {
    expect(
      buildTicketUpdate(
        successWrite({ status: 'solved', priority: 'high', type: '{{outputs.missing}}' }),
        scope,
      ),
    ).toEqual({ ok: true, empty: false, update: { status: 'solved', priority: 'high' } });
    expect(buildTicketUpdate(successWrite({ priority: '{{outputs.count}}' }), scope)).toMatchObject(
      {
        ok: false,
        error: { code: 'WRITE_BACK_INVALID' },
      },
    );
  });

  it('turns tag values into single Zendesk tags and drops empty ones', () => {
    const result = buildTicketUpdate(
      successWrite({
        addTags: [
          'jira_created',
          'Jira {{outputs.key}}',
          '  Order  Not\tFound ',
          '{{outputs.missing}}',
        ],
        removeTags: ['JIRA_FAILED'],
      }),
      scope,
    );
    expect(result).toEqual({
      ok: true,
      empty: false,
      update: {
        additionalTags: ['jira_created', 'jira_sup-12', 'order_not_found'],
        removeTags: ['jira_failed'],
      },
    });
  });

  it('adds a trimmed internal note, and none when it renders empty', () => {
    expect(
      buildTicketUpdate(
        successWrite({ internalNote: '  Created {{outputs.key}} for {{inputs.order}}.\n' }),
        scope,
      ),
    ).toEqual({ ok: true, empty: false, update: { internalNote: 'Created SUP-12 for #1001.' } });
    expect(
      buildTicketUpdate(successWrite({ internalNote: ' {{outputs.missing}} ' }), scope),
    ).toEqual({
      ok: true,
      empty: true,
      update: {},
    });
  });

  it('never expands a reference that arrives inside an output', () => {
    const result = buildTicketUpdate(successWrite({ internalNote: 'Key: {{outputs.key}}' }), {
      ...scope,
      outputs: { ...scope.outputs, key: '{{inputs.order}}' },
    });
    expect(result).toMatchObject({ update: { internalNote: 'Key: {{inputs.order}}' } });
  });
});
