import * as z from 'zod';
import * as requests from './request-schemas';

/**
 * The HTTP API between the server and the apps (Zendesk sidebar, Salesforce component, scripts).
 * docs/api.md describes it for people; the contracts are in endpoints.ts (one per endpoint), with
 * the schemas they are made of in request-schemas.ts and answer-schemas.ts and the error
 * catalogue in api-errors.ts. This module keeps the names the server imports today.
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
  RunRecordView,
  RunResultView,
  RunWritesView,
} from './answer-schemas';

/**
 * The request schemas are zod/mini (the sidebar bundles them), and the server's `parseOrThrow`
 * and its own schemas take zod classic types. Each name below is the contract's schema behind a
 * classic pipe whose first stage lets every value through: same checks, same issues, same output, so a
 * handler's answers do not change. Handlers that read `endpoint.query`/`endpoint.body` from
 * endpoints.ts, with a `parseOrThrow` that takes `z.core.$ZodType`, no longer need them.
 */
function asClassic<Schema extends z.core.$ZodType>(schema: Schema) {
  return z.pipe(z.unknown(), schema);
}

// Typed by its input too (`custom` without a check lets every value through), so that a classic
// schema can still `.pipe(idSchema)` a string or a number into it.
export const idSchema = z.pipe(
  z.custom<z.input<typeof requests.zendeskIdSchema>>(),
  requests.zendeskIdSchema,
);
export const runConnectorBodySchema = asClassic(requests.runConnectorBodySchema);
export type RunConnectorBody = z.infer<typeof runConnectorBodySchema>;
export const listConnectorsQuerySchema = asClassic(requests.listConnectorsQuerySchema);
export const listRunsQuerySchema = asClassic(requests.listRunsQuerySchema);
export const listMacrosQuerySchema = asClassic(requests.listMacrosQuerySchema);
export const runMacroBodySchema = asClassic(requests.runMacroBodySchema);
export type RunMacroBody = z.infer<typeof runMacroBodySchema>;
export const salesforceListQuerySchema = asClassic(requests.salesforceListQuerySchema);
/** Query of `GET /api/salesforce/macros`: the same as for connectors. */
export const salesforceListMacrosQuerySchema = salesforceListQuerySchema;
export const salesforceRunBodySchema = asClassic(requests.salesforceRunBodySchema);
export const salesforceRunMacroBodySchema = asClassic(requests.salesforceRunMacroBodySchema);
export type SalesforceRunMacroBody = z.infer<typeof salesforceRunMacroBodySchema>;
