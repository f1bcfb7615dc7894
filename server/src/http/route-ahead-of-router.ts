import type {
  ErrorRequestHandler,
  Express,
  NextFunction,
  Request,
  RequestHandler,
  Response,
} from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * One route that the app serves before its router: for the hot path (connector runs), whose
 * every request otherwise pays Express's whole dispatch. `app.handle` makes a final handler and
 * the router walks every layer, matching each path, with a `next` closure per step; in the CPU
 * benchmark that was about 6% of the server's main thread with none of our code below it, and
 * the router's closures were 7% of what survives a young collection (docs/performance.md, "CPU
 * per run").
 *
 * Only a request whose method and whole URL match `pattern` exactly takes it: anything else
 * (another case, a trailing slash, a query string, an encoded character) goes through the app as
 * before, where the same handlers are registered on the same path. So both ways answer alike.
 * The request and response get the app's prototypes, `req.params` and the other properties
 * Express sets, then `handlers` run in order as the router would run them (a rejected promise
 * or a throw goes to `onError`, as does `next(error)`).
 */
export interface AheadRoute {
  method: string;
  /** The whole URL (path and nothing else); its groups become `params` in `paramNames` order. */
  pattern: RegExp;
  paramNames: readonly string[];
  handlers: readonly RequestHandler[];
  onError: ErrorRequestHandler;
}

type Handle = (req: IncomingMessage, res: ServerResponse, callback?: unknown) => void;

export function routeAheadOfRouter(app: Express, route: AheadRoute): void {
  // An Express app is a function that calls its own `handle`; tests (supertest) and the server
  // both enter here. Mounted as a sub-app (a callback given), it is left to route as usual.
  const target = app as unknown as { handle: Handle };
  const handle = target.handle.bind(app);
  target.handle = (req, res, callback) => {
    if (callback === undefined && req.method === route.method) {
      const match = route.pattern.exec(req.url ?? '');
      if (match) {
        dispatch(app, route, req, res, match);
        return;
      }
    }
    handle(req, res, callback);
  };
}

function dispatch(
  app: Express,
  route: AheadRoute,
  rawReq: IncomingMessage,
  rawRes: ServerResponse,
  match: RegExpExecArray,
): void {
  // What app.handle and the router set before a route's handlers run.
  Object.setPrototypeOf(rawReq, app.request);
  Object.setPrototypeOf(rawRes, app.response);
  const req = rawReq as Request;
  const res = rawRes as Response;
  req.res = res;
  res.req = req;
  res.locals ??= Object.create(null) as Response['locals'];
  req.originalUrl = req.url;
  req.baseUrl = '';
  const params: Record<string, string> = {};
  route.paramNames.forEach((name, index) => {
    params[name] = match[index + 1] ?? '';
  });
  req.params = params;

  let index = 0;
  const fail = (error: unknown) => route.onError(error, req, res, () => undefined);
  const next: NextFunction = (error?: unknown) => {
    // Anything passed on is an error here, 'route' and 'router' too: no other route follows.
    if (error !== undefined && error !== null) {
      fail(error);
      return;
    }
    const handler = route.handlers[index];
    index += 1;
    if (handler === undefined) {
      // Every route here answers; a handler that passed on instead is a bug.
      fail(new Error(`${route.method} ${req.path}: no handler answered`));
      return;
    }
    try {
      const result: unknown = handler(req, res, next);
      if (result instanceof Promise) result.then(undefined, (rejected: unknown) => fail(rejected));
    } catch (error) {
      fail(error);
    }
  };
  next();
}
