import { parseCliOptions } from './parse-cli-options';
import type { Result } from '../../../shared/src/result';
import { runIdSchema } from '../run-log/run-record';

/**
 * The arguments of `npm run connectors -- check`: the config to check and, optionally, a real
 * answer to read each connector's response paths against (the latest runs on a ticket or record,
 * one run, or a saved response file). Mistakes are one line, as in `logs`.
 */

export type AnswerSource =
  | { kind: 'none' }
  | { kind: 'ticket'; targetId: string; connectorId?: string }
  | { kind: 'run'; runId: string }
  | { kind: 'file'; path: string; connectorId: string; status: number };

export interface CheckRequest {
  configPath?: string;
  answers: AnswerSource;
}

export function parseCheckArgs(args: readonly string[]): Result<CheckRequest, string> {
  const parsed = parseCliOptions(args, {
    ticket: { type: 'string' },
    record: { type: 'string' },
    run: { type: 'string' },
    connector: { type: 'string' },
    response: { type: 'string' },
    status: { type: 'string' },
  });
  if (!parsed.ok) return parsed;
  const { values, positionals } = parsed.value;
  if (positionals.length > 1) {
    return { ok: false, error: `check takes one config path, got ${positionals.length}` };
  }
  const configPath = positionals[0];
  const target = values.ticket ?? values.record;
  const given = [target, values.run, values.response].filter((value) => value !== undefined);
  if (values.ticket !== undefined && values.record !== undefined) {
    return { ok: false, error: '--ticket and --record name the same thing; give one of them' };
  }
  if (given.length > 1) {
    return { ok: false, error: 'give one of --ticket (or --record), --run and --response' };
  }
  if (values.status !== undefined && values.response === undefined) {
    return { ok: false, error: '--status goes with --response (the status of that answer)' };
  }
  const base = configPath === undefined ? {} : { configPath };
  if (target !== undefined) {
    return {
      ok: true,
      value: {
        ...base,
        answers: {
          kind: 'ticket',
          targetId: target,
          ...(values.connector === undefined ? {} : { connectorId: values.connector }),
        },
      },
    };
  }
  if (values.run !== undefined) {
    if (!runIdSchema.safeParse(values.run).success) {
      return { ok: false, error: `--run takes a run id (run_…), got ${values.run}` };
    }
    if (values.connector !== undefined) {
      return { ok: false, error: '--run already names its connector; leave out --connector' };
    }
    return { ok: true, value: { ...base, answers: { kind: 'run', runId: values.run } } };
  }
  if (values.response !== undefined) {
    if (values.connector === undefined) {
      return { ok: false, error: '--response needs --connector <id>: whose paths to read it with' };
    }
    const status = Number(values.status ?? '200');
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      return {
        ok: false,
        error: `--status must be an HTTP status from 100 to 599, got ${values.status}`,
      };
    }
    return {
      ok: true,
      value: {
        ...base,
        answers: {
          kind: 'file',
          path: values.response,
          connectorId: values.connector,
          status,
        },
      },
    };
  }
  if (values.connector !== undefined) {
    return { ok: false, error: '--connector goes with --ticket, --record or --response' };
  }
  return { ok: true, value: { ...base, answers: { kind: 'none' } } };
}
