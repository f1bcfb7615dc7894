/**
 * `customerEmail`, `Total-Price` → `customer_email`, `total_price`: the words of an API's field or
 * parameter name as config names (inputs, outputs) spell them. Callers add their own length and
 * first-letter rules.
 */
export function toSnakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
