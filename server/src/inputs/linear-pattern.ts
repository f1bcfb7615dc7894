import { RE2JS } from 're2js';
import type { Result } from '../../../shared/src/result';

/**
 * Input patterns come from the config and run on values from tickets, customers and agents. A
 * backtracking engine (JavaScript's RegExp) can take exponential time on a pattern such as
 * `^(a+)+$`: 29 characters froze the whole server. RE2's automaton answers in time linear in the
 * input whatever the pattern, so a hostile value can only cost its own length. The price is RE2's
 * syntax: no lookaround and no backreferences, which the config check reports.
 */
export interface LinearPattern {
  readonly source: string;
  /** Whether the pattern matches anywhere in the text (like RegExp.prototype.test). */
  test(text: string): boolean;
}

export type CompiledPattern = Result<LinearPattern, { message: string }>;

export function compileLinearPattern(source: string): CompiledPattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { message: message.replace(/^error parsing regexp: /, '') } };
  }
  return {
    ok: true,
    value: { source, test: (text) => compiled.matcher(text).find() },
  };
}

/** Whether the sidebar's browser (JavaScript, `u` flag) can check the pattern too. */
export function isJavaScriptPattern(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}

const MAX_UNBOUNDED_REPEATS = 3;

/**
 * Whether a backtracking engine (the agent's browser, the Salesforce component) can run the
 * pattern without risk of hanging: no repeated group that itself repeats or alternates (star
 * height above one, the shape of `^(a+)+$` and `(a|aa)*`), and at most three unbounded
 * repetitions (`\d*\d*\d*\d*` is polynomial of degree four). Conservative: a few harmless patterns
 * such as `^([a-z]+\.)*x$` are also kept from the browsers, which then leave the check to the server
 * rather than hang on a hostile ticket value.
 */
export function isSafeForBacktracking(source: string): boolean {
  // For each open group: did it contain a quantifier or an alternation?
  const groups: boolean[] = [];
  // Many unbounded repetitions in a row can also take polynomial time of a high degree.
  let unbounded = 0;
  let i = 0;
  const quantifierAt = (at: number): { repeats: boolean; length: number } | undefined => {
    const char = source[at];
    if (char === '*' || char === '+') {
      unbounded += 1;
      return { repeats: true, length: 1 };
    }
    if (char === '?') return { repeats: false, length: 1 };
    if (char === '{') {
      const match = /^\{(\d*)(,?)(\d*)\}/.exec(source.slice(at));
      if (!match) return undefined;
      const max =
        match[2] === ',' ? (match[3] === '' ? Infinity : Number(match[3])) : Number(match[1]);
      return { repeats: max > 1, length: match[0].length };
    }
    return undefined;
  };
  const markOuter = () => {
    if (groups.length) groups[groups.length - 1] = true;
  };
  while (i < source.length) {
    const char = source[i] as string;
    if (char === '\\') {
      i += 2;
    } else if (char === '[') {
      // A character class: skip to its end (a `]` first in the class is literal).
      i += source[i + 1] === '^' ? 2 : 1;
      if (source[i] === ']') i += 1;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i += 1;
    } else if (char === '(') {
      groups.push(false);
      i += 1;
    } else if (char === ')') {
      const risky = groups.pop() ?? false;
      i += 1;
      const quantifier = quantifierAt(i);
      if (quantifier) {
        if (quantifier.repeats && risky) return false;
        markOuter();
        i += quantifier.length;
      } else if (risky) {
        markOuter();
      }
      continue;
    } else if (char === '|') {
      markOuter();
      i += 1;
    } else {
      i += 1;
    }
    const quantifier = quantifierAt(i);
    if (quantifier && char !== '(' && char !== '|') {
      if (quantifier.repeats) markOuter();
      i += quantifier.length;
    }
  }
  return unbounded <= MAX_UNBOUNDED_REPEATS;
}
