import * as z from 'zod/mini';
import { buildEndpointPath } from '../../shared/src/api/define-endpoint';
import { refreshSessionEndpoint } from '../../shared/src/api/endpoints';
import type { Transport } from './server-api';

/**
 * The session the server put into the page when Zendesk loaded it, signed (see
 * server/src/helpdesks/zendesk/identity). It is a short-lived bearer token; the app renews it a few
 * minutes before it runs out, and once more if a call finds it expired. A session has a maximum
 * age: past it, renewal fails and the agent reopens the ticket (Zendesk then signs a new load).
 */
export interface AgentSession {
  token(): string;
  /** The agent Zendesk signed for (shown, never sent: the server knows it from the token). */
  readonly user: { id: number; name: string; role: string };
  /** Renews now; false when the session cannot be renewed any more. */
  renew(): Promise<boolean>;
  stop(): void;
}

const sessionStateSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: z.object({ id: z.number(), name: z.string(), role: z.string() }),
});
export type SessionState = z.infer<typeof sessionStateSchema>;

/** The session embedded in the page, or undefined when the page was not loaded by Zendesk. */
export function readSessionState(doc: Pick<Document, 'getElementById'>): SessionState | undefined {
  const text = doc.getElementById('dc-session')?.textContent;
  if (!text) return undefined;
  try {
    const parsed = sessionStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Renew this long before expiry; a failed try is repeated after RETRY_MS while time is left. */
const RENEW_BEFORE_MS = 3 * 60_000;
const RETRY_MS = 30_000;

export function createAgentSession(
  state: SessionState,
  deps: {
    transport: Transport;
    /** Called once when the session is over for good. */
    onEnded: () => void;
    now?: () => number;
    setTimer?: (callback: () => void, ms: number) => unknown;
    clearTimer?: (timer: unknown) => void;
  },
): AgentSession {
  const now = deps.now ?? Date.now;
  const setTimer = deps.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  const clearTimer =
    deps.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  let token = state.token;
  let expiresAt = Date.parse(state.expiresAt);
  let timer: unknown;
  let inFlight: Promise<boolean> | undefined;
  let ended = false;

  const end = () => {
    if (ended) return;
    ended = true;
    if (timer !== undefined) clearTimer(timer);
    deps.onEnded();
  };

  const schedule = (ms: number) => {
    if (ended) return;
    if (timer !== undefined) clearTimer(timer);
    timer = setTimer(() => void renew(), Math.max(0, ms));
  };

  async function attempt(): Promise<boolean> {
    const answer = await deps.transport({
      method: refreshSessionEndpoint.method,
      path: buildEndpointPath(refreshSessionEndpoint, {}),
      headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
      timeoutMs: 15_000,
    });
    if (answer.kind === 'answer' && answer.status === 200) {
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        body = undefined;
      }
      const renewed = z.safeParse(refreshSessionEndpoint.answer, body);
      if (renewed.success) {
        token = renewed.data.token;
        expiresAt = Date.parse(renewed.data.expiresAt);
        schedule(expiresAt - now() - RENEW_BEFORE_MS);
        return true;
      }
    }
    if (answer.kind === 'answer' && (answer.status === 401 || answer.status === 403)) {
      end();
      return false;
    }
    // The server did not answer: try again while the session still has time.
    if (expiresAt - now() > RETRY_MS) schedule(RETRY_MS);
    else end();
    return false;
  }

  function renew(): Promise<boolean> {
    if (ended) return Promise.resolve(false);
    inFlight ??= attempt().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  schedule(expiresAt - now() - RENEW_BEFORE_MS);
  return {
    token: () => token,
    user: state.user,
    renew,
    stop: () => {
      if (timer !== undefined) clearTimer(timer);
      ended = true;
    },
  };
}
