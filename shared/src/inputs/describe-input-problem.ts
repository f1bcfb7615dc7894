/**
 * What an agent reads when a value does not have the input's format: the admin's example or
 * hint, else plain words. The pattern itself is for the config's author and never shown.
 */
export function describePatternMismatch(input: {
  hint?: string | null;
  example?: string | null;
}): string {
  if (input.example) return `should look like “${input.example}”`;
  if (input.hint) return `is not in the expected form: ${input.hint}`;
  return 'is not in the expected format';
}
