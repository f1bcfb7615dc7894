import { describe, expect, it, vi } from 'vitest';
import { createLineBuffer, createLogger, stdoutLines } from './logger';
import type { LogLevel } from './logger';
import { createRedactor } from './redact';

const SECRET = 'shpat_9d8c7b6a5f';

function captureLogger(level: LogLevel = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level,
    redactor: createRedactor(() => [SECRET]),
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per entry with time, level, message and fields', () => {
    const { logger, lines } = captureLogger();
    logger.info('connector run', { runId: 'r1', durationMs: 12 });
    expect(lines).toEqual([
      {
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        level: 'info',
        msg: 'connector run',
        runId: 'r1',
        durationMs: 12,
      },
    ]);
  });

  it('drops entries below the level, and everything when silent', () => {
    const warn = captureLogger('warn');
    warn.logger.debug('d');
    warn.logger.info('i');
    warn.logger.warn('w');
    warn.logger.error('e');
    expect(warn.lines.map((line) => line.level)).toEqual(['warn', 'error']);
    const silent = captureLogger('silent');
    silent.logger.error('e');
    expect(silent.lines).toEqual([]);
  });

  it('masks secrets in the message, in fields and under credential keys', () => {
    const { logger, lines } = captureLogger();
    logger.warn(`upstream said: bad token ${SECRET}`, {
      body: `{"echo":"${SECRET}"}`,
      headers: { authorization: 'Bearer other', 'x-request-id': 'abc-1' },
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(SECRET);
    expect(lines[0]).toMatchObject({
      msg: 'upstream said: bad token [secret]',
      headers: { authorization: '[secret]', 'x-request-id': 'abc-1' },
    });
  });

  it('logs an error with its name and message, secrets masked', () => {
    const { logger, lines } = captureLogger();
    logger.error('run log write failed', { error: new Error(`disk full near ${SECRET}`) });
    expect(lines[0]?.error).toEqual({ name: 'Error', message: 'disk full near [secret]' });
  });

  it('child loggers add their fields to every entry', () => {
    const { logger, lines } = captureLogger();
    logger.child({ requestId: 'q1' }).child({ connectorId: 'c1' }).info('hello', { extra: true });
    expect(lines[0]).toMatchObject({
      requestId: 'q1',
      connectorId: 'c1',
      extra: true,
      msg: 'hello',
    });
  });
});

describe('createLineBuffer', () => {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('writes the lines of one turn together once the turn ends', async () => {
    const writes: string[] = [];
    const buffer = createLineBuffer((text) => writes.push(text));
    buffer.push('a', false);
    buffer.push('b', false);
    expect(writes).toEqual([]);
    await nextTurn();
    expect(writes).toEqual(['a\nb\n']);
    buffer.push('c', false);
    await nextTurn();
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once, after what was waiting, a line that cannot wait', async () => {
    const writes: string[] = [];
    const buffer = createLineBuffer((text) => writes.push(text));
    buffer.push('info', false);
    buffer.push('error', true);
    expect(writes).toEqual(['info\nerror\n']);
    await nextTurn();
    expect(writes).toEqual(['info\nerror\n']);
  });

  it('writes at once when the lines waiting reach its size, and on flush', () => {
    const writes: string[] = [];
    const buffer = createLineBuffer((text) => writes.push(text), 8);
    buffer.push('1234', false);
    expect(writes).toEqual([]);
    buffer.push('5678', false);
    expect(writes).toEqual(['1234\n5678\n']);
    buffer.push('tail', false);
    buffer.flush();
    expect(writes).toEqual(['1234\n5678\n', 'tail\n']);
  });

  it('is where a logger writes by default: info waits for the turn, a warning takes it along', async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const logger = createLogger({ level: 'info', redactor: createRedactor(() => []) });
      logger.info('first');
      expect(written).toEqual([]);
      logger.warn('second');
      expect(written).toHaveLength(1);
      const lines = (written[0] ?? '').trim().split('\n');
      expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual([
        'first',
        'second',
      ]);
      logger.info('third');
      await nextTurn();
      expect(written).toHaveLength(2);
      expect(written[1]).toContain('"msg":"third"');
    } finally {
      stdoutLines().flush();
      spy.mockRestore();
    }
  });
});
