import { expect } from 'vitest';
import { macroResultViewSchema } from '../../shared/src/api/answer-schemas';

/**
 * Each step of a macro answer as `[stepId, outcome]`, in order: what the macro suites compare. The
 * answer is parsed with the endpoint's contract first, so a malformed answer fails here, not as a
 * confusing mismatch.
 */
export function stepOutcomes(answer: unknown): [string, string][] {
  return macroResultViewSchema.parse(answer).steps.map((step) => [step.stepId, step.outcome]);
}

/** How the shipped `escalate_to_engineering` macro is listed on a ticket it applies to. */
export const ESCALATE_TO_ENGINEERING_VIEW = {
  id: 'escalate_to_engineering',
  name: 'Escalate to engineering',
  description: expect.any(String),
  confirm: true,
  connectors: [{ id: 'jira_create_issue', name: 'Create Jira issue' }],
  unavailable: null,
};
