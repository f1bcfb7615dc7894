import { describe, expect, it } from 'vitest';
import { executeRun, firstStep, stepAfterForm } from './run-flow';
import type { RunPlan } from './run-flow';
import type { ServerApi } from './server-api';
import {
  JIRA_CREATE,
  JIRA_FROM_COMMENT,
  NO_INPUTS,
  ORDER_LOOKUP,
  buildRunResult,
} from './test-fixtures';

describe('the steps of a run', () => {
  it('asks for a comment first when the connector reads one', () => {
    expect(firstStep(JIRA_FROM_COMMENT, undefined)).toBe('pick-comment');
    expect(firstStep(JIRA_FROM_COMMENT, 10000000001)).toBe('confirm');
  });

  it('shows the form when there are inputs to type, then confirms when needed', () => {
    expect(firstStep(ORDER_LOOKUP, undefined)).toBe('form');
    expect(stepAfterForm(ORDER_LOOKUP)).toBe('run');
    expect(firstStep(JIRA_CREATE, undefined)).toBe('form');
    expect(stepAfterForm(JIRA_CREATE)).toBe('confirm');
  });

  it('runs at once when there is nothing to type or confirm', () => {
    expect(firstStep(NO_INPUTS, undefined)).toBe('run');
  });
});

function fakeApi(answer: Awaited<ReturnType<ServerApi['runConnector']>>) {
  const calls: Parameters<ServerApi['runConnector']>[] = [];
  const api = {
    runConnector: async (...args: Parameters<ServerApi['runConnector']>) => {
      calls.push(args);
      return answer;
    },
  } as ServerApi;
  return { api, calls };
}

const plan: RunPlan = {
  connector: JIRA_CREATE,
  ticketId: 4,
  commentId: undefined,
  inputs: { summary: 'Wish lists' },
  idempotencyKey: 'key-0001-abcdef',
};

describe('executing a run', () => {
  it('sends the agent, the inputs, the confirmation and the key, then says what was saved', async () => {
    const { api, calls } = fakeApi({ ok: true, value: buildRunResult() });
    const outcome = await executeRun({ api, serverUrl: 'https://s' }, plan);
    expect(calls).toEqual([
      [
        'jira_create_issue',
        { ticketId: 4, inputs: { summary: 'Wish lists' }, confirmed: true },
        'key-0001-abcdef',
      ],
    ]);
    expect(outcome).toMatchObject({ kind: 'result', saved: { fields: 2 } });
  });

  it('says nothing was saved when the write-back did not land', async () => {
    const result = buildRunResult();
    const { api } = fakeApi({
      ok: true,
      value: { ...result, writes: { ...result.writes, status: 'failed' } },
    });
    const outcome = await executeRun({ api, serverUrl: 'https://s' }, plan);
    expect(outcome).toMatchObject({
      kind: 'result',
      saved: { fields: 0, tagsAdded: [], tagsRemoved: [], note: false },
    });
  });

  it('sends the comment id and leaves out an unknown agent', async () => {
    const { api, calls } = fakeApi({
      ok: true,
      value: buildRunResult({ writes: { status: 'none', changes: null } }),
    });
    await executeRun(
      { api, serverUrl: 'https://s' },
      {
        ...plan,
        connector: JIRA_FROM_COMMENT,
        commentId: 10000000003,
        inputs: {},
      },
    );
    expect(calls[0]?.[1]).toEqual({
      ticketId: 4,
      commentId: 10000000003,
      inputs: {},
      confirmed: true,
    });
  });

  it('turns a refusal into an error that names the input by its label', async () => {
    const { api } = fakeApi({
      ok: false,
      error: {
        code: 'INPUT_INVALID',
        status: 422,
        message: 'Summary is required',
        details: [{ input: 'summary', code: 'INPUT_MISSING', message: 'Summary is required' }],
      },
    });
    const outcome = await executeRun({ api, serverUrl: 'https://s' }, plan);
    expect(outcome).toMatchObject({ kind: 'error', error: { title: 'Check the input: Summary' } });
  });
});
