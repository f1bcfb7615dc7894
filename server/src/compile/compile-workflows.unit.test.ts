import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTestConfig, TEST_CONNECTION_ID } from '../test-support/test-config';

/**
 * Workflow and macro validation: each mistake an admin can make is reported at load, with the
 * JSON path of the place to fix and a message that names what is wrong.
 */

const CONNECTORS = [
  {
    id: 'create_issue',
    name: 'Create issue',
    connection: TEST_CONNECTION_ID,
    surfaces: ['automation'],
    inputs: [
      { name: 'summary', source: 'ticket.subject' },
      { name: 'idempotency_key', required: false, default: '' },
    ],
    request: {
      method: 'POST',
      path: '/issues',
      body: { type: 'json', value: { s: '{{inputs.summary}}' } },
    },
    response: { outputs: [{ name: 'key', path: 'key' }] },
  },
  {
    id: 'sidebar_only',
    name: 'Sidebar only',
    connection: TEST_CONNECTION_ID,
    surfaces: ['zendesk'],
    request: { method: 'GET', path: '/x' },
  },
];

function compileWith(parts: { workflows?: unknown[]; macros?: unknown[] }) {
  return compileTestConfig({
    connections: {
      [TEST_CONNECTION_ID]: {
        baseUrl: 'https://api.example.com/v1',
        auth: { type: 'bearer', token: '{{secrets.API_TOKEN}}' },
      },
    },
    connectors: CONNECTORS,
    ...parts,
  });
}

function workflow(steps: unknown[]) {
  return { id: 'flow', name: 'Flow', trigger: { zendesk: {} }, steps };
}

function issuesOf(parts: Parameters<typeof compileWith>[0]) {
  const result = compileWith(parts);
  if (result.ok) throw new Error('expected the config to be refused');
  return result.error.issues;
}

const run = { type: 'run', id: 'create', connector: 'create_issue' };

