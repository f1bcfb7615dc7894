import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { Result } from '../../../shared/src/result';

/**
 * A command's options and positionals, strictly: an unknown or malformed option is a one-line
 * error value, never a throw, so every command answers a typo the same way.
 */
export function parseCliOptions<const TOptions extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: TOptions,
): Result<
  ReturnType<typeof parseArgs<{ options: TOptions; allowPositionals: true; strict: true }>>,
  string
> {
  try {
    return {
      ok: true,
      value: parseArgs({ args: [...args], options, allowPositionals: true, strict: true }),
    };
  } catch (error) {
    // node:util's message names the option ("Unknown option '--sinse'"); the stack helps nobody.
    return { ok: false, error: (error as Error).message };
  }
}
