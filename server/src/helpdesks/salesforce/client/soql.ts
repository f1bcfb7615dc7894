/**
 * Builds the only SOQL the server sends. Nothing is escaped into a query: every piece is checked
 * against a pattern that cannot hold a quote, space or operator first, so a record id such as
 * `500' OR Name != '` or a field such as `Id FROM User --` is refused before any request.
 */

/** A record id: 15 case-sensitive characters, or the 18-character form. */
export const RECORD_ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
/** An object or field API name (Case, Order_Number__c, ns__Thing__c). */
export const API_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
/** SOQL follows at most five levels of parent relationships. */
export const MAX_RELATIONSHIP_DEPTH = 5;

export function isRecordId(value: string): boolean {
  return RECORD_ID_PATTERN.test(value);
}

export function isApiName(value: string): boolean {
  return API_NAME_PATTERN.test(value);
}

/** `Contact.Account.Name` → valid when each segment is an API name and the depth is allowed. */
export function isFieldPath(value: string): boolean {
  const segments = value.split('.');
  return (
    segments.length <= MAX_RELATIONSHIP_DEPTH + 1 && segments.every((s) => API_NAME_PATTERN.test(s))
  );
}

/** Case-insensitive de-duplication (SOQL refuses a field selected twice), Id first. */
export function uniqueFields(fields: readonly string[]): string[] {
  const seen = new Map<string, string>([['id', 'Id']]);
  for (const field of fields) {
    const key = field.toLowerCase();
    if (!seen.has(key)) seen.set(key, field);
  }
  return [...seen.values()];
}

/** `SELECT Id, … FROM <Object> WHERE Id = '<id>' LIMIT 1`; inputs must be validated first. */
export function buildRecordQuery(objectApiName: string, id: string, fields: readonly string[]) {
  return `SELECT ${uniqueFields(fields).join(', ')} FROM ${objectApiName} WHERE Id = '${id}' LIMIT 1`;
}

/**
 * Field-level security of one user on one object (Tooling API `UserFieldAccess`). That object
 * takes only equality filters joined by AND, and ignores LIMIT.
 */
export function buildFieldAccessQuery(objectApiName: string, userId: string): string {
  return `SELECT FieldDefinition.QualifiedApiName, IsUpdatable FROM UserFieldAccess WHERE UserId = '${userId}' AND FieldDefinition.EntityDefinition.QualifiedApiName = '${objectApiName}'`;
}
