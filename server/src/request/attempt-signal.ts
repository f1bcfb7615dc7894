import { EventEmitter } from 'node:events';

/**
 * The abort signal of one HTTP attempt: it aborts when the attempt's time is up or when any of
 * `follows` (a call's deadline, the caller's cancellation) aborts, whichever comes first.
 *
 * Why not `AbortSignal.any([…, AbortSignal.timeout(ms)])`: every call paid for two signals, the
 * weak references and finalization `any` keeps for each source, and their garbage, about 28 µs per
 * attempt against 7–9 µs for one controller and a timer (docs/performance.md, "CPU per run").
 * Why not one `AbortController` either: an `AbortSignal` is an `EventTarget`, whose creation and
 * listeners cost about 6.5 µs an attempt more than an `EventEmitter` with the same fields (a
 * micro-benchmark: 6.6–7.8 µs against 0.6–0.7), and undici takes either as a request's `signal`
 * (its `Dispatcher.request` options: "AbortSignal | EventEmitter"), reading `aborted` and `reason`
 * and listening for 'abort'. A run makes three attempts or more. `dispose` must be called when
 * the attempt is over.
 */
export interface AttemptSignal {
  signal: AttemptAbortSignal;
  /** The attempt's own time ran out (not a source's abort). */
  timedOut(): boolean;
  /** Stops the timer and stops following the sources. */
  dispose(): void;
}

/** An abort signal as undici reads one: `aborted`, `reason`, and an 'abort' event, once. */
export class AttemptAbortSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

export function createAttemptSignal(
  timeoutMs: number,
  follows: readonly (AbortSignal | undefined)[] = [],
): AttemptSignal {
  const signal = new AttemptAbortSignal();
  let timedOut = false;
  // The same reason AbortSignal.timeout gives, so error handling that looks at it is unchanged.
  const timer = setTimeout(() => {
    timedOut = true;
    signal.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  const sources = follows.filter((source): source is AbortSignal => source !== undefined);
  const forward = (event: Event) => signal.abort((event.target as AbortSignal).reason);
  for (const source of sources) {
    if (source.aborted) {
      signal.abort(source.reason);
      break;
    }
    source.addEventListener('abort', forward, { once: true });
  }
  return {
    signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      for (const source of sources) source.removeEventListener('abort', forward);
    },
  };
}
