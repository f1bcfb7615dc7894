import { macroResultViewSchema } from '../../shared/src/api/answer-schemas';

/**
 * Each step of a macro answer as `[stepId, outcome]`, in order: what the macro suites compare. The
 * answer is parsed with the endpoint's contract first, so a malformed answer fails here, not as a
 * confusing mismatch.
 */
export function stepOutcomes(answer: unknown): [string, string][] {
  return macroResultViewSchema.parse(answer).steps.map((step) => [step.stepId, step.outcome]);
}
