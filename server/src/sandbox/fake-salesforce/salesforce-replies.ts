/**
 * Salesforce's REST error format (REST API Developer Guide, "Status Codes and Error Responses"):
 * a JSON array of `{message, errorCode, fields?}`. The codes and statuses below are the ones
 * the guide and the error-code list name; message texts follow what the platform sends where
 * the docs show it, and are marked as assumptions in the fake's header otherwise.
 */

export interface SalesforceErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

export interface SalesforceReply {
  status: number;
  body: unknown;
}

function errorReply(
  status: number,
  errorCode: string,
  message: string,
  fields?: string[],
): SalesforceReply {
  return { status, body: [{ message, errorCode, ...(fields ? { fields } : {}) }] };
}

export const salesforceErrors = {
  invalidSession: () => errorReply(401, 'INVALID_SESSION_ID', 'Session expired or invalid'),
  requestLimitExceeded: () =>
    errorReply(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
  notFound: () => errorReply(404, 'NOT_FOUND', 'The requested resource does not exist'),
  /** What GET sobjects/{Object}/{id} answers when the id is not an id at all. */
  notAnId: (id: string) =>
    errorReply(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${id}`,
    ),
  entityIsDeleted: () => errorReply(404, 'ENTITY_IS_DELETED', 'entity is deleted'),
  malformedQuery: (message: string) => errorReply(400, 'MALFORMED_QUERY', message),
  invalidType: (object: string) =>
    errorReply(
      400,
      'INVALID_TYPE',
      `sObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  noSuchColumn: (field: string, object: string) =>
    errorReply(
      400,
      'INVALID_FIELD',
      `No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  unknownRelationship: (relationship: string) =>
    errorReply(
      400,
      'INVALID_FIELD',
      `Didn't understand relationship '${relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  /** A query locator that expired, was released, or never existed (query-cursors.ts). */
  invalidQueryLocator: () => errorReply(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator'),
  invalidIdFilter: (value: string) =>
    errorReply(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${value}`),
  unknownUpdateField: (field: string, object: string) =>
    errorReply(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${object}`),
  relationshipInFieldsParameter: (field: string, object: string) =>
    errorReply(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${object}`),
  notUpdateable: (fields: string[]) =>
    errorReply(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${fields.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      fields,
    ),
  jsonParser: (message: string) => errorReply(400, 'JSON_PARSER_ERROR', message),
  /** The docs give only the status for a bad conditional header; the code here is ours. */
  invalidConditionalHeader: (name: string, value: string) =>
    errorReply(400, 'INVALID_HEADER_VALUE', `${name}: "${value}" is not an HTTP date`),
  stringTooLong: (def: { name: string; label: string; length: number }, value: string) =>
    errorReply(
      400,
      'STRING_TOO_LONG',
      `${def.label}: data value too large: ${value.slice(0, 100)} (max length=${def.length})`,
      [def.name],
    ),
  malformedId: (def: { name: string; label: string }, value: string) =>
    errorReply(400, 'MALFORMED_ID', `${def.label}: id value of incorrect type: ${value}`, [
      def.name,
    ]),
  invalidEmail: (def: { name: string; label: string }, value: string) =>
    errorReply(400, 'INVALID_EMAIL_ADDRESS', `${def.label}: invalid email address: ${value}`, [
      def.name,
    ]),
  requiredFieldMissing: (field: string) =>
    errorReply(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${field}]`, [field]),
  badPicklistValue: (def: { name: string; label: string }, value: string) =>
    errorReply(
      400,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${def.label}: bad value for restricted picklist field: ${value}`,
      [def.name],
    ),
  customValidation: (items: { message: string; field?: string }[]): SalesforceReply => ({
    status: 400,
    body: items.map((item) => ({
      message: item.message,
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      fields: item.field ? [item.field] : [],
    })),
  }),
  methodNotAllowed: (method: string) =>
    errorReply(
      405,
      'METHOD_NOT_ALLOWED',
      `HTTP Method '${method}' not allowed. Allowed are GET,PATCH`,
    ),
  unknownEndpoint: () => errorReply(404, 'NOT_FOUND', 'The requested resource does not exist'),
  internalError: () =>
    errorReply(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please try again.'),
};

/** An OAuth error from the token endpoint (RFC 6749 §5.2 shape, as Salesforce sends it). */
export function oauthError(error: string, description: string): SalesforceReply {
  return { status: 400, body: { error, error_description: description } };
}