describe('workflow validation', () => {
  it('compiles the shipped example config', () => {
    const raw = JSON.parse(readFileSync('config/connectors.json', 'utf8')) as Record<
      string,
      unknown
    >;
    const result = compileTestConfig(
      raw,
      JSON.parse(readFileSync('config/sandbox.secrets.json', 'utf8')),
    );
    expect(result.ok ? [] : result.error.issues).toEqual([]);
    if (!result.ok) return;
    expect([...result.value.compiled.workflows.keys()]).toEqual([
      'feature_request_to_jira',
      'handover_to_email_team',
      'escalated_case_to_jira',
    ]);
    expect(result.value.compiled.macros.get('escalate_to_engineering')?.confirm).toBe(true);
    expect(result.value.compiled.macros.get('escalate_case')?.confirm).toBe(true);
  });

  it('names an unknown connector and the ones that exist', () => {
    expect(issuesOf({ workflows: [workflow([{ ...run, connector: 'nope' }])] })).toContainEqual(
      expect.objectContaining({
        path: ['workflows', 0, 'steps', 0, 'connector'],
        message: 'unknown connector "nope"',
        hint: expect.stringContaining('create_issue'),
      }),
    );
  });

  it('refuses a connector that is not offered to automations', () => {
    expect(
      issuesOf({ workflows: [workflow([{ ...run, connector: 'sidebar_only' }])] }),
    ).toContainEqual(
      expect.objectContaining({
        message: 'connector "sidebar_only" is not offered to automations',
      }),
    );
  });

  it('refuses duplicate step ids, branches included', () => {
    const steps = [
      run,
      { type: 'branch', id: 'b', on: 'create', success: [{ type: 'stop', id: 'create' }] },
    ];
    expect(issuesOf({ workflows: [workflow(steps)] })).toContainEqual(
      expect.objectContaining({
        path: ['workflows', 0, 'steps', 1, 'success', 0, 'id'],
        message: 'duplicate step id "create"',
      }),
    );
  });

  it('refuses a branch on an unknown step, on a later step and on a step that is not a run', () => {
    const unknown = issuesOf({
      workflows: [workflow([run, { type: 'branch', id: 'b', on: 'nope' }])],
    });
    expect(unknown).toContainEqual(
      expect.objectContaining({
        path: ['workflows', 0, 'steps', 1, 'on'],
        message: '"on" names an unknown step "nope"',
      }),
    );
    const later = issuesOf({
      workflows: [workflow([{ type: 'branch', id: 'b', on: 'create' }, run])],
    });
    expect(later).toContainEqual(
      expect.objectContaining({ message: '"on" names step "create", which runs later' }),
    );
    const collect = {
      type: 'collect',
      id: 'read',
      values: [{ name: 'subject', source: 'ticket.subject' }],
    };
    const notRun = issuesOf({
      workflows: [workflow([collect, { type: 'branch', id: 'b', on: 'read' }])],
    });
    expect(notRun).toContainEqual(
      expect.objectContaining({
        message: '"on" names a "collect" step; a branch follows the outcome of a "run" step',
      }),
    );
  });

  it('refuses template references to steps that run later, or only in another branch', () => {
    const write = (note: string) => ({ type: 'write', id: 'w', internalNote: note });
    const later = issuesOf({ workflows: [workflow([write('{{steps.create.outputs.key}}'), run])] });
    expect(later).toContainEqual(
      expect.objectContaining({
        path: ['workflows', 0, 'steps', 0, 'internalNote'],
        message: '{{steps.create.outputs.key}} refers to step "create", which runs later',
      }),
    );
    const branchy = [
      run,
      {
        type: 'branch',
        id: 'b',
        on: 'create',
        success: [{ ...run, id: 'again' }],
        failure: [write('{{steps.again.outputs.key}}')],
      },
    ];
    expect(issuesOf({ workflows: [workflow(branchy)] })).toContainEqual(
      expect.objectContaining({
        message:
          '{{steps.again.outputs.key}} refers to step "again", which may not have run here (it is in another branch)',
      }),
    );
  });

  it('refuses an unknown output, an uncollected value and {{error}} outside a failure path', () => {
    const steps = [
      run,
      {
        type: 'write',
        id: 'w',
        internalNote: '{{steps.create.outputs.nope}} {{collected.subject}} {{error.message}}',
      },
    ];
    const messages = issuesOf({ workflows: [workflow(steps)] }).map((issue) => issue.message);
    expect(messages).toContain(
      '{{steps.create.outputs.nope}}: connector "create_issue" has no output "nope"',
    );
    expect(messages).toContain(
      '{{collected.subject}} refers to a value no "collect" step collects',
    );
    expect(messages).toContain('{{error.message}}: {{error.…}} is not available in a write step');
  });

  it('allows {{error}} in a failure path and outputs after their step', () => {
    const steps = [
      { type: 'collect', id: 'read', values: [{ name: 'subject', source: 'ticket.subject' }] },
      { ...run, inputs: { summary: 'From {{collected.subject}}' }, idempotencyKey: true },
      {
        type: 'branch',
        id: 'b',
        on: 'create',
        success: [{ type: 'write', id: 'ok', internalNote: 'Key {{steps.create.outputs.key}}' }],
        failure: [{ type: 'write', id: 'ko', internalNote: '{{error.code}}: {{error.message}}' }],
      },
    ];
    expect(compileWith({ workflows: [workflow(steps)] })).toMatchObject({ ok: true });
  });

  it('refuses connector inputs the connector does not have, and a key it cannot carry', () => {
    const noKeyConnector = { ...run, connector: 'sidebar_only', idempotencyKey: 'k' };
    const messages = issuesOf({
      workflows: [
        workflow([
          { ...run, inputs: { nope: 'x' } },
          { ...noKeyConnector, id: 'other' },
        ]),
      ],
    }).map((issue) => issue.message);
    expect(messages).toContain('connector "create_issue" has no input "nope"');
    expect(messages).toContain(
      'connector "sidebar_only" has no input "idempotency_key" to carry the key',
    );
  });

  it('refuses secrets and unknown roots in workflow templates', () => {
    const messages = issuesOf({
      workflows: [
        workflow([{ type: 'write', id: 'w', zendesk: { internalNote: '{{secrets.API_TOKEN}}' } }]),
      ],
    }).map((issue) => issue.message);
    expect(messages).toEqual([expect.stringContaining('unknown template root "secrets"')]);
  });

  it('refuses trigger values in a macro, and duplicate workflow ids', () => {
    const macro = {
      id: 'macro',
      name: 'Macro',
      steps: [{ type: 'collect', id: 'read', values: [{ name: 'x', source: 'trigger.x' }] }],
    };
    expect(issuesOf({ macros: [macro] })).toContainEqual(
      expect.objectContaining({ message: '"trigger.x": a macro has no trigger' }),
    );
    expect(issuesOf({ workflows: [workflow([run]), workflow([run])] })).toContainEqual(
      expect.objectContaining({
        path: ['workflows', 1, 'id'],
        message: expect.stringContaining('duplicate workflow id'),
      }),
    );
  });
});
