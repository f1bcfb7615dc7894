/**
 * Finds where a JSON text stops being valid and says why, in words an admin can act on.
 *
 * `JSON.parse` stays the parser; this scanner only runs after it failed. V8's messages differ
 * between Node versions, sometimes carry no position at all, and quote a slice of the file (which
 * we do not want in logs), so we locate the error ourselves.
 */

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  message: string;
  hint: string;
}

interface Failure {
  offset: number;
  message: string;
  hint: (at: string) => string;
}

class ScanError extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

const MAX_DEPTH = 1_000;

/**
 * Returns the first syntax error in `text`, or `undefined` when the text is valid JSON.
 *
 * @example
 * locateJsonSyntaxError('{\n  "a": 1,\n}')
 * // { line: 2, column: 9, message: 'Trailing comma', hint: 'remove the comma at line 2, column 9: …' }
 */
export function locateJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    scanDocument(text);
    return undefined;
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    const { line, column } = toLineColumn(text, error.failure.offset);
    return {
      line,
      column,
      message: error.failure.message,
      hint: error.failure.hint(`line ${line}, column ${column}`),
    };
  }
}

/** Converts a character offset into a 1-based line and column. */
export function toLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let index = 0; index < end; index += 1) {
    if (text.charCodeAt(index) === 10) {
      line += 1;
      lineStart = index + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function scanDocument(text: string): void {
  let pos = 0;

  const fail = (offset: number, message: string, hint: (at: string) => string): never => {
    throw new ScanError({ offset, message, hint });
  };

  const failEnd = (): never =>
    fail(
      text.length,
      'Unexpected end of file',
      () =>
        'the file ends early: add the missing closing } or ] (or wait until the file is saved completely)',
    );

  const skipWhitespace = (): void => {
    while (pos < text.length) {
      const char = text[pos];
      if (char === ' ' || char === '\t' || char === '\n' || char === '\r') pos += 1;
      else if (char === '/' && (text[pos + 1] === '/' || text[pos + 1] === '*')) {
        fail(pos, 'Comments are not allowed in JSON', () => 'remove the // or /* */ comment');
      } else return;
    }
  };

  const unexpected = (expected: string): never => {
    if (pos >= text.length) return failEnd();
    const char = text[pos] ?? '';
    if (char === "'") {
      return fail(
        pos,
        'Single quotes are not allowed in JSON',
        (at) => `use double quotes instead of single quotes at ${at}`,
      );
    }
    return fail(
      pos,
      `Unexpected character ${JSON.stringify(char)}, expected ${expected}`,
      (at) => `check for a trailing comma or a missing quote near ${at}`,
    );
  };

  const scanString = (): void => {
    const start = pos;
    pos += 1;
    while (pos < text.length) {
      const code = text.charCodeAt(pos);
      if (code === 34) {
        pos += 1;
        return;
      }
      if (code === 92) {
        const escape = text[pos + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
            fail(pos, 'Invalid \\u escape in string', () => 'write \\u followed by 4 hex digits');
          }
          pos += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) {
          pos += 2;
        } else {
          fail(
            pos,
            'Invalid escape in string',
            () =>
              'write a backslash as \\\\; valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX',
          );
        }
        continue;
      }
      if (code < 0x20) {
        const opened = toLineColumn(text, start);
        fail(
          pos,
          'Line break or control character inside a string',
          () =>
            `close the string that starts at line ${opened.line}, column ${opened.column} with a double quote, or write a line break as \\n`,
        );
      }
      pos += 1;
    }
    const opened = toLineColumn(text, start);
    fail(
      start,
      'Unterminated string',
      () =>
        `add the closing double quote to the string that starts at line ${opened.line}, column ${opened.column}`,
    );
  };

  const scanNumber = (): void => {
    const match = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos));
    if (!match) {
      return unexpected('a value');
    }
    const after = text[pos + match[0].length];
    if (after !== undefined && /[0-9.eE]/.test(after)) {
      fail(
        pos,
        'Invalid number',
        () => 'write numbers without leading zeros, e.g. 7 or 0.5 (or quote them as a string)',
      );
    }
    pos += match[0].length;
  };

  const scanValue = (depth: number): void => {
    if (depth > MAX_DEPTH) fail(pos, 'Too deeply nested', () => 'flatten the structure');
    skipWhitespace();
    const char = text[pos];
    if (char === undefined) return failEnd();
    if (char === '{') return scanObject(depth);
    if (char === '[') return scanArray(depth);
    if (char === '"') return scanString();
    if (char === '-' || (char >= '0' && char <= '9')) return scanNumber();
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, pos)) {
        pos += literal.length;
        return;
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos))?.[0];
    if (word) {
      return fail(
        pos,
        `Unexpected word ${JSON.stringify(word)}`,
        (at) =>
          `put text in double quotes ("${word}") at ${at}; only true, false and null are bare words`,
      );
    }
    return unexpected('a value');
  };

  /**
   * After an object's property or an array's item: true when the closing bracket ends the
   * container, false after a comma with more to come; anything else, or a trailing comma, fails.
   */
  const endsContainer = (close: '}' | ']', members: string, container: string): boolean => {
    skipWhitespace();
    if (text[pos] === close) {
      pos += 1;
      return true;
    }
    if (text[pos] !== ',') {
      if (pos >= text.length) return failEnd();
      return fail(
        pos,
        `Missing "," between ${members}`,
        (at) =>
          `add a comma before ${at} (or a closing ${close} if the ${container} should end here)`,
      );
    }
    const comma = pos;
    pos += 1;
    skipWhitespace();
    if (text[pos] === close) {
      return fail(
        comma,
        'Trailing comma',
        (at) => `remove the comma at ${at}: JSON allows no comma before ${close}`,
      );
    }
    return false;
  };

  const scanObject = (depth: number): void => {
    pos += 1;
    skipWhitespace();
    if (text[pos] === '}') {
      pos += 1;
      return;
    }
    for (;;) {
      skipWhitespace();
      if (text[pos] !== '"') {
        if (pos >= text.length) return failEnd();
        if (/[A-Za-z_$]/.test(text[pos] ?? '')) {
          return fail(
            pos,
            'Property name without double quotes',
            (at) => `put the property name at ${at} in double quotes, e.g. "name": …`,
          );
        }
        return unexpected('a property name in double quotes');
      }
      scanString();
      skipWhitespace();
      if (text[pos] !== ':') {
        if (pos >= text.length) return failEnd();
        return fail(pos, 'Missing ":" after property name', (at) => `add ":" at ${at}`);
      }
      pos += 1;
      scanValue(depth + 1);
      if (endsContainer('}', 'properties', 'object')) return;
    }
  };

  const scanArray = (depth: number): void => {
    pos += 1;
    skipWhitespace();
    if (text[pos] === ']') {
      pos += 1;
      return;
    }
    for (;;) {
      scanValue(depth + 1);
      if (endsContainer(']', 'array items', 'list')) return;
    }
  };

  scanValue(0);
  skipWhitespace();
  if (pos < text.length) {
    fail(
      pos,
      'Unexpected content after the end of the JSON value',
      (at) =>
        `remove what follows at ${at}, or wrap everything in one object: the file must hold a single { … }`,
    );
  }
}
