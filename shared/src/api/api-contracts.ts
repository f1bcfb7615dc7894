import * as z from 'zod';
import * as requests from './request-schemas';

/**
 * The HTTP API between the server and the apps (Zendesk sidebar, Salesforce component, scripts).
 * docs/api.md describes it for people; the contracts are in endpoints.ts (one per endpoint), with
 * the schemas they are made of in request-schemas.ts and answer-schemas.ts and the error
 * catalogue in api-errors.ts. Handlers parse with the contracts' `query` and `body`; this module
 * keeps the error catalogue and view types under their older names.
 */

export { API_ERROR_CODES } from './api-errors';
export type { ApiErrorBody, ApiErrorCode } from './api-errors';
export type {
  ConnectorInputView,
  ConnectorView,
  MacroResultView,
  MacroStepView,
  MacroView,
  RunOutcome,
  RunOutputView,
  RunLinkView,
  RunRecordView,
  RunResultView,
  RunWritesView,
} from './answer-schemas';

/**
 * The Zendesk id as the server's own classic schemas use it (`.pipe(idSchema)` in webhook and
 * client schemas): the contract's zod/mini schema behind a classic pipe, typed by its input too
 * (`custom` without a check lets every value through) so a string or a number can be piped in.
 */
export const idSchema = z.pipe(
  z.custom<z.input<typeof requests.zendeskIdSchema>>(),
  requests.zendeskIdSchema,
);
