import type { AppliesWhen } from '../../../shared/src/config/connector-config-schema';

/**
 * One rule for `appliesWhen`, shared by connectors and macros on every helpdesk.
 *
 * Conditions are per helpdesk (`"zendesk": { "tagsAny": [...] }`, `"salesforce": { "objectTypes":
 * [...] }`): each helpdesk checks its own group and ignores the others'. Conditions set for one
 * helpdesk only still say where the connector belongs: `{ "zendesk": { "tagsAny": ["order"] } }`
 * alone is not offered on any Salesforce record. With no conditions it applies everywhere its
 * surfaces allow. An empty list is no condition.
 */
export function appliesOn(
  system: string,
  when: AppliesWhen,
  holds: (own: Readonly<Record<string, unknown>>) => boolean,
): boolean {
  const own = when[system];
  if (hasConditions(own)) return holds(own ?? {});
  return !Object.entries(when).some(([other, group]) => other !== system && hasConditions(group));
}

function hasConditions(group: Readonly<Record<string, unknown>> | undefined): boolean {
  return Object.values(group ?? {}).some((value) =>
    Array.isArray(value) ? value.length > 0 : value !== undefined,
  );
}
