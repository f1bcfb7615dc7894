import { compile, tokenize } from '@jmespath-community/jmespath';

/**
 * Where a JMESPath expression stops making sense, as a 0-based character index. The library's
 * errors name the token ("unexpected token: .(Dot)") but not where it is, and an expression can
 * hold that token several times; so the position is that of the first token where a prefix of
 * the expression fails for a reason other than ending too soon.
 */
export function locateJmesPathError(expression: string): number {
  let tokens: { start: number }[];
  try {
    tokens = tokenize(expression) as { start: number }[];
  } catch {
    // A lexer error (an unclosed quote, a stray character): the shortest prefix that fails to
    // tokenize ends at the offending character.
    for (let end = 1; end <= expression.length; end++) {
      try {
        tokenize(expression.slice(0, end));
      } catch {
        return end - 1;
      }
    }
    return expression.length;
  }
  // Once a prefix fails on a token, every longer prefix fails on it too (the parser reads left to
  // right), so the first such token is found by halving, not by compiling every prefix: that was
  // O(n²) and took 300 ms for 1,000 "[" (the config load's fuzz test budgets 500 ms).
  let low = 0;
  let high = tokens.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (failsOnAToken(expression.slice(0, tokens[middle + 1]?.start ?? expression.length)))
      high = middle;
    else low = middle + 1;
  }
  return tokens[low]?.start ?? expression.length;
}

/** Whether the prefix fails on a token of its own, not merely by ending too soon. */
function failsOnAToken(prefix: string): boolean {
  try {
    compile(prefix);
    return false;
  } catch (error) {
    // Running out of input means everything so far was acceptable; anything else is a token.
    return !/\(EOF\)|got: EOF|end of (JSON )?input/i.test((error as Error).message);
  }
}

/**
 * The expression with a caret under the failing character, for a message an admin reads in a
 * terminal: `foo[?bar ==` then `           ^ at character 12`.
 */
export function pointAtJmesPathError(expression: string): string {
  const at = locateJmesPathError(expression);
  return `${expression}\n${' '.repeat(at)}^ at character ${at + 1}`;
}
