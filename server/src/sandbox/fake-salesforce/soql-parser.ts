/**
 * A deliberately small SOQL parser: `SELECT a, b.c FROM Object [WHERE x = 'v' [AND y = true]…]
 * [LIMIT n]`. That is everything the server's client sends; anything else is refused as
 * MALFORMED_QUERY, so a client that drifts into richer SOQL fails loudly in tests instead of
 * being answered with something a real org would not return.
 */

export interface FieldPath {
  /** Segments as written, e.g. ['Contact', 'Email']. */
  segments: string[];
  raw: string;
}

export type SoqlLiteral = string | number | boolean | null;

export interface SoqlCondition {
  path: FieldPath;
  value: SoqlLiteral;
}

export interface SoqlQuery {
  fields: FieldPath[];
  from: string;
  where: SoqlCondition[];
  limit: number | undefined;
}

type Token =
  | { kind: 'word'; text: string; column: number }
  | { kind: 'string'; text: string; column: number }
  | { kind: 'number'; text: string; column: number }
  | { kind: 'symbol'; text: ',' | '.' | '='; column: number };

export type ParseSoqlResult = { ok: true; query: SoqlQuery } | { ok: false; message: string };

class SoqlSyntaxError {
  constructor(readonly message: string) {}
}

function fail(column: number, token: string): never {
  throw new SoqlSyntaxError(`ERROR at Row:1:Column:${column}\nunexpected token: '${token}'`);
}

const STRING_ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    const column = index + 1;
    if (/\s/.test(char)) {
      index += 1;
    } else if (/[A-Za-z_]/.test(char)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(index)) as RegExpExecArray;
      tokens.push({ kind: 'word', text: match[0], column });
      index += match[0].length;
    } else if (/[0-9]/.test(char)) {
      const match = /^[0-9]+/.exec(text.slice(index)) as RegExpExecArray;
      tokens.push({ kind: 'number', text: match[0], column });
      index += match[0].length;
    } else if (char === ',' || char === '.' || char === '=') {
      tokens.push({ kind: 'symbol', text: char, column });
      index += 1;
    } else if (char === "'") {
      let value = '';
      index += 1;
      for (;;) {
        const next = text[index];
        if (next === undefined) fail(column, text.slice(column - 1));
        if (next === "'") break;
        if (next === '\\') {
          const escaped = STRING_ESCAPES[text[index + 1] ?? ''];
          if (escaped === undefined) fail(index + 1, text.slice(index, index + 2));
          value += escaped;
          index += 2;
          continue;
        }
        value += next;
        index += 1;
      }
      index += 1;
      tokens.push({ kind: 'string', text: value, column });
    } else {
      fail(column, char);
    }
  }
  return tokens;
}

class TokenReader {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.position];
  }

  next(): Token | undefined {
    const token = this.tokens[this.position];
    this.position += 1;
    return token;
  }

  atEnd(): boolean {
    return this.position >= this.tokens.length;
  }

  isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toUpperCase() === keyword;
  }

  expectKeyword(keyword: string): void {
    const token = this.next();
    if (token?.kind !== 'word' || token.text.toUpperCase() !== keyword) {
      fail(token?.column ?? 0, token?.text ?? '<EOF>');
    }
  }

  expectWord(): Token {
    const token = this.next();
    if (token?.kind !== 'word') fail(token?.column ?? 0, token?.text ?? '<EOF>');
    return token;
  }
}

const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'LIMIT',
  'ORDER',
  'GROUP',
]);

function readPath(reader: TokenReader): FieldPath {
  const first = reader.expectWord();
  if (RESERVED.has(first.text.toUpperCase())) fail(first.column, first.text);
  const segments = [first.text];
  while (reader.peek()?.kind === 'symbol' && reader.peek()?.text === '.') {
    reader.next();
    segments.push(reader.expectWord().text);
  }
  return { segments, raw: segments.join('.') };
}

function readLiteral(reader: TokenReader): SoqlLiteral {
  const token = reader.next();
  if (!token) fail(0, '<EOF>');
  if (token.kind === 'string') return token.text;
  if (token.kind === 'number') return Number(token.text);
  if (token.kind === 'word') {
    const upper = token.text.toUpperCase();
    if (upper === 'TRUE') return true;
    if (upper === 'FALSE') return false;
    if (upper === 'NULL') return null;
  }
  fail(token.column, token.text);
}

export function parseSoql(text: string): ParseSoqlResult {
  try {
    const reader = new TokenReader(tokenize(text));
    reader.expectKeyword('SELECT');
    const fields = [readPath(reader)];
    while (reader.peek()?.kind === 'symbol' && reader.peek()?.text === ',') {
      reader.next();
      fields.push(readPath(reader));
    }
    reader.expectKeyword('FROM');
    const from = reader.expectWord().text;
    const where: SoqlCondition[] = [];
    if (reader.isKeyword('WHERE')) {
      reader.next();
      for (;;) {
        const path = readPath(reader);
        const operator = reader.next();
        if (operator?.kind !== 'symbol' || operator.text !== '=') {
          fail(operator?.column ?? 0, operator?.text ?? '<EOF>');
        }
        where.push({ path, value: readLiteral(reader) });
        if (!reader.isKeyword('AND')) break;
        reader.next();
      }
    }
    let limit: number | undefined;
    if (reader.isKeyword('LIMIT')) {
      reader.next();
      const token = reader.next();
      if (token?.kind !== 'number') fail(token?.column ?? 0, token?.text ?? '<EOF>');
      limit = Number(token.text);
    }
    if (!reader.atEnd()) {
      const token = reader.peek() as Token;
      fail(token.column, token.text);
    }
    return { ok: true, query: { fields, from, where, limit } };
  } catch (error) {
    if (error instanceof SoqlSyntaxError) return { ok: false, message: error.message };
    throw error;
  }
}
