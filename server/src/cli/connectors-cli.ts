import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileConfig } from '../compile/compile-config';
import { BUILT_IN_CONFIG_FORMAT } from '../helpdesks/helpdesk-registry';
import { runCheckCommand } from '../config/connectors-cli-check';
import { parseEnv } from '../env/parse-env';
import { formatRunsForTerminal } from '../run-log/format-runs';
import type { RunRecord } from '../run-log/run-record';
import { loadServerSecrets } from '../server-paths';
import { openRunLogForReading, RUN_LOG_FILE } from '../storage/open-storage';

/**
 * `npm run connectors -- <command>`:
 *   check [path]              validate the config as the server would; exit 1 on errors
 *   logs <connector-id>       recent runs of a connector (--ticket <id>, --limit <n>, --failed)
 */
const USAGE = `usage:
  npm run connectors -- check [config path]
  npm run connectors -- logs <connector-id> [--ticket <id>] [--limit <n>] [--failed]`;

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
    const path = rest[0] ?? env.configPath;
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
    return result.exitCode;
  }
  if (command === 'logs') {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        ticket: { type: 'string' },
        limit: { type: 'string', default: '20' },
        failed: { type: 'boolean', default: false },
      },
    });
    const connectorId = positionals[0];
    const limit = Number(values.limit);
    if (!connectorId || !Number.isInteger(limit) || limit < 1 || limit > 500) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const path = join(env.dataDir, RUN_LOG_FILE);
    if (!existsSync(path)) {
      process.stdout.write(`No runs recorded yet (${path} does not exist).\n`);
      return 0;
    }
    const opened = openRunLogForReading({
      dataDir: env.dataDir,
      runLogRetentionDays: env.runLogRetentionDays,
    });
    if (!opened.ok) {
      process.stderr.write(`${opened.error.message}\n`);
      return 1;
    }
    // Pages are bounded in bytes as well as rows, so follow the cursor up to `limit` runs.
    const runs: RunRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await opened.value.query({
        connectorId,
        limit: limit - runs.length,
        ...(values.ticket ? { targetId: values.ticket } : {}),
        ...(values.failed ? { outcome: 'failed' as const } : {}),
        ...(cursor === undefined ? {} : { cursor }),
      });
      runs.push(...page.runs);
      cursor = page.nextCursor;
    } while (cursor !== undefined && runs.length < limit);
    await opened.value.close();
    process.stdout.write(
      runs.length
        ? `${formatRunsForTerminal(runs)}\n`
        : `No runs of ${connectorId} in the last ${env.runLogRetentionDays} days.\n`,
    );
    return 0;
  }
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
