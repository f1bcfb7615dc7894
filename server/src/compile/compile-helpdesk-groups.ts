import type {
  AppliesWhen,
  AppliesWhenConfig,
  WriteSpec,
} from '../../../shared/src/config/connector-config-schema';
import type { CompiledWrite, Path } from './compiled-model';
import type { ConfigFormat, HelpdeskConfigFormat } from './config-format';
import type { IssueCollector } from './config-issues';
import { compileJson, compileTemplate } from './compile-references';
import type { RefRules } from './compile-references';

/**
 * Write-backs and `appliesWhen` are grouped per helpdesk (`"zendesk": {…}`), and each helpdesk
 * reads its own group. The older flat form (the built-in helpdesks' keys without a group) still
 * loads: each flat key gets a deprecation warning saying where it goes, and a key set both ways
 * is an error (the grouped value wins).
 */

type Json = Readonly<Record<string, unknown>>;

/**
 * One helpdesk's group with its flat keys moved in, and where each key was written, so later
 * errors point at what the admin wrote.
 */
function gatherGroup(
  written: Json,
  helpdesk: HelpdeskConfigFormat,
  keys: readonly string[],
  path: Path,
  issues: IssueCollector,
  /** Flat keys spelled otherwise where they are written (a write step's `ticketType`). */
  aliases: Readonly<Record<string, string>>,
): { group: Record<string, unknown>; pathOf: (key: string) => Path } {
  const { system } = helpdesk;
  const grouped = (written[system] ?? {}) as Json;
  const group: Record<string, unknown> = {};
  const from = new Map<string, Path>();
  if (helpdesk.parts.legacyFlat) {
    for (const key of keys) {
      const spelled = aliases[key] ?? key;
      if (written[spelled] === undefined) continue;
      if (grouped[key] !== undefined) {
        issues.error(
          [...path, spelled],
          `"${spelled}" is set both here and under "${system}"`,
          `keep only "${system}": { "${key}": … }`,
        );
        continue;
      }
      issues.warning(
        [...path, spelled],
        `"${spelled}" outside a helpdesk group is deprecated`,
        // Relative to the key's own path: that path is placed in the admin's file later,
        // while this compile sees the merged config.
        `move it into the "${system}" group beside it: "${system}": { "${key}": … }`,
      );
      group[key] = written[spelled];
      from.set(key, [...path, spelled]);
    }
  }
  for (const [key, value] of Object.entries(grouped)) {
    if (value === undefined) continue;
    group[key] = value;
    from.set(key, [...path, system, key]);
  }
  return { group, pathOf: (key) => from.get(key) ?? [...path, system, key] };
}

/** Compiles a write: each helpdesk compiles its own group; helpdesks with none are left out. */
export function compileWrite(
  written: WriteSpec,
  path: Path,
  rules: RefRules,
  issues: IssueCollector,
  format: ConfigFormat,
  /** A write step, where some flat keys are spelled otherwise (`ticketType`). */
  where: 'write-back' | 'step' = 'write-back',
): CompiledWrite {
  const compiled: Record<string, unknown> = {};
  for (const helpdesk of format.helpdesks) {
    const aliases = where === 'step' ? (helpdesk.parts.legacyFlat?.aliases ?? {}) : {};
    const keys = Object.keys(helpdesk.parts.write.shape);
    const { group, pathOf } = gatherGroup(written, helpdesk, keys, path, issues, aliases);
    if (Object.keys(group).length === 0) continue;
    compiled[helpdesk.system] = helpdesk.compileWrite(group, {
      pathOf,
      template: (value, at) => compileTemplate(value, at, rules, issues),
      json: (value, at) => compileJson(value, at, rules, issues),
      issues,
    });
  }
  return compiled;
}

/** The conditions by helpdesk, flat keys moved into their groups. */
export function compileAppliesWhen(
  config: AppliesWhenConfig,
  path: Path,
  issues: IssueCollector,
  format: ConfigFormat,
): AppliesWhen {
  const when: Record<string, Json> = {};
  for (const helpdesk of format.helpdesks) {
    const keys = Object.keys(helpdesk.parts.appliesWhen.shape);
    const { group } = gatherGroup(config, helpdesk, keys, path, issues, {});
    if (Object.keys(group).length > 0) when[helpdesk.system] = group;
  }
  return when;
}
