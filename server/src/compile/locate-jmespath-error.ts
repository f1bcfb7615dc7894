import { compile, tokenize } from '@jmespath-community/jmespath';

/**
 * Where a JMESPath expression stops making sense, as a 0-based character index. The library's
 * errors name the token ("unexpected token: .(Dot)") but not where it is, and an expression can
 * hold that token several times; so the position is found by growing the expression until it
 * fails for a reason other than ending too soon.
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
  for (const [index, token] of tokens.entries()) {
    const end = tokens[index + 1]?.start ?? expression.length;
    try {
      compile(expression.slice(0, end));
    } catch (error) {
      // Running out of input means everything so far was acceptable; anything else is this token.
      if (!/\(EOF\)|got: EOF|end of (JSON )?input/i.test((error as Error).message))
        return token.start;
    }
  }
  return expression.length;
}

/**
 * The expression with a caret under the failing character, for a message an admin reads in a
 * terminal: `foo[?bar ==` then `           ^ at character 12`.
 */
export function pointAtJmesPathError(expression: string): string {
  const at = locateJmesPathError(expression);
  return `${expression}\n${' '.repeat(at)}^ at character ${at + 1}`;
}
