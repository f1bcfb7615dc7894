/**
 * The abort signal of one HTTP attempt: it aborts when the attempt's time is up or when any of
 * `follows` (a call's deadline, the caller's cancellation) aborts, whichever comes first.
 *
 * Why not `AbortSignal.any([…, AbortSignal.timeout(ms)])`: every call paid for two signals, the
 * weak references and finalization `any` keeps for each source, and their garbage, about 28 µs per
 * attempt against 7–9 µs for one controller and a timer (docs/performance.md, "CPU per run").
 * A run makes three attempts or more. `dispose` must be called when the attempt is over.
 */
export interface AttemptSignal {
  signal: AbortSignal;
  /** The attempt's own time ran out (not a source's abort). */
  timedOut(): boolean;
  /** Stops the timer and stops following the sources. */
  dispose(): void;
}

export function createAttemptSignal(
  timeoutMs: number,
  follows: readonly (AbortSignal | undefined)[] = [],
): AttemptSignal {
  const controller = new AbortController();
  let timedOut = false;
  // The same reason AbortSignal.timeout gives, so error handling that looks at it is unchanged.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, timeoutMs);
  const sources = follows.filter((source): source is AbortSignal => source !== undefined);
  const forward = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    source.addEventListener('abort', forward, { once: true });
  }
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clearTimeout(timer);
      for (const source of sources) source.removeEventListener('abort', forward);
    },
  };
}
