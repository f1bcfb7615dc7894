import type { RunResultView } from '../../../shared/src/api/api-contracts';
import type { RunConnectorResult } from '../runs/run-connector';
import { toRunResultView } from '../runs/run-result-view';
import type { IdempotentOutcome } from './run-with-idempotency';

/** A run or a refusal, as the idempotent HTTP edge answers it. */
export function toRunAnswer(ran: RunConnectorResult): IdempotentOutcome<RunResultView> {
  return ran.ok ? { ok: true, value: toRunResultView(ran.value) } : ran;
}
