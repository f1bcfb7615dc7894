import type { AppliesWhen } from '../../../shared/src/config/connector-config-schema';

/**
 * One rule for `appliesWhen`, shared by connectors and macros on both helpdesks.
 *
 * Conditions are per helpdesk: tags, brands, groups, forms and statuses describe Zendesk tickets;
 * `objectTypes` describes Salesforce records. Each helpdesk checks its own conditions and ignores
 * the other's, so `{ tagsAny: ["order"], objectTypes: ["Case"] }` applies to tickets tagged
 * "order" and to Cases. Conditions set for one helpdesk only still say where the connector
 * belongs: `{ tagsAny: ["order"] }` alone is not offered on any record, and
 * `{ objectTypes: ["Case"] }` alone on no ticket. With no conditions it applies everywhere its
 * surfaces allow.
 */

/** The facts of a ticket that ticket conditions read. */
export interface TicketFacts {
  tags: readonly string[];
  brandId: number | null | undefined;
  groupId: number | null | undefined;
  ticketFormId: number | null | undefined;
  status: string | undefined;
}

function isSet(list: readonly unknown[] | undefined): boolean {
  return list !== undefined && list.length > 0;
}

function hasTicketConditions(when: AppliesWhen): boolean {
  return [
    when.tagsAny,
    when.tagsAll,
    when.tagsNone,
    when.brandIds,
    when.groupIds,
    when.ticketFormIds,
    when.statuses,
  ].some(isSet);
}

/** Whether `when` holds for a Zendesk ticket. An empty list is no condition, as for records. */
export function appliesToTicket(when: AppliesWhen, ticket: TicketFacts): boolean {
  if (!hasTicketConditions(when)) return !isSet(when.objectTypes);
  const tags = new Set(ticket.tags);
  const { tagsAny = [], tagsAll = [], tagsNone = [] } = when;
  if (tagsAny.length > 0 && !tagsAny.some((tag) => tags.has(tag))) return false;
  if (!tagsAll.every((tag) => tags.has(tag))) return false;
  if (tagsNone.some((tag) => tags.has(tag))) return false;
  const inList = (list: readonly (number | string)[] = [], value: unknown) =>
    list.length === 0 || list.some((entry) => entry === value);
  return (
    inList(when.brandIds, ticket.brandId) &&
    inList(when.groupIds, ticket.groupId) &&
    inList(when.ticketFormIds, ticket.ticketFormId) &&
    inList(when.statuses, ticket.status)
  );
}

/** Whether `when` holds for a Salesforce record of `objectApiName` (API names ignore case). */
export function appliesToRecord(when: AppliesWhen, objectApiName: string): boolean {
  if (!isSet(when.objectTypes)) return !hasTicketConditions(when);
  const wanted = objectApiName.toLowerCase();
  return (when.objectTypes ?? []).some((type) => type.toLowerCase() === wanted);
}
