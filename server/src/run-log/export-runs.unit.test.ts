import { describe, expect, it } from 'vitest';
import { createRunId } from './run-record';
import type { RunRecord } from './run-record';
import { formatRunsAsCsv, formatRunsAsNdjson } from './export-runs';

function runWith(message: string, actorName?: string): RunRecord {
  return {
    kind: 'connector',
    connectorId: 'shopify_order_lookup',
    id: createRunId(Date.parse('2026-12-04T10:00:00Z')),
    source: 'zendesk',
    actor: { kind: 'agent', id: '7', ...(actorName ? { name: actorName } : {}) },
    target: { system: 'zendesk', type: 'ticket', id: '1' },
    outcome: 'failed',
    errorCode: 'UPSTREAM_TIMEOUT',
    message,
    dryRun: false,
    inputs: {},
    outputs: {},
    writes: { status: 'none', changes: null },
    attempts: 3,
    startedAt: '2026-12-04T10:00:00.000Z',
    durationMs: 10_012,
  };
}

describe('exporting runs', () => {
  it('writes CSV a spreadsheet reads as values: quoted commas and quotes, no formulas', () => {
    const csv = formatRunsAsCsv([
      runWith('Shopify did not answer, "twice"', 'Alex Agent'),
      runWith('=HYPERLINK("http://evil.example","click")', '+cmd'),
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'id,startedAt,kind,what,system,targetType,targetId,outcome,errorCode,source,actorKind,actorName,durationMs,attempts,message',
    );
    expect(lines[1]).toMatch(
      /^run_\w+,2026-12-04T10:00:00\.000Z,connector,shopify_order_lookup,zendesk,ticket,1,failed,UPSTREAM_TIMEOUT,zendesk,agent,Alex Agent,10012,3,"Shopify did not answer, ""twice"""$/,
    );
    // A cell a spreadsheet would evaluate starts with an apostrophe, quoted.
    expect(lines[2]).toContain(`,"'+cmd",`);
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(lines[3]).toBe('');
  });

  it('writes NDJSON: one stored record per line', () => {
    const runs = [runWith('a'), runWith('b')];
    const lines = formatRunsAsNdjson(runs).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(runs);
    expect(formatRunsAsNdjson([])).toBe('');
  });
});
