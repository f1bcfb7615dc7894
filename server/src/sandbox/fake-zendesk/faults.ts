import type { RequestHandler } from 'express';

/**
 * Fault injection for tests: queue a misbehaviour and the next matching request gets it
 * instead of (or before) the normal answer. Faults run before authentication and rate
 * limiting because they stand in for the network and Zendesk's edge, not for the API logic.
 */
export interface FaultSpec {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Substring of, or pattern for, the path relative to the mount point, e.g. `/tickets/1`. */
  pathPattern?: string | RegExp;
  /** Status to answer with; omit with `delayMs` to only slow the request down. */
  status?: number;
  /** JSON body (strings are sent as text/plain). */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests this fault applies to (default 1). */
  times?: number;
  delayMs?: number;
  /** Destroy the socket without answering (after `delayMs`, if given). */
  resetConnection?: boolean;
  /**
   * Process the request normally, then drop the connection instead of sending the answer: the
   * change is made but the client never hears of it (a lost response).
   */
  loseResponse?: boolean;
}

export interface FaultInjector {
  enqueue(spec: FaultSpec): void;
  clear(): void;
  /** Number of fault applications still queued. */
  pending(): number;
  /** Takes one application of the first fault matching the request, if any. */
  take(method: string, path: string): FaultSpec | undefined;
}

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

function matches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (spec.pathPattern === undefined) return true;
  return typeof spec.pathPattern === 'string'
    ? path.includes(spec.pathPattern)
    : spec.pathPattern.test(path);
}

export function createFaultInjector(): FaultInjector {
  let queue: QueuedFault[] = [];
  return {
    enqueue(spec) {
      queue.push({ spec, remaining: spec.times ?? 1 });
    },
    clear() {
      queue = [];
    },
    pending() {
      return queue.reduce((sum, fault) => sum + fault.remaining, 0);
    },
    take(method, path) {
      const fault = queue.find((entry) => matches(entry.spec, method, path));
      if (!fault) return undefined;
      fault.remaining -= 1;
      if (fault.remaining <= 0) queue = queue.filter((entry) => entry !== fault);
      return fault.spec;
    },
  };
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function createFaultMiddleware(injector: FaultInjector): RequestHandler {
  return async (req, res, next) => {
    const fault = injector.take(req.method, req.path);
    if (!fault) return next();
    if (fault.delayMs) await wait(fault.delayMs);
    if (fault.resetConnection) {
      req.socket.destroy();
      return;
    }
    if (fault.loseResponse) {
      res.end = (() => {
        req.socket.destroy();
        return res;
      }) as typeof res.end;
      return next();
    }
    if (fault.status === undefined) return next();
    res.status(fault.status);
    for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
    if (fault.body === undefined) res.end();
    else if (typeof fault.body === 'string') res.type('text/plain').send(fault.body);
    else res.json(fault.body);
  };
}
