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
  // Subclasses, so that V8 sizes their objects for the fields Node's constructors add; a
  // function that called `ServerResponse.call(this)` left them outside the object, and one keyed
  // store then turned every response into a dictionary.
  class AppRequest extends IncomingMessage {}
  class AppResponse extends ServerResponse {}
  return {
    IncomingMessage: AppRequest,
    ServerResponse: AppResponse as unknown as typeof ServerResponse,
    adopt(app) {
      // The classes' prototypes take the app's place (a class's own `prototype` cannot be
      // replaced): they inherit its methods, and Express's setPrototypeOf finds nothing to change.
      Object.setPrototypeOf(AppRequest.prototype, app.request);
      Object.setPrototypeOf(AppResponse.prototype, app.response);
      app.request = AppRequest.prototype as typeof app.request;
      app.response = AppResponse.prototype as typeof app.response;
    },
  };
}
