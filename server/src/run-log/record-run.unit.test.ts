import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { createRedactor } from '../logging/redact';
import { buildTestRun } from './build-test-run';
import { recordRun } from './record-run';
import type { RunLogStore } from './run-record';

describe('recordRun', () => {
  it('puts the record in the log line when the store fails, and does not throw', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      redactor: createRedactor(() => []),
      write: (line) => lines.push(line),
    });
    const runLog = {
      record: async () => {
        throw new Error('disk full');
      },
    } as unknown as RunLogStore;
    const run = buildTestRun();
    await expect(recordRun({ runLog, logger }, run, 'delivery')).resolves.toBeUndefined();
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as { msg: string; run: { id: string } };
    expect(line.msg).toBe('run log write failed; the delivery is recorded here instead');
    expect(line.run.id).toBe(run.id);
  });

  it('stores the record as given', async () => {
    const stored: unknown[] = [];
    const runLog = {
      record: async (record: unknown) => void stored.push(record),
    } as unknown as RunLogStore;
    const logger = createLogger({ level: 'silent', redactor: createRedactor(() => []) });
    const run = buildTestRun();
    await recordRun({ runLog, logger }, run, 'run');
    expect(stored).toEqual([run]);
  });
});
