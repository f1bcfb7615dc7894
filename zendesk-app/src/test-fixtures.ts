import type {
  ConnectorInputView,
  ConnectorView,
  RunResultView,
} from '../../shared/src/api/answer-schemas';
import type { MacroResult, MacroView } from './server-api';

/** Connector views shaped like the server's answers for config/connectors.json (tests only). */

export function buildInput(overrides: Partial<ConnectorInputView> = {}): ConnectorInputView {
  return {
    name: 'order_number',
    label: 'Order number',
    description: '',
    type: 'string',
    required: true,
    prompt: true,
    source: 'ticket.custom_fields.360001000001',
    pattern: '^#?[0-9]{1,12}$',
    maxLength: null,
    trim: true,
    value: '#1001',
    ...overrides,
  };
}

export function buildConnector(overrides: Partial<ConnectorView> = {}): ConnectorView {
  return {
    id: 'shopify_order_lookup',
    name: 'Look up Shopify order',
    description: 'Finds the order in the ticket’s Order number field.',
    confirm: false,
    method: 'GET',
    inputs: [buildInput()],
    outputs: [{ name: 'payment_status', label: 'Payment', redacted: false }],
    unavailable: null,
    lastRun: null,
    ...overrides,
  };
}

export const ORDER_LOOKUP = buildConnector();

export const JIRA_CREATE = buildConnector({
  id: 'jira_create_issue',
  name: 'Create Jira issue',
  description: 'Files the ticket as a Jira issue.',
  confirm: true,
  method: 'POST',
  inputs: [
    buildInput({
      name: 'summary',
      label: 'Summary',
      source: 'ticket.subject',
      pattern: null,
      maxLength: 255,
      value: 'Feature idea',
    }),
    buildInput({
      name: 'ticket_id',
      label: 'ticket_id',
      type: 'integer',
      prompt: false,
      source: 'ticket.id',
      pattern: null,
      value: '4',
    }),
  ],
});

export const JIRA_FROM_COMMENT = buildConnector({
  id: 'jira_issue_from_comment',
  name: 'Create Jira issue from a comment',
  description: 'Files one comment as a Jira issue.',
  confirm: true,
  method: 'POST',
  inputs: [
    buildInput({
      name: 'comment',
      label: 'Comment',
      prompt: false,
      source: 'comment.body',
      pattern: null,
      maxLength: 30000,
      value: null,
    }),
  ],
});

export const NO_INPUTS = buildConnector({
  id: 'ping',
  name: 'Ping the warehouse',
  description: 'Checks stock levels.',
  inputs: [],
});

export function buildRunResult(overrides: Partial<RunResultView> = {}): RunResultView {
  return {
    runId: 'run_01J0000000000000000000000A',
    connectorId: 'shopify_order_lookup',
    outcome: 'success',
    upstreamOutcome: 'success',
    upstreamStatus: 200,
    message: 'Order #1001: paid, fulfilled.',
    outputs: [
      { name: 'payment_status', label: 'Payment', value: 'paid', redacted: false },
      { name: 'card_last4', label: 'Card', value: '[redacted]', redacted: true },
    ],
    writes: {
      status: 'written',
      changes: {
        customFields: [
          { id: 360001000002, value: 'paid' },
          { id: 360001000006, value: '[redacted]' },
        ],
        additionalTags: ['looked_up'],
      },
    },
    dryRun: false,
    durationMs: 120,
    attempts: 1,
    ...overrides,
  };
}

export const ESCALATE: MacroView = {
  id: 'escalate_to_engineering',
  name: 'Escalate to engineering',
  description:
    'Creates a Jira issue from the ticket, stores its key, tags the ticket and adds an internal note.',
  confirm: true,
  connectors: [{ id: 'jira_create_issue', name: 'Create Jira issue' }],
  unavailable: null,
};

export const TIDY_UP: MacroView = {
  id: 'tidy_up',
  name: 'Tidy up',
  description: 'Tags the ticket for the weekly review.',
  confirm: false,
  connectors: [],
  unavailable: null,
};

/** What the server answered for escalate_to_engineering on a sandbox ticket. */
export function buildMacroResult(overrides: Partial<MacroResult> = {}): MacroResult {
  return {
    macroId: 'escalate_to_engineering',
    runId: 'run_01J0000000000000000000000M',
    outcome: 'success',
    message: 'All steps completed.',
    steps: [
      {
        stepId: 'create_issue',
        type: 'run',
        outcome: 'success',
        message: 'Created SUP-7.',
        runId: 'run_01J0000000000000000000000B',
        writes: { status: 'none', changes: null },
        resumed: false,
      },
      {
        stepId: 'after_create',
        type: 'branch',
        outcome: 'success',
        message: 'Took the success path.',
        path: 'success',
        resumed: false,
      },
      {
        stepId: 'write_key',
        type: 'write',
        outcome: 'success',
        message: 'Written.',
        writes: { customFields: [{ id: 360001000005, value: 'SUP-7' }] },
        resumed: false,
      },
      {
        stepId: 'add_tag',
        type: 'write',
        outcome: 'success',
        message: 'Written.',
        writes: { additionalTags: ['escalated_to_engineering'] },
        resumed: false,
      },
      {
        stepId: 'add_note',
        type: 'write',
        outcome: 'success',
        message: 'Written.',
        writes: { internalNote: 'Escalated to engineering as Jira issue SUP-7.' },
        resumed: false,
      },
    ],
    ...overrides,
  };
}
