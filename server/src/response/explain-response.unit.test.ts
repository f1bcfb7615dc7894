import { describe, expect, it } from 'vitest';
import { compileTestConnector } from '../test-support/test-config';
import { explainResponse } from './explain-response';
import type { UpstreamAnswer } from './read-response';

const slack = compileTestConnector({
  connector: {
    response: {
      failWhen: 'ok == `false`',
      failureMessage: 'error',
      outputs: [{ name: 'ts', path: 'ts' }],
    },
  },
});

function jsonAnswer(json: unknown): UpstreamAnswer {
  return { status: 200, contentType: 'application/json', json, bodyText: JSON.stringify(json) };
}

describe('explainResponse: failWhen', () => {
  it('shows the failWhen rule that failed an answer reporting its own error', () => {
    const explained = explainResponse(slack, jsonAnswer({ ok: false, error: 'channel_not_found' }));
    expect(explained.paths).toEqual([
      {
        rule: 'response.failWhen',
        expression: 'ok == `false`',
        found: true,
        effect: 'so the run fails: the answer reports an error',
      },
    ]);
    expect(explained.reading).toMatchObject({
      outcome: 'failed',
      error: { code: 'UPSTREAM_REPORTED_ERROR', upstreamError: 'channel_not_found' },
    });
  });

  it('shows failWhen as passed before the outputs of a good answer', () => {
    const explained = explainResponse(slack, jsonAnswer({ ok: true, ts: '1.2' }));
    expect(explained.paths.map((path) => [path.rule, path.effect])).toEqual([
      ['response.failWhen', 'so the answer is not a reported error'],
      ['outputs.ts', ''],
    ]);
  });
});
