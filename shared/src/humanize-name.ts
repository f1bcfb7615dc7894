/** Words written in capitals when a name is turned into a label. */
const ACRONYMS = new Set(['id', 'url', 'api', 'sku', 'vat', 'iban', 'sla', 'crm', 'ip']);

/**
 * A config name (`ticket_id`, `create_issue`) as words for people ("Ticket ID", "Create issue"),
 * for labels the admin did not write: agents never see a raw input, output or step name.
 */
export function humanizeName(name: string): string {
  const words = name
    .split(/[_\-\s]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter(Boolean)
    .map((word) => (ACRONYMS.has(word.toLowerCase()) ? word.toUpperCase() : word.toLowerCase()));
  const [first, ...rest] = words;
  if (first === undefined) return name;
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(' ');
}
