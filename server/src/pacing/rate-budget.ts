import type { Result } from '../../../shared/src/result';
import type { RunLane } from './run-lane';

/**
 * What one helpdesk account lets us spend, as its answers say, and the pacing of background
 * work below it.
 *
 * The helpdesk's own counters are the truth: every answer carries how much of the current window
 * is left (Zendesk's `ratelimit-remaining` / `ratelimit-reset`, Salesforce's `Sforce-Limit-Info`),
 * and those count every client of the account: our other instances, other apps, the agents.
 * Between answers we count down our own calls, so a burst cannot overshoot while answers are in
 * flight.
 *
 * Agents' calls are never held: they spend the budget and the automation lane works around them.
 * Automation keeps `reserveShare` of each window free for agents and spreads the rest evenly
 * over what is left of the window, rather than spending it in the first seconds and leaving
 * agents to meet 429s for the rest of the minute.
 */

export interface BucketPolicy {
  /**
   * Spread automation evenly over the window (per-minute limits). Off for allowances that are
   * not a rate (Salesforce's rolling 24-hour count): there automation only stops at the reserve.
   */
  spread: boolean;
  /** The window to assume when an answer does not say when it resets. */
  windowMs: number;
  /** A limit known before any answer (documented per-endpoint limits not sent in headers). */
  knownLimit?: number;
}

export interface BudgetObservation {
  bucket: string;
  limit: number;
  remaining: number;
  /** When the window resets, where the answer says; otherwise `windowMs` is assumed. */
  resetInMs?: number;
}

export interface BudgetRefusal {
  code: 'RATE_BUDGET_EXHAUSTED';
  message: string;
  retryAfterMs: number;
}

export interface RateBudgetOptions {
  /** The helpdesk's name, for messages. */
  label: string;
  buckets: Record<string, BucketPolicy>;
  /** Share of each window kept for agents (default 0.05). */
  reserveShare?: number;
  /**
   * Longest an automation call waits for budget (default 70 s: past a Zendesk minute). A longer
   * wait (an exhausted daily allowance) is refused, and the delivery retries later instead of
   * holding a worker for hours.
   */
  maxWaitMs?: number;
  now?: () => number;
}

export interface BucketView {
  limit?: number;
  remaining?: number;
  resetInMs?: number;
}

export interface BudgetSnapshot {
  buckets: Record<string, BucketView>;
  waiting: number;
  blockedForMs: number;
}

/** What a slot taken at once (`takeAtOnce`) comes to, the same as `acquire`'s answer. */
export const SLOT_TAKEN: Result<void, never> = { ok: true, value: undefined };

export interface RateBudget {
  /**
   * Takes one call from each bucket. Agents never wait; automation waits its turn (first come,
   * first served) until the call fits under the reserve.
   */
  acquire(lane: RunLane, buckets: readonly string[]): Promise<Result<void, BudgetRefusal>>;
  /**
   * Takes one call from each bucket at once when the lane never waits (agents), and answers
   * true; false, taking nothing, for a lane that must `acquire`. Spares the agent's calls a
   * promise each (docs/performance.md, "CPU per run").
   */
  takeAtOnce(lane: RunLane, buckets: readonly string[]): boolean;
  /** Reads what an answer said about the budget. */
  observe(observations: readonly BudgetObservation[]): void;
  /**
   * How long an automation call to these buckets would wait if asked now, not counting the
   * calls already waiting (0: at once).
   */
  waitOf(buckets: readonly string[]): number;
  /** Whether automation calls to this bucket are spread over its window (a per-minute limit). */
  spreads(bucket: string): boolean;
  /** After a 429: automation waits at least this long (the helpdesk's `Retry-After`). */
  holdFor(ms: number): void;
  /** What is known of one bucket now (nothing before the helpdesk has answered). */
  bucket(name: string): BucketView;
  snapshot(): BudgetSnapshot;
}

interface BucketState {
  policy: BucketPolicy;
  limit: number | undefined;
  remaining: number | undefined;
  /** When the current window ends; estimated from `windowMs` when the helpdesk did not say. */
  resetAtMs: number | undefined;
  /** Whether `resetAtMs` came from an answer (else it is `windowMs` after an estimate). */
  resetObserved: boolean;
  lastTakeAtMs: number;
}

interface Waiter {
  buckets: readonly string[];
  resolve: (result: Result<void, BudgetRefusal>) => void;
}

/** A small margin past a window's end, so the first call of the next one is not early. */
const RESET_MARGIN_MS = 25;
/**
 * Helpdesks state resets in whole seconds, so answers from one window disagree on its end by up
 * to a second; a reset further off than that belongs to another window.
 */
const RESET_RESOLUTION_MS = 1_000;

