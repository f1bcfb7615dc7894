import { formatConfigIssues } from '../config/format-config-issues';
import type { EditError } from '../console/edit-connector';

/**
 * Why a connector the CLI adds (a draft, a template) was not written: the reason, the config
 * issues when the whole config would not load with it, and the flag that gets past a taken id.
 */
export function describeSaveError(error: EditError, fixes: { connectionExists: string }): string {
  const issues = error.code === 'CONFIG_INVALID' ? `\n${formatConfigIssues(error.issues)}` : '';
  const hint =
    error.code === 'CONNECTOR_EXISTS'
      ? '\n  hint: give another id with --id'
      : error.code === 'CONNECTION_EXISTS'
        ? `\n  hint: ${fixes.connectionExists}`
        : '';
  return `${error.message}${issues}${hint}\n`;
}
