import type * as z from 'zod/mini';
import type { ApiErrorCode } from './api-errors';

/**
 * One endpoint of the HTTP API as both sides know it: how it is called, what it accepts, what
 * it answers on success and which error codes it may answer instead (the catalogue in
 * api-errors.ts). The server's handler parses with `query`/`body`; the apps build their request
 * from `method` and `path` and parse the answer with `answer`.
 */

/** A zod schema of either flavour (classic or mini): both are built on zod's core. */
type AnySchema = z.core.$ZodType;

interface EndpointBase<Path extends string, Answer extends AnySchema> {
  /** Starts with `/api/`; `:name` segments are filled by `buildEndpointPath`. */
  path: Path;
  answer: Answer;
  /** Every error code the endpoint may answer with, the generic ones (authentication…) included. */
  errors: readonly ApiErrorCode[];
}

/** A GET takes its input in the query string, a POST in the body. */
export type EndpointContract =
  | (EndpointBase<string, AnySchema> & { method: 'GET'; query?: AnySchema })
  | (EndpointBase<string, AnySchema> & { method: 'POST'; body?: AnySchema });

/** The parsed answer of an endpoint (what `answer` gives back). */
export type EndpointAnswer<E extends EndpointContract> = z.output<E['answer']>;

/** What a client may send as the body: the body schema's input (defaults may be left out). */
export type EndpointBody<E extends EndpointContract> = E extends {
  body: infer Body extends AnySchema;
}
  ? z.input<Body>
  : never;

/** The `:name` segments of a path, e.g. `'connectorId'` for `/api/connectors/:connectorId/run`. */
export type PathParamName<Path extends string> =
  Path extends `${string}:${infer Name}/${infer Rest}`
    ? Name | PathParamName<`/${Rest}`>
    : Path extends `${string}:${infer Name}`
      ? Name
      : never;

type QueryValue = string | number | boolean | undefined;

/** The query string's fields, by the names the query schema accepts. */
export type EndpointQuery<E extends EndpointContract> = E extends {
  query: infer Query extends AnySchema;
}
  ? { [Key in keyof z.input<Query>]?: QueryValue }
  : never;

/** What `buildEndpointPath` needs: a value per path parameter, and the query when there is one. */
export type EndpointPathParts<E extends EndpointContract> = ([PathParamName<E['path']>] extends [
  never,
]
  ? { params?: undefined }
  : { params: Record<PathParamName<E['path']>, string> }) &
  ([EndpointQuery<E>] extends [never] ? { query?: undefined } : { query?: EndpointQuery<E> });

/**
 * Declares an endpoint. `const` keeps the method, the path and the schemas' own types, so a
 * handler and a client typed from the contract see exactly its body and answer.
 */
export function defineEndpoint<const E extends EndpointContract>(endpoint: E): Readonly<E> {
  return Object.freeze(endpoint);
}

/**
 * The path and query string to send, every parameter and query value percent-encoded: an id
 * such as `a/../admin` must stay one path segment, never reach another route.
 */
export function buildEndpointPath<E extends EndpointContract>(
  endpoint: E,
  parts: EndpointPathParts<E>,
): string {
  const params: Partial<Record<string, string>> = parts.params ?? {};
  const path = endpoint.path.replace(/:([A-Za-z]+)/g, (_segment, name: string) => {
    const value = params[name];
    // The types require every parameter; a missing one here is a bug in the caller.
    if (value === undefined) throw new Error(`buildEndpointPath: no value for :${name}`);
    return encodeURIComponent(value);
  });
  const query = Object.entries((parts.query ?? {}) as Record<string, QueryValue>)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
  return query.length === 0 ? path : `${path}?${query.join('&')}`;
}
