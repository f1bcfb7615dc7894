import { describe, expect, it } from 'vitest';
import {
  describeMacroFailure,
  describeMacroResult,
  executeMacro,
  labelStep,
  macroUpdates,
  macroFirstStep,
} from './macro-flow';
import { savedChangesOf } from './run-result';
import type { ApiResult, MacroResult, MacroRunBody, ServerApi } from './server-api';
import { ESCALATE, TIDY_UP, buildMacroResult } from './test-fixtures';

describe('the steps of running a macro', () => {
  it('asks once for the whole macro when a step has side effects, else runs at once', () => {
    expect(macroFirstStep(ESCALATE)).toBe('confirm');
    expect(macroFirstStep(TIDY_UP)).toBe('run');
  });
});

describe('showing a macro’s result', () => {
  it('gives the overall outcome and message, and each step with its outcome and message', () => {
    const view = describeMacroResult(buildMacroResult());
    expect(view).toMatchObject({
      outcome: 'success',
      tone: 'success',
      title: 'Success',
      message: 'All steps completed.',
      retryable: false,
    });
    expect(view.steps.map((step) => [step.label, step.title, step.message])).toEqual([
      ['Create issue', 'Success', 'Created SUP-7.'],
      ['After create', 'Success', 'Took the success path.'],
      ['Write key', 'Success', 'Written.'],
      ['Add tag', 'Success', 'Written.'],
      ['Add note', 'Success', 'Written.'],
    ]);
  });

  it('offers a retry when a step failed for a reason that passes, with the step in danger', () => {
    const view = describeMacroResult(
      buildMacroResult({
        outcome: 'failed',
        message: 'Step "create_issue" failed (UPSTREAM_HTTP_ERROR): 503; its failure path ran.',
        steps: [
          {
            stepId: 'create_issue',
            resumed: false,
            type: 'run',
            outcome: 'failed',
            message: 'Jira did not create the issue: 503',
            error: { code: 'UPSTREAM_HTTP_ERROR', message: '503' },
            upstreamStatus: 503,
          },
          {
            stepId: 'note_failure',
            resumed: false,
            type: 'write',
            outcome: 'success',
            message: 'Written.',
          },
        ],
      }),
    );
    expect(view).toMatchObject({ outcome: 'failed', tone: 'danger', retryable: true });
    expect(view.steps[0]).toMatchObject({
      outcome: 'failed',
      title: 'Failed',
      message: 'Jira did not create the issue: 503',
    });
  });

  it('offers no retry after a refusal or a 404, which a second click only repeats', () => {
    const failedWith = (error: { code: string; message: string }, upstreamStatus?: number) =>
      describeMacroResult(
        buildMacroResult({
          outcome: 'failed',
          message: 'A step failed.',
          steps: [
            {
              stepId: 'create_issue',
              label: 'Create Jira issue',
              resumed: false,
              type: 'run',
              outcome: 'failed',
              message: 'Jira refused the issue.',
              error,
              ...(upstreamStatus === undefined ? {} : { upstreamStatus }),
            },
          ],
        }),
      );
    expect(failedWith({ code: 'UPSTREAM_HTTP_ERROR', message: '400' }, 400).retryable).toBe(false);
    expect(failedWith({ code: 'UPSTREAM_HTTP_ERROR', message: '404' }, 404).retryable).toBe(false);
    expect(failedWith({ code: 'INPUT_INVALID', message: 'Summary is required' }).retryable).toBe(
      false,
    );
    expect(failedWith({ code: 'UPSTREAM_TIMEOUT', message: 'slow' }).retryable).toBe(true);
    expect(failedWith({ code: 'UPSTREAM_HTTP_ERROR', message: '429' }, 429).retryable).toBe(true);
    // The server's label, not the step id.
    expect(failedWith({ code: 'UPSTREAM_TIMEOUT', message: 'slow' }).steps[0]?.label).toBe(
      'Create Jira issue',
    );
  });

  it('names a step after its id', () => {
    expect(labelStep('create_issue')).toBe('Create issue');
    expect(labelStep('add-note')).toBe('Add note');
    expect(labelStep('x')).toBe('X');
    expect(labelStep('__')).toBe('__');
  });
});

