import { readFile } from 'node:fs/promises';
import type { ConnectorTestReport } from '../runs/test-connector';
import type { CommandOutput } from './agent-keys-command';
import { parseCliOptions } from './parse-cli-options';

/**
 * `connectors test ID --ticket N`: the console's Test tab from the shell. It asks the running
 * server (which holds the helpdesk connection and the secrets) through the admin API, so what
 * it shows is exactly what the server would send: nothing is sent unless `--send`, and nothing
 * is ever written to the ticket or record.
 */

export const TEST_USAGE = `  npm run connectors -- test <connector-id> --ticket <id> | --record <id> --object <Object>
                             [--input name=value ...] [--response <file> [--status <n>]]
                             [--send [--yes]] [--server <url>]
      test a connector against a real ticket or record: the inputs as resolved and the request as
      it would be sent (secrets masked); with --response, what a saved answer gives; with --send,
      a real answer (asks first when the connector changes data). Never writes back.
      Talks to the running server: SERVER_URL (default http://127.0.0.1:$PORT) and ADMIN_TOKEN.`;

export interface TestCommandDeps {
  serverUrl: string;
  adminToken: string;
  /** Asks a yes/no question on the terminal; false when there is no terminal. */
  confirm: (question: string) => Promise<boolean>;
  fetch?: typeof fetch;
}

const usage = (message: string): CommandOutput => ({
  code: 2,
  stdout: '',
  stderr: `connectors test: ${message}\nusage:\n${TEST_USAGE}\n`,
});

