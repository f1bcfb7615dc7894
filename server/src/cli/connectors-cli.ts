import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compileConfig } from '../compile/compile-config';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';
import { runCheckCommand } from '../config/connectors-cli-check';
import { parseEnv } from '../env/parse-env';
import { formatRunsForTerminal } from '../run-log/format-runs';
import { formatRunsAsCsv, formatRunsAsNdjson } from '../run-log/export-runs';
import { runIdSchema } from '../run-log/run-record';
import type { RunLogStore, RunRecord } from '../run-log/run-record';
import type { Result } from '../../../shared/src/result';
import { loadConfigSource } from '../config/load-config';
import type { ServerEnv } from '../env/parse-env';
import { parseLogsArgs } from './logs-args';
import { parseCheckArgs } from './check-args';
import { explainAnswers } from './explain-answers';
import { AGENT_KEYS_USAGE, runAgentKeysCommand } from './agent-keys-command';
import { ALERTS_USAGE, runAlertsCommand } from './alerts-command';
import type { CommandOutput } from './agent-keys-command';
import {
  CONFIG_HISTORY_USAGE,
  runHistoryCommand,
  runRollbackCommand,
} from './config-history-command';
import { loadServerSecrets } from '../server-paths';
import { createInterface } from 'node:readline/promises';
import { runTestCommand, TEST_USAGE } from './test-command';
import { DRAFT_USAGE, runDraftCommand } from './draft-command';
import { openRunLogForReading, RUN_LOG_FILE } from '../storage/open-sqlite-storage';
import { loadTemplates } from '../templates/load-templates';
import type { TemplateParameter } from '../../../shared/src/templates/template-schema';
import type { HelpdeskField } from '../runs/helpdesk-port';
import { openConfigFiles } from './open-config-files';
import { runAddCommand, runTemplatesCommand, TEMPLATES_USAGE } from './template-commands';
import { MIGRATE_USAGE, runMigrateCommand } from './migrate-command';
import { BACKFILL_USAGE, runBackfillCommand } from './backfill-command';

/**
 * `npm run connectors -- <command>`:
 *   check [path]              validate the config as the server would; exit 1 on errors;
 *                             with --ticket, --run or --response, what each response path finds
 *   logs [connector-id]       recent runs, filtered by connector, ticket, time and outcome
 *   show <run-id>             one run in full, as the run log holds it (redacted)
 *   agent-keys …              create, list and revoke the keys AI agents use for /mcp
 *   history [N], rollback N   the configs the server accepted, and going back to one
 *   test <id> --ticket N      the console's test, from the shell (asks the running server)
 *   draft --curl '…'          a draft connector from a curl command (or outputs from a sample)
 *   templates, add <template> the template library, and adding a connector from one as a draft
 *   alerts, resume <id>       connector alerts: rules and states; lifting an alert's pause
 *   migrate [--force]         a stopped server's SQLite data into the PostgreSQL of DATABASE_URL
 */
const USAGE = `usage:
  npm run connectors -- check [config path]
  npm run connectors -- check [config path] --ticket <id> [--connector <id>]
  npm run connectors -- check [config path] --run <run-id>
  npm run connectors -- check [config path] --response <file> --connector <id> [--status <n>]
      read real answers (the latest runs on a ticket or record, one run, or a saved answer)
      with each connector's response paths, and print what every path found
  npm run connectors -- logs [connector-id] [--ticket <id>] [--since <when>] [--until <when>]
                             [--outcome success|empty|failed] [--failed]
                             [--error-code <CODE>] [--limit <n>] [--format csv|ndjson]
      <when>: today, yesterday, a date such as 2026-12-01 (UTC), or an ISO time
  npm run connectors -- show <run-id>
${TEST_USAGE}
${DRAFT_USAGE}
${TEMPLATES_USAGE}
${AGENT_KEYS_USAGE}
${CONFIG_HISTORY_USAGE}
${ALERTS_USAGE}
${MIGRATE_USAGE}
${BACKFILL_USAGE}`;

/** A yes/no question on the terminal; no terminal (a script, CI) is a no. */
async function askYesNo(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write(`${question}\n(no terminal to answer on: pass --yes to send)\n`);
    return false;
  }
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await readline.question(question)).trim());
  } finally {
    readline.close();
  }
}

/** A line typed on the terminal; no terminal, no asking. */
async function askLine(question: string): Promise<string> {
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await readline.question(question);
  } finally {
    readline.close();
  }
}

/**
 * The helpdesk's fields for a field blank, from the running server (it holds the helpdesk
 * credentials); undefined when it cannot be asked, and the admin types the id instead.
 */