describe('what a macro saved on the ticket', () => {
  it('comes from write steps and from run steps whose write-back landed', () => {
    const updates = macroUpdates(
      buildMacroResult({
        steps: [
          {
            stepId: 'lookup',
            resumed: false,
            type: 'run',
            outcome: 'success',
            message: 'Found.',
            writes: {
              status: 'written',
              changes: { customFields: [{ id: 360001000002, value: 'paid' }] },
            },
          },
          {
            stepId: 'lookup_refused',
            resumed: false,
            type: 'run',
            outcome: 'failed',
            message: 'The ticket was not updated.',
            writes: {
              status: 'failed',
              changes: { customFields: [{ id: 360001000003, value: 'x' }] },
            },
          },
          ...buildMacroResult().steps,
        ],
      }).steps,
    );
    expect(savedChangesOf(updates)).toEqual({
      fields: 2,
      tagsAdded: ['escalated_to_engineering'],
      tagsRemoved: [],
      note: true,
    });
  });

  it('counts a field written twice once, and skips what is not an update', () => {
    const write = (stepId: string, writes: unknown) => ({
      stepId,
      resumed: false,
      type: 'write',
      outcome: 'success' as const,
      message: 'Written.',
      writes,
    });
    expect(
      savedChangesOf(
        macroUpdates([
          write('first', { customFields: [{ id: 1, value: 'a' }] }),
          write('second', {
            customFields: [
              { id: 2, value: 'b' },
              { id: 1, value: 'c' },
            ],
            removeTags: ['jira_failed', 7],
          }),
          write('junk', { customFields: [{ id: 'not-a-number', value: 'x' }, null] }),
          write('none', null),
        ]),
      ),
    ).toEqual({ fields: 2, tagsAdded: [], tagsRemoved: ['jira_failed'], note: false });
  });

  it('is nothing when no step wrote', () => {
    expect(savedChangesOf(macroUpdates([]))).toEqual({
      fields: 0,
      tagsAdded: [],
      tagsRemoved: [],
      note: false,
    });
  });
});

describe('errors while running a macro', () => {
  it('retry a lost answer with the same Idempotency-Key, so the server replays the first run', () => {
    const timeout = describeMacroFailure(
      { code: 'TIMEOUT', status: 0, message: 'The server did not answer in time.' },
      'https://s',
    );
    expect(timeout).toMatchObject({ code: 'TIMEOUT', retryable: true, sameKeyOnRetry: true });
    expect(timeout.message).toBe('The macro may still finish on the server.');
    expect(timeout.hint).toContain('Retry will not run it twice');
    const unreachable = describeMacroFailure(
      { code: 'SERVER_UNREACHABLE', status: 0, message: '' },
      'https://s',
    );
    expect(unreachable).toMatchObject({ retryable: true, sameKeyOnRetry: true });
    expect(unreachable.message).toBe('https://s did not answer.');
  });

  it('leave the shared messages alone otherwise', () => {
    const auth = describeMacroFailure(
      { code: 'AUTH_INVALID', status: 401, message: 'bad token' },
      'https://s',
    );
    expect(auth.hint).toContain('ZENDESK_APP_INSTALLATION_ID');
    expect(auth.retryable).toBe(false);
  });
});

function fakeApi(answer: ApiResult<MacroResult>) {
  const calls: [string, MacroRunBody, string][] = [];
  const api: Pick<ServerApi, 'runMacro'> = {
    runMacro: async (macroId, body, idempotencyKey) => {
      calls.push([macroId, body, idempotencyKey]);
      return answer;
    },
  };
  return { api, calls };
}

describe('executing a macro', () => {
  it('sends the ticket, the agent and the confirmation, then says what was saved', async () => {
    const { api, calls } = fakeApi({ ok: true, value: buildMacroResult() });
    const outcome = await executeMacro(
      { api, serverUrl: 'https://s' },
      { macro: ESCALATE, ticketId: 4, idempotencyKey: 'click-0001' },
    );
    expect(calls).toEqual([
      ['escalate_to_engineering', { ticketId: 4, confirmed: true }, 'click-0001'],
    ]);
    expect(outcome).toMatchObject({
      kind: 'result',
      view: { outcome: 'success' },
      saved: { fields: 1, tagsAdded: ['escalated_to_engineering'], note: true },
    });
  });

  it('sends no agent id (the session names the agent)', async () => {
    const { api, calls } = fakeApi({ ok: true, value: buildMacroResult() });
    await executeMacro(
      { api, serverUrl: 'https://s' },
      { macro: TIDY_UP, ticketId: 4, idempotencyKey: 'click-0002' },
    );
    expect(calls[0]?.[1]).toEqual({ ticketId: 4, confirmed: false });
  });

  it('turns a refusal into an error view', async () => {
    const { api } = fakeApi({
      ok: false,
      error: { code: 'CONFIG_UNAVAILABLE', status: 503, message: 'No config.' },
    });
    const outcome = await executeMacro(
      { api, serverUrl: 'https://s' },
      { macro: ESCALATE, ticketId: 4, idempotencyKey: 'click-0003' },
    );
    expect(outcome).toMatchObject({
      kind: 'error',
      error: { code: 'CONFIG_UNAVAILABLE', retryable: true },
    });
  });
});