export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const now = options.now ?? Date.now;
  const reserveShare = options.reserveShare ?? 0.05;
  const maxWaitMs = options.maxWaitMs ?? 70_000;
  const states = new Map<string, BucketState>();
  const waiters: Waiter[] = [];
  let heldUntilMs = 0;
  let timer: NodeJS.Timeout | undefined;

  function stateOf(bucket: string): BucketState {
    let state = states.get(bucket);
    if (!state) {
      const policy = options.buckets[bucket] ?? { spread: true, windowMs: 60_000 };
      state = {
        policy,
        limit: policy.knownLimit,
        remaining: policy.knownLimit,
        resetAtMs: undefined,
        resetObserved: false,
        lastTakeAtMs: 0,
      };
      states.set(bucket, state);
    }
    return state;
  }

  /** A window that has ended starts the next one full. */
  function rollOver(state: BucketState, at: number): void {
    if (state.limit === undefined) return;
    if (state.resetAtMs === undefined) {
      state.resetAtMs = at + state.policy.windowMs;
      return;
    }
    if (at < state.resetAtMs) return;
    const windows = Math.floor((at - state.resetAtMs) / state.policy.windowMs) + 1;
    state.resetAtMs += windows * state.policy.windowMs;
    state.resetObserved = false;
    state.remaining = state.limit;
  }

  /** What is known of a bucket at `at`, its window rolled over first. */
  function viewOf(state: BucketState, at: number): BucketView {
    rollOver(state, at);
    // Keys set one by one, not spread: "Object literals on the run path" in docs/performance.md.
    const view: BucketView = {};
    if (state.limit !== undefined) view.limit = state.limit;
    if (state.remaining !== undefined) view.remaining = state.remaining;
    if (state.resetAtMs !== undefined) view.resetInMs = state.resetAtMs - at;
    return view;
  }

  /** How long an automation call must wait before it fits this bucket (0: now). */
  function delayOf(state: BucketState, at: number): number {
    if (state.limit === undefined || state.remaining === undefined) return 0;
    rollOver(state, at);
    const reserve = Math.max(1, Math.ceil(state.limit * reserveShare));
    const usable = state.remaining - reserve;
    const resetInMs = Math.max(0, (state.resetAtMs ?? at) - at);
    if (usable <= 0) return resetInMs + RESET_MARGIN_MS;
    if (!state.policy.spread) return 0;
    const gapMs = resetInMs / usable;
    return Math.max(0, state.lastTakeAtMs + gapMs - at);
  }

  function take(lane: RunLane, buckets: readonly string[], at: number): void {
    for (const bucket of buckets) {
      const state = stateOf(bucket);
      rollOver(state, at);
      if (state.remaining !== undefined) state.remaining -= 1;
      // Agents' calls spend the budget but do not set the automation's pace.
      if (lane === 'automation') state.lastTakeAtMs = at;
    }
  }

  function pump(): void {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    while (waiters.length > 0) {
      const head = waiters[0] as Waiter;
      const at = now();
      const delay = Math.max(
        heldUntilMs - at,
        ...head.buckets.map((bucket) => delayOf(stateOf(bucket), at)),
      );
      if (delay > maxWaitMs) {
        waiters.shift();
        head.resolve({
          ok: false,
          error: {
            code: 'RATE_BUDGET_EXHAUSTED',
            message: `${options.label}'s API allowance for background work is used up for the next ${Math.ceil(delay / 1000)} s; the rest is kept for agents.`,
            retryAfterMs: delay,
          },
        });
        continue;
      }
      if (delay > 0) {
        timer = setTimeout(pump, Math.ceil(delay));
        timer.unref();
        return;
      }
      waiters.shift();
      take('automation', head.buckets, at);
      head.resolve({ ok: true, value: undefined });
    }
  }

  const takeAtOnce = (lane: RunLane, buckets: readonly string[]): boolean => {
    if (lane !== 'agent') return false;
    take('agent', buckets, now());
    return true;
  };

  return {
    takeAtOnce,
    acquire(lane, buckets) {
      if (takeAtOnce(lane, buckets)) return Promise.resolve(SLOT_TAKEN);
      return new Promise((resolve) => {
        waiters.push({ buckets, resolve });
        if (waiters.length === 1) pump();
      });
    },

    observe(observations) {
      const at = now();
      for (const observation of observations) {
        const state = stateOf(observation.bucket);
        rollOver(state, at);
        const observedResetAt =
          observation.resetInMs === undefined ? undefined : at + observation.resetInMs;
        if (
          observedResetAt !== undefined &&
          state.resetObserved &&
          state.resetAtMs !== undefined &&
          observedResetAt < state.resetAtMs - RESET_RESOLUTION_MS
        ) {
          // An answer from a window that has already ended: its count no longer applies.
          continue;
        }
        const newWindow =
          state.remaining === undefined ||
          state.limit !== observation.limit ||
          (observedResetAt !== undefined &&
            (!state.resetObserved ||
              state.resetAtMs === undefined ||
              observedResetAt > state.resetAtMs + RESET_RESOLUTION_MS));
        state.limit = observation.limit;
        // Within one window the lower count wins: answers to calls sent before our latest ones
        // arrive late and would otherwise hand back budget those calls have already spent.
        state.remaining = newWindow
          ? observation.remaining
          : Math.min(state.remaining ?? observation.remaining, observation.remaining);
        if (observedResetAt !== undefined && newWindow) {
          state.resetAtMs = observedResetAt;
          state.resetObserved = true;
        }
      }
      if (waiters.length > 0) pump();
    },

    waitOf(buckets) {
      const at = now();
      return Math.max(
        0,
        heldUntilMs - at,
        ...buckets.map((bucket) => delayOf(stateOf(bucket), at)),
      );
    },

    spreads(bucket) {
      const state = stateOf(bucket);
      return state.policy.spread && state.limit !== undefined;
    },

    holdFor(ms) {
      heldUntilMs = Math.max(heldUntilMs, now() + ms);
      if (waiters.length > 0) pump();
    },

    bucket(name) {
      const state = states.get(name);
      return state ? viewOf(state, now()) : {};
    },

    snapshot() {
      const at = now();
      const buckets: BudgetSnapshot['buckets'] = {};
      for (const [name, state] of states) buckets[name] = viewOf(state, at);
      return { buckets, waiting: waiters.length, blockedForMs: Math.max(0, heldUntilMs - at) };
    },
  };
}
