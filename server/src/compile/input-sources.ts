/**
 * The places an input can read from. Zendesk sources name the ticket, its requester and
 * organization, the comment a connector is run on, and the agent running it; Salesforce sources
 * name record fields by API name, including relationship paths such as record.Contact.Email.
 */
const ZENDESK_SOURCES = new Set([
  'ticket.id',
  'ticket.subject',
  'ticket.description',
  'ticket.status',
  'ticket.priority',
  'ticket.type',
  'ticket.tags',
  'ticket.brand_id',
  'ticket.group_id',
  'ticket.external_id',
  'ticket.ticket_form_id',
  'ticket.requester.id',
  'ticket.requester.email',
  'ticket.requester.name',
  'ticket.organization.id',
  'ticket.organization.name',
  'comment.id',
  'comment.body',
  'comment.author_id',
  'agent.id',
  'agent.email',
  'agent.name',
]);

const CUSTOM_FIELD_SOURCE = /^ticket\.custom_fields\.([0-9]{1,20})$/;
const RECORD_SOURCE = /^record\.[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,4}$/;

export function isValidInputSource(source: string): boolean {
  return (
    ZENDESK_SOURCES.has(source) || CUSTOM_FIELD_SOURCE.test(source) || RECORD_SOURCE.test(source)
  );
}

/** The custom field id of a `ticket.custom_fields.<id>` source. */
export function customFieldIdOf(source: string): string | undefined {
  return CUSTOM_FIELD_SOURCE.exec(source)?.[1];
}

/**
 * Whether a helpdesk can read `source` at all: Salesforce reads `record.*` and `agent.*`, Zendesk
 * everything else. The other helpdesk's sources read as undefined there, which is what lets one
 * input list a source per helpdesk.
 */
export function isSourceReadableOn(source: string, system: 'zendesk' | 'salesforce'): boolean {
  if (source.startsWith('agent.')) return true;
  return source.startsWith('record.') === (system === 'salesforce');
}

/**
 * The key under which two sources of one input count as the same: record fields by API name
 * ignore case in Salesforce, so `record.Email__c` and `record.email__c` are one field.
 */
export function sourceIdentity(source: string): string {
  return source.startsWith('record.') ? source.toLowerCase() : source;
}
