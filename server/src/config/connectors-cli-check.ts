import { formatConfigIssues } from './format-config-issues';
import { loadConfigSource } from './load-config';
import type { LoadConfigDeps } from './load-config';

export type CheckCommandDeps<TCompiled> = LoadConfigDeps<TCompiled>;

export interface CheckCommandResult<TCompiled = unknown> {
  exitCode: 0 | 1;
  output: string;
  /** The compiled config when it loaded, for commands that go on to use it. */
  compiled?: TCompiled;
}

/**
 * `npm run connectors -- check`: loads the config exactly as the server would and reports the
 * outcome, so admins (and CI) can validate an edit before the server picks it up.
 *
 * @example
 * const { exitCode, output } = await runCheckCommand('config/connectors.json', { schema, compile });
 * process.stdout.write(`${output}\n`);
 * process.exitCode = exitCode;
 */
export async function runCheckCommand<TCompiled>(
  path: string,
  deps: CheckCommandDeps<TCompiled>,
): Promise<CheckCommandResult<TCompiled>> {
  const result = await loadConfigSource(path, deps);
  if (!result.ok) {
    const { issues } = result.error;
    const errors = issues.filter((issue) => issue.severity === 'error').length;
    return {
      exitCode: 1,
      output: `${formatConfigIssues(issues)}\n\n${plural(errors, 'error')} in ${path}; the config would not load.`,
    };
  }
  const { config, files, warnings } = result.value;
  const connectors = config.connectors.length;
  const connections = Object.keys(config.connections).length;
  const lines = [
    `OK: ${plural(connectors, 'connector')}, ${plural(connections, 'connection')} from ${files.join(', ')}`,
  ];
  const drafts = config.connectors.filter((connector) => connector.draft).map((c) => c.id);
  if (drafts.length > 0) {
    lines.push(
      `Drafts (hidden from agents, AI agents and automations until "draft": false): ${drafts.join(', ')}`,
    );
  }
  if (warnings.length > 0) {
    lines.push(`${plural(warnings.length, 'warning')}:`, formatConfigIssues(warnings));
  }
  return { exitCode: 0, output: lines.join('\n'), compiled: result.value.compiled };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
