import {
  CONDITION_KEYS_BY_HELPDESK,
  flattenAppliesWhen,
  flattenWriteSpec,
  WRITE_KEYS_BY_HELPDESK,
} from '../../../shared/src/config/connector-config-schema';
import type {
  AppliesWhen,
  AppliesWhenConfig,
  FlatWriteSpec,
  WriteSpec,
} from '../../../shared/src/config/connector-config-schema';
import type { Path } from './compiled-model';
import type { IssueCollector } from './config-issues';

/**
 * Write-backs and `appliesWhen` are grouped per helpdesk (`zendesk`, `salesforce`). The older
 * flat form still loads: each flat key gets a deprecation warning saying where it goes, and a key
 * set both ways is an error. Returns, for each key, the JSON path it came from, so later errors
 * point at what the admin wrote.
 */
function checkGroups(
  value: Record<string, unknown>,
  keysByHelpdesk: Readonly<Record<'zendesk' | 'salesforce', readonly string[]>>,
  path: Path,
  issues: IssueCollector,
  /** A flat key spelled otherwise where it is written (a write step's `ticketType`). */
  aliases: Readonly<Record<string, string>> = {},
): (key: string) => Path {
  const from = new Map<string, Path>();
  for (const [helpdesk, keys] of Object.entries(keysByHelpdesk)) {
    const group = value[helpdesk] as Record<string, unknown> | undefined;
    for (const key of keys) {
      const flat = value[key] !== undefined;
      const grouped = group?.[key] !== undefined;
      const written = aliases[key] ?? key;
      if (flat && grouped) {
        issues.error(
          [...path, written],
          `"${written}" is set both here and under "${helpdesk}"`,
          `keep only "${helpdesk}": { "${key}": … }`,
        );
      } else if (flat) {
        issues.warning(
          [...path, written],
          `"${written}" outside a helpdesk group is deprecated`,
          // Relative to the key's own path: that path is placed in the admin's file later,
          // while this compile sees the merged config.
          `move it into the "${helpdesk}" group beside it: "${helpdesk}": { "${key}": … }`,
        );
      }
      if (grouped) from.set(key, [...path, helpdesk, key]);
    }
  }
  return (key) => from.get(key) ?? [...path, aliases[key] ?? key];
}

export function compileWriteGroups(
  spec: WriteSpec,
  path: Path,
  issues: IssueCollector,
  aliases: Readonly<Record<string, string>> = {},
): { flat: FlatWriteSpec; pathOf: (key: string) => Path } {
  const pathOf = checkGroups(spec, WRITE_KEYS_BY_HELPDESK, path, issues, aliases);
  return { flat: flattenWriteSpec(spec), pathOf };
}

export function compileAppliesWhen(
  config: AppliesWhenConfig,
  path: Path,
  issues: IssueCollector,
): AppliesWhen {
  checkGroups(config, CONDITION_KEYS_BY_HELPDESK, path, issues);
  return flattenAppliesWhen(config);
}
