import { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';

/**
 * Request and response classes for `http.createServer` whose objects are born with the Express
 * app's prototypes. Express gives every request and response the app's prototypes with
 * `Object.setPrototypeOf`, which costs V8 a new map for each object: about 7–10 µs a request in
 * a micro-benchmark, against about 3 µs when the objects already have them (the call then finds
 * nothing to change). Node builds the objects from these classes (`createServer`'s
 * `IncomingMessage` and `ServerResponse` options); until `adopt` is called they are Node's own.
 */
export interface AppMessageClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
  /** From now on, objects are born with this app's `request` and `response` prototypes. */
  adopt(app: Express): void;
}

export function createAppMessageClasses(): AppMessageClasses {
  // Function constructors, not classes: a class's `prototype` cannot be replaced, and the
  // prototype must be the app's own object for Express's call to find nothing to change. Node's
  // IncomingMessage and ServerResponse are function constructors too, so `call` runs them.
  function AppRequest(this: IncomingMessage, socket: IncomingMessage['socket']): void {
    (IncomingMessage as unknown as (socket: unknown) => void).call(this, socket);
  }
  function AppResponse(
    this: ServerResponse,
    req: IncomingMessage,
    options?: Record<string, unknown>,
  ): void {
    (ServerResponse as unknown as (req: IncomingMessage, options?: unknown) => void).call(
      this,
      req,
      options,
    );
  }
  AppRequest.prototype = IncomingMessage.prototype;
  AppResponse.prototype = ServerResponse.prototype;
  return {
    IncomingMessage: AppRequest as unknown as typeof IncomingMessage,
    ServerResponse: AppResponse as unknown as typeof ServerResponse,
    adopt(app) {
      AppRequest.prototype = app.request;
      AppResponse.prototype = app.response;
    },
  };
}