async function listHelpdeskFields(
  env: ServerEnv,
  parameter: TemplateParameter,
): Promise<HelpdeskField[] | undefined> {
  const serverUrl = (process.env.SERVER_URL ?? `http://127.0.0.1:${env.port}`).replace(/\/$/, '');
  const query = new URLSearchParams(
    parameter.kind === 'salesforceField'
      ? { system: 'salesforce', object: parameter.salesforceObject ?? 'Case' }
      : { system: 'zendesk' },
  );
  try {
    const answer = await fetch(`${serverUrl}/api/admin/console/helpdesk-fields?${query}`, {
      headers: { authorization: `Bearer ${env.adminToken ?? ''}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (!answer.ok) return undefined;
    return ((await answer.json()) as { fields: HelpdeskField[] }).fields;
  } catch {
    return undefined;
  }
}

/** The run log, or the exit code after saying why it cannot be read. */
async function openRunLog(
  env: ServerEnv,
  options: { quiet?: boolean } = {},
): Promise<Result<RunLogStore, number>> {
  if (!env.database) {
    const path = join(env.dataDir, RUN_LOG_FILE);
    if (!existsSync(path)) {
      if (!options.quiet) process.stdout.write(`No runs recorded yet (${path} does not exist).\n`);
      return { ok: false, error: 0 };
    }
  }
  // With DATABASE_URL the servers share their run log in PostgreSQL: read that one.
  const opened = await openRunLogForReading({
    dataDir: env.dataDir,
    runLogRetentionDays: env.runLogRetentionDays,
    ...(env.database ? { database: env.database } : {}),
  });
  if (!opened.ok) {
    if (opened.error.code === 'RUN_LOG_NOT_CREATED') {
      if (!options.quiet) process.stdout.write(`${opened.error.message}\n`);
      return { ok: false, error: 0 };
    }
    process.stderr.write(`${opened.error.message}\n`);
    return { ok: false, error: 1 };
  }
  return opened;
}

/** The connector ids of the config, or undefined when it does not load (check says why). */
async function readConnectorIds(path: string): Promise<string[] | undefined> {
  const loaded = await loadConfigSource(path, {
    schema: BUILT_IN_CONFIG_FORMAT.schemas.connectorConfigSchema,
    compile: () => ({ ok: true, value: { compiled: null, warnings: [] } }),
  });
  return loaded.ok ? loaded.value.config.connectors.map((connector) => connector.id) : undefined;
}

async function main(argv: string[]): Promise<number> {
  const parsedEnv = parseEnv(process.env);
  if (!parsedEnv.ok) {
    process.stderr.write(
      `The environment is not valid:\n  ${parsedEnv.error.problems.join('\n  ')}\n`,
    );
    return 2;
  }
  const env = parsedEnv.value;
  const [command, ...rest] = argv;
  if (command === 'check') {
    const request = parseCheckArgs(rest);
    if (!request.ok) {
      process.stderr.write(`connectors check: ${request.error}\n${USAGE}\n`);
      return 2;
    }
    const path = request.value.configPath ?? env.configPath;
    const secrets = loadServerSecrets(env);
    if (!secrets.ok) {
      process.stderr.write(`${secrets.error.message}\n`);
      return 1;
    }
    const format = BUILT_IN_CONFIG_FORMAT;
    const result = await runCheckCommand(path, {
      schema: format.schemas.connectorConfigSchema,
      compile: (config) => compileConfig(config, { format, secrets: secrets.value }),
    });
    process.stdout.write(`${result.output}\n`);
    const { answers } = request.value;
    if (result.exitCode !== 0 || !result.compiled || answers.kind === 'none')
      return result.exitCode;
    process.stdout.write('\n');
    const explained = await explainAnswers(answers, {
      connectors: result.compiled.connectors,
      openRunLog: async () => {
        const store = await openRunLog(env, { quiet: true });
        return store.ok ? store.value : undefined;
      },
      retentionDays: env.runLogRetentionDays,
    });
    process.stdout.write(explained.stdout);
    process.stderr.write(explained.stderr);
    return explained.exitCode;
  }
  if (command === 'logs') {
    const request = parseLogsArgs(rest, Date.now());
    if (!request.ok) {
      process.stderr.write(`connectors logs: ${request.error}\n${USAGE}\n`);
      return 2;
    }
    const { connectorId, query, limit, format } = request.value;
    if (connectorId !== undefined) {
      const known = await readConnectorIds(env.configPath);
      if (known && !known.includes(connectorId)) {
        process.stderr.write(
          `There is no connector "${connectorId}" in ${env.configPath}; its connectors are ${known.join(', ')}.\n`,
        );
        return 1;
      }
    }
    const store = await openRunLog(env);
    if (!store.ok) return store.error;
    // Pages are bounded in bytes as well as rows, so follow the cursor up to `limit` runs.
    const runs: RunRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.value.query({
        ...query,
        ...(connectorId === undefined ? {} : { connectorId }),
        limit: limit - runs.length,
        ...(cursor === undefined ? {} : { cursor }),
      });
      runs.push(...page.runs);
      cursor = page.nextCursor;
    } while (cursor !== undefined && runs.length < limit);
    await store.value.close();
    if (format !== 'table') {
      process.stdout.write(format === 'csv' ? formatRunsAsCsv(runs) : formatRunsAsNdjson(runs));
      return 0;
    }
    process.stdout.write(
      runs.length
        ? `${formatRunsForTerminal(runs)}\n`
        : `No runs${connectorId === undefined ? '' : ` of ${connectorId}`} match, in the last ${env.runLogRetentionDays} days.\n`,
    );
    return 0;
  }
  if (command === 'show') {
    const runId = rest[0];
    if (rest.length !== 1 || runId === undefined || !runIdSchema.safeParse(runId).success) {
      process.stderr.write(`connectors show: give one run id (run_…)\n${USAGE}\n`);
      return 2;
    }
    const store = await openRunLog(env);
    if (!store.ok) return store.error;
    const run = await store.value.get(runId);
    await store.value.close();
    if (!run) {
      process.stderr.write(
        `There is no run ${runId} in the last ${env.runLogRetentionDays} days.\n`,
      );
      return 1;
    }
    // The record as stored: already redacted when it was recorded.
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return 0;
  }
  if (command === 'history' || command === 'rollback') {
    const output: CommandOutput =
      command === 'history'
        ? await runHistoryCommand(env, rest)
        : await runRollbackCommand(env, env.configPath, rest);
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.code;
  }
  if (command === 'draft') {
    const secrets = loadServerSecrets(env);
    if (!secrets.ok) {
      process.stderr.write(`${secrets.error.message}\n`);
      return 1;
    }
    const format = BUILT_IN_CONFIG_FORMAT;
    let files: Awaited<ReturnType<typeof openConfigFiles>> | undefined;
    const output = await runDraftCommand(rest, {
      configPath: env.configPath,
      sources: async () => (files = await openConfigFiles(env, secrets.value)),
      validate: (overrides) =>
        loadConfigSource(
          env.configPath,
          {
            schema: format.schemas.connectorConfigSchema,
            compile: (config) => compileConfig(config, { format, secrets: secrets.value }),
          },
          overrides,
        ),
    });
    if (files && 'close' in files) await files.close();
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.code;
  }
  if (command === 'templates') {
    const output = runTemplatesCommand(rest, { library: () => loadTemplates() });
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.code;
  }
  if (command === 'add') {
    const secrets = loadServerSecrets(env);
    if (!secrets.ok) {
      process.stderr.write(`${secrets.error.message}\n`);
      return 1;
    }
    let files: Awaited<ReturnType<typeof openConfigFiles>> | undefined;
    const output = await runAddCommand(rest, {
      library: () => loadTemplates(),
      sources: async () => (files = await openConfigFiles(env, secrets.value)),
      ...(process.stdin.isTTY ? { ask: askLine } : {}),
      listFields: (parameter) => listHelpdeskFields(env, parameter),
    });
    if (files && 'close' in files) await files.close();
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.code;
  }
  if (command === 'test') {
    const output = await runTestCommand(rest, {
      serverUrl: process.env.SERVER_URL ?? `http://127.0.0.1:${env.port}`,
      adminToken: env.adminToken,
      confirm: askYesNo,
    });
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.code;
  }
  if (command === 'backfill') {
    return runBackfillCommand(rest, {
      serverUrl: process.env.SERVER_URL ?? `http://127.0.0.1:${env.port}`,
      adminToken: env.adminToken,
      confirm: askYesNo,
      write: (text) => process.stdout.write(text),
      writeError: (text) => process.stderr.write(text),
      isTty: process.stdout.isTTY === true,
    });
  }
  if (command === 'agent-keys') {
    const loaded = await loadConfigSource(env.configPath, {
      schema: BUILT_IN_CONFIG_FORMAT.schemas.connectorConfigSchema,
      compile: () => ({ ok: true, value: { compiled: null, warnings: [] } }),
    });
    const agentConnectorIds = loaded.ok
      ? loaded.value.config.connectors
          .filter((connector) => connector.surfaces.includes('agent'))
          .map((connector) => connector.id)
      : undefined;
    const output = await runAgentKeysCommand(env, rest, agentConnectorIds);
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.code;
  }
  if (command === 'alerts' || command === 'resume') {
    const loaded = await loadConfigSource(env.configPath, {
      schema: BUILT_IN_CONFIG_FORMAT.schemas.connectorConfigSchema,
      compile: () => ({ ok: true, value: { compiled: null, warnings: [] } }),
    });
    const connectors = loaded.ok
      ? new Map(
          loaded.value.config.connectors.map((connector) => [
            connector.id,
            { def: { name: connector.name }, alerts: connector.alerts },
          ]),
        )
      : undefined;
    const output = await runAlertsCommand(env, command, rest, connectors);
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.code;
  }
  if (command === 'migrate') {
    const output = await runMigrateCommand(env, rest);
    process.stdout.write(output.stdout);
    process.stderr.write(output.stderr);
    return output.code;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
