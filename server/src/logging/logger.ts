import { formatIsoTime } from './format-iso-time';
import type { Redactor } from './redact';

/**
 * The one logger: JSON lines on stdout, every field passed through the redactor first, so a
 * secret cannot reach the log even when it arrives inside an error message or upstream body.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  redactor: Redactor;
  /** Where each line goes; stdout (through `stdoutLines`) when not given. */
  write?: (line: string, level: Exclude<LogLevel, 'silent'>) => void;
  base?: Record<string, unknown>;
}

export interface LineBuffer {
  /** Adds a line; `now` writes it and everything before it at once. */
  push(line: string, now: boolean): void;
  /** Writes what is waiting. */
  flush(): void;
}

/** What the buffer holds before it writes without waiting for the turn to end. */
const LINE_BUFFER_MAX_CHARS = 64 * 1024;

/**
 * Lines written once a turn of the event loop, together: Node writes to a file or a pipe on
 * stdout synchronously, one system call and a pass through the stream per write, and a busy
 * server logs a line per run (docs/performance.md, "CPU per run"). A warning or an error is
 * written at once with what came before it, and what is waiting is written when the process
 * exits, so only a process killed outright (SIGKILL, the OOM killer) can lose lines: those of
 * its last turn, which its run log has anyway.
 */
export function createLineBuffer(
  write: (text: string) => void,
  maxChars: number = LINE_BUFFER_MAX_CHARS,
): LineBuffer {
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    write(text);
  };
  return {
    push(line, now) {
      pending += `${line}\n`;
      if (now || pending.length >= maxChars) flush();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}

let stdoutBuffer: LineBuffer | undefined;

/**
 * The process's one buffer for stdout, flushed on exit.
 *
 * When whatever reads stdout goes away (a log shipper that died, `npm start | head`), Node
 * reports the broken pipe as an 'error' event on stdout. Unhandled, it became an uncaught
 * exception, which the server logs, to stdout: about 30,000 a second, a core kept busy for
 * ever. So the error is handled here: the lines are dropped from then on, and stderr is told
 * once, if it still has a reader.
 */
export function stdoutLines(): LineBuffer {
  if (stdoutBuffer === undefined) {
    let open = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (!open) return;
      open = false;
      process.stderr.on('error', () => undefined);
      process.stderr.write(
        `data-connectors: stdout failed (${error.code ?? error.message}); log lines are dropped from now on\n`,
      );
    });
    const buffer = createLineBuffer((text) => {
      if (open) process.stdout.write(text);
    });
    process.once('exit', () => buffer.flush());
    stdoutBuffer = buffer;
  }
  return stdoutBuffer;
}

const writeToStdout = (line: string, level: Exclude<LogLevel, 'silent'>) =>
  stdoutLines().push(line, level === 'warn' || level === 'error');

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? writeToStdout;
  const threshold = LEVELS[options.level];
  const emit = (
    level: Exclude<LogLevel, 'silent'>,
    message: string,
    fields?: Record<string, unknown>,
  ) => {
    if (LEVELS[level] < threshold) return;
    const entry = options.redactor.redactDeep({
      time: formatIsoTime(Date.now()),
      level,
      msg: message,
      ...options.base,
      ...fields,
    });
    // No replacer: the redactor has already made every Error a plain { name, message, code },
    // and a replacer would call back into JavaScript for every key of every line.
    write(JSON.stringify(entry), level);
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ ...options, base: { ...options.base, ...fields } }),
  };
}
