/**
 * Turns whatever an Apex call, a Lightning Data Service call or plain JavaScript rejected with
 * into a list of sentences a rep can read. Toasts show `reduceErrors(error).join(', ')`.
 *
 * Shapes handled, in the order they are tried:
 * - UI API read errors: `{ body: [{ message }] }`
 * - UI API and Apex DML errors: `{ body: { output: { errors, fieldErrors } } }`,
 *   `{ body: { pageErrors, fieldErrors } }`
 * - Apex (`AuraHandledException`) and network errors: `{ body: { message } }`
 * - JavaScript errors: `{ message }`
 * - anything else with an HTTP status: `{ statusText }`
 *
 * @example
 * reduceErrors({ body: { message: 'Order not found' } }); // ['Order not found']
 *
 * @param {unknown | unknown[]} errors one error or a list of them
 * @returns {string[]} the messages, without blanks or repeats
 */
export function reduceErrors(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  const messages = list.filter((error) => !!error).flatMap((error) => readMessages(error));
  return [...new Set(messages.filter((message) => typeof message === 'string' && message))];
}

function readMessages(error) {
  if (typeof error === 'string') {
    return [error];
  }
  const body = error.body;
  if (Array.isArray(body)) {
    return body.map((entry) => entry && entry.message);
  }
  if (body && typeof body === 'object') {
    const fromDml = readDmlMessages(body.output || body);
    if (fromDml.length > 0) {
      return fromDml;
    }
    if (typeof body.message === 'string') {
      return [body.message];
    }
  }
  if (typeof error.message === 'string') {
    return [error.message];
  }
  return [error.statusText];
}

function readDmlMessages(output) {
  const pageErrors = [...toArray(output.errors), ...toArray(output.pageErrors)];
  const fieldErrors = Object.values(output.fieldErrors || {}).flatMap((entries) =>
    toArray(entries),
  );
  return [...pageErrors, ...fieldErrors].map((entry) => entry && entry.message);
}

function toArray(value) {
  return Array.isArray(value) ? value : [];
}
