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
  write?: (line: string) => void;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const threshold = LEVELS[options.level];
  const emit = (
    level: Exclude<LogLevel, 'silent'>,
    message: string,
    fields?: Record<string, unknown>,
  ) => {
    if (LEVELS[level] < threshold) return;
    const entry = options.redactor.redactDeep({
      time: new Date().toISOString(),
      level,
      msg: message,
      ...options.base,
      ...fields,
    });
    // No replacer: the redactor has already made every Error a plain { name, message, code },
    // and a replacer would call back into JavaScript for every key of every line.
    write(JSON.stringify(entry));
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger({ ...options, base: { ...options.base, ...fields } }),
  };
}
