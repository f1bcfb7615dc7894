import type { Logger } from '../logging/logger';
import type { RunLogStore, RunRecord } from './run-record';

/**
 * Stores a finished run's record. The run already happened, so a failing store must not turn it
 * into an error for the caller: the structured log line then carries the record instead.
 * `record` is stored as given (already redacted and capped by the caller).
 */
export async function recordRun(
  deps: { runLog: RunLogStore; logger: Logger },
  record: RunRecord,
  what: string,
): Promise<void> {
  try {
    await deps.runLog.record(record);
  } catch (error) {
    deps.logger.error(`run log write failed; the ${what} is recorded here instead`, {
      error,
      run: record,
    });
  }
}