function show(value: unknown): string {
  if (value === undefined) return '(none)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The report as an admin reads it in a terminal. */
export function formatTestReport(report: ConnectorTestReport): string {
  const lines: string[] = [
    `${report.name} (${report.connectorId})${report.draft ? ' [draft]' : ''} on ${report.target.system} ${report.target.type} ${report.target.id}`,
    '',
    'Inputs',
  ];
  for (const input of report.inputs) {
    lines.push(
      `  ${input.label} (${input.name}) = ${show(input.value)}${input.from ? `   from ${input.from}` : ''}${input.problem ? `   PROBLEM: ${input.problem}` : ''}`,
    );
  }
  if (report.blocked) {
    lines.push('', `Not sent: ${report.blocked}`);
    return `${lines.join('\n')}\n`;
  }
  if (report.request) {
    lines.push('', `Request${report.sent ? ' (sent)' : ' (not sent)'}`);
    lines.push(`  ${report.request.method} ${report.request.url}`);
    for (const [name, value] of Object.entries(report.request.headers))
      lines.push(`  ${name}: ${value}`);
    if (report.request.body) lines.push('', `  ${report.request.body}`);
  }
  const answer = report.answer;
  if (answer) {
    lines.push('', `Answer: HTTP ${answer.status}: ${answer.statusEffect}`);
    lines.push(`  outcome: ${answer.outcome}`);
    if (answer.emptyReason) lines.push(`  why empty: ${answer.emptyReason}`);
    if (answer.error) lines.push(`  error: ${answer.error.code}: ${answer.error.message}`);
    for (const path of answer.paths) {
      lines.push(
        `  ${path.rule} (${path.expression}) → ${show(path.found)}${path.problem ? `   PROBLEM: ${path.problem}` : ''}${path.effect ? `   ${path.effect}` : ''}`,
      );
    }
    const offered = answer.suggestedOutputs.filter((output) => !output.used);
    if (offered.length) {
      lines.push('', 'Other outputs this answer offers (add to "response.outputs"):');
      for (const output of offered) {
        lines.push(
          `  ${JSON.stringify({ name: output.name, label: output.label, path: output.path })}   e.g. ${show(output.example)}`,
        );
      }
    }
  }
  if (report.writeBack) {
    lines.push('', `Write-back on ${report.writeBack.outcome} (not written: this is a test)`);
    if (report.writeBack.fields.length === 0) lines.push('  nothing');
    for (const field of report.writeBack.fields) {
      lines.push(`  ${field.label} (${field.field}) = ${show(field.value)}`);
    }
    if (report.writeBack.note) lines.push(`  note: ${report.writeBack.note}`);
    if (report.writeBack.error) lines.push(`  would fail: ${report.writeBack.error.message}`);
  }
  if (report.runId) lines.push('', `Recorded as ${report.runId} (a dry run).`);
  return `${lines.join('\n')}\n`;
}

export async function runTestCommand(
  args: string[],
  deps: TestCommandDeps,
): Promise<CommandOutput> {
  const parsed = parseCliOptions(args, {
    ticket: { type: 'string' },
    record: { type: 'string' },
    object: { type: 'string' },
    input: { type: 'string', multiple: true },
    response: { type: 'string' },
    status: { type: 'string' },
    send: { type: 'boolean' },
    yes: { type: 'boolean' },
    server: { type: 'string' },
  });
  if (!parsed.ok) return usage(parsed.error);
  const { values, positionals } = parsed.value;
  const [connectorId, ...extra] = positionals;
  if (connectorId === undefined || extra.length > 0) return usage('give one connector id');
  if ((values.ticket === undefined) === (values.record === undefined)) {
    return usage('give --ticket <id> (Zendesk) or --record <id> --object <Object> (Salesforce)');
  }
  if (values.record !== undefined && values.object === undefined) {
    return usage('--record needs --object (Case, Account…)');
  }
  if (values.send && values.response !== undefined)
    return usage('--send and --response exclude each other');
  const inputs: Record<string, string> = {};
  for (const pair of values.input ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) return usage(`--input takes name=value, got "${pair}"`);
    inputs[pair.slice(0, at)] = pair.slice(at + 1);
  }
  let response: { status: number; body: string } | undefined;
  if (values.response !== undefined) {
    const status = Number(values.status ?? 200);
    if (!Number.isInteger(status) || status < 100 || status > 599)
      return usage('--status takes an HTTP status');
    try {
      response = { status, body: await readFile(values.response, 'utf8') };
    } catch (error) {
      return {
        code: 1,
        stdout: '',
        stderr: `Cannot read ${values.response}: ${(error as NodeJS.ErrnoException).code ?? 'error'}\n`,
      };
    }
  }
  const body = {
    ...(values.ticket !== undefined
      ? { system: 'zendesk', targetId: values.ticket }
      : { system: 'salesforce', targetId: values.record, targetType: values.object }),
    inputs,
    mode: values.send ? 'send' : response ? 'response' : 'preview',
    ...(response ? { response } : {}),
    confirmed: values.yes === true,
  };
  const serverUrl = (values.server ?? deps.serverUrl).replace(/\/$/, '');
  const call = async (confirmed: boolean) => {
    const fetchFn = deps.fetch ?? fetch;
    try {
      const answer = await fetchFn(
        `${serverUrl}/api/admin/console/connectors/${encodeURIComponent(connectorId)}/test`,
        {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${deps.adminToken}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ ...body, confirmed }),
        },
      );
      return {
        status: answer.status,
        json: (await answer.json().catch(() => ({}))) as Record<string, unknown>,
      };
    } catch (error) {
      return { status: 0, json: { error: { code: 'NETWORK', message: (error as Error).message } } };
    }
  };
  let answer = await call(body.confirmed);
  const errorOf = (json: Record<string, unknown>) =>
    (json.error ?? {}) as { code?: string; message?: string };
  if (answer.status === 409 && errorOf(answer.json).code === 'CONFIRMATION_REQUIRED') {
    const yes = await deps.confirm(`${errorOf(answer.json).message ?? ''}\nSend it? [y/N] `);
    if (!yes) return { code: 1, stdout: '', stderr: 'Not sent.\n' };
    answer = await call(true);
  }
  if (answer.status === 0) {
    return {
      code: 1,
      stdout: '',
      stderr: `Cannot reach the server at ${serverUrl} (${errorOf(answer.json).message ?? ''}); start it with npm start, or set SERVER_URL.\n`,
    };
  }
  if (answer.status !== 200) {
    const error = errorOf(answer.json);
    return {
      code: 1,
      stdout: '',
      stderr: `${error.code ?? answer.status}: ${error.message ?? 'the server refused'}\n`,
    };
  }
  return {
    code: 0,
    stdout: formatTestReport(answer.json as unknown as ConnectorTestReport),
    stderr: '',
  };
}
