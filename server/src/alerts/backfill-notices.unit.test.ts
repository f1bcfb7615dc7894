import { describe, expect, it } from 'vitest';
import { describeBackfillRuns } from './backfill-notices';

describe('describeBackfillRuns', () => {
  const finished = (completed: number, dead: number) =>
    ({
      outcome: 'finished',
      backfillId: 'bf_01KE0000000000000000000001',
      connectorId: 'order_lookup',
      completed,
      dead,
      at: '2026-01-07T09:30:00.000Z',
    }) as const;

  it('counts the matches that ran, those that completed and those that failed', () => {
    expect(describeBackfillRuns(finished(247, 3))).toBe('250 matches ran: 247 completed, 3 failed');
    expect(describeBackfillRuns(finished(1, 0))).toBe('1 match ran: 1 completed, 0 failed');
    expect(describeBackfillRuns(finished(0, 0))).toBe('0 matches ran: 0 completed, 0 failed');
  });
});
