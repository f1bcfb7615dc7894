import { createRunId } from './run-record';
import type { ConnectorRunRecord } from './run-record';

/** A valid run for tests; `startedAt` also seeds the id's time prefix. */
export function buildTestRun(overrides: Partial<ConnectorRunRecord> = {}): ConnectorRunRecord {
  const startedAt = overrides.startedAt ?? '2025-03-01T12:00:00.000Z';
  return {
    id: createRunId(Date.parse(startedAt)),
    kind: 'connector',
    connectorId: 'order-lookup',
    source: 'zendesk',
    actor: { kind: 'agent', id: '42', name: 'Ada Agent', email: 'ada@example.com' },
    target: { system: 'zendesk', type: 'ticket', id: '1001' },
    outcome: 'success',
    message: 'Found order 7731',
    dryRun: false,
    inputs: { orderNumber: '7731' },
    outputs: { status: 'shipped' },
    writes: { status: 'written', changes: { custom_fields: [{ id: 1, value: 'shipped' }] } },
    attempts: 1,
    startedAt,
    durationMs: 120,
    ...overrides,
  };
}
