import { describe, expect, it } from 'vitest';
import type { HttpAnswer, HttpRequest } from './server-api';
import { createAgentSession, readSessionState } from './session';
import type { SessionState } from './session';

const T0 = Date.parse('2026-12-02T10:00:00Z');
const state = (expiresInMs: number): SessionState => ({
  token: 'first',
  expiresAt: new Date(T0 + expiresInMs).toISOString(),
  user: { id: 7, name: 'Alex', role: 'agent' },
});

/** A clock and timers the test moves by hand. */
function harness(answers: HttpAnswer[]) {
  let now = T0;
  const timers: { at: number; run: () => void }[] = [];
  const sent: HttpRequest[] = [];
  let ended = 0;
  const deps = {
    now: () => now,
    setTimer: (run: () => void, ms: number) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer: unknown) => {
      const index = timers.indexOf(timer as (typeof timers)[number]);
      if (index >= 0) timers.splice(index, 1);
    },
    transport: async (request: HttpRequest) => {
      sent.push(request);
      return answers.shift() ?? { kind: 'unreachable' as const };
    },
    onEnded: () => (ended += 1),
  };
  return {
    deps,
    sent,
    ended: () => ended,
    nextTimerAt: () => Math.min(...timers.map((timer) => timer.at)),
    /** Moves the clock to the next timer and runs it. */
    async tick() {
      timers.sort((a, b) => a.at - b.at);
      const timer = timers.shift();
      if (!timer) throw new Error('no timer');
      now = timer.at;
      timer.run();
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}

const renewed = (token: string, expiresInMs: number): HttpAnswer => ({
  kind: 'answer',
  status: 200,
  text: JSON.stringify({ token, expiresAt: new Date(T0 + expiresInMs).toISOString() }),
});

describe('reading the session from the page', () => {
  it('takes the JSON the server embedded, and nothing else', () => {
    const doc = (text: string | null) => ({
      getElementById: (id: string) =>
        id === 'dc-session' && text !== null ? { textContent: text } : null,
    });
    expect(readSessionState(doc(JSON.stringify(state(1000))) as never)).toEqual(state(1000));
    expect(readSessionState(doc(null) as never)).toBeUndefined();
    expect(readSessionState(doc('{"token":1}') as never)).toBeUndefined();
    expect(readSessionState(doc('not json') as never)).toBeUndefined();
  });
});

describe('keeping the session alive', () => {
  it('renews three minutes before it expires, and then uses the new token', async () => {
    const h = harness([renewed('second', 30 * 60_000)]);
    const session = createAgentSession(state(15 * 60_000), h.deps);
    expect(h.nextTimerAt()).toBe(T0 + 12 * 60_000);
    await h.tick();
    expect(h.sent[0]).toMatchObject({
      method: 'POST',
      path: '/api/session/refresh',
      headers: { Authorization: 'Bearer first' },
    });
    expect(session.token()).toBe('second');
    expect(h.nextTimerAt()).toBe(T0 + 27 * 60_000);
  });

  it('tries again every 30 s while the server does not answer, and ends when no time is left', async () => {
    const h = harness([]);
    createAgentSession(state(3 * 60_000 + 10_000), h.deps);
    // First try at 10 s (3 minutes left), then every 30 s until 30 s or less are left.
    for (let tries = 0; tries < 20 && h.ended() === 0; tries += 1) await h.tick();
    expect(h.sent).toHaveLength(6);
    expect(h.ended()).toBe(1);
  });

  it('ends for good when the server refuses to renew (maximum age, agent suspended)', async () => {
    const h = harness([
      {
        kind: 'answer',
        status: 401,
        text: '{"error":{"code":"SESSION_EXPIRED","message":"x"}}',
      },
    ]);
    const session = createAgentSession(state(15 * 60_000), h.deps);
    await h.tick();
    expect(h.ended()).toBe(1);
    expect(await session.renew()).toBe(false);
    expect(h.sent).toHaveLength(1);
  });

  it('shares one renewal among calls that find the session expired at once', async () => {
    const h = harness([renewed('second', 30 * 60_000)]);
    const session = createAgentSession(state(15 * 60_000), h.deps);
    const results = await Promise.all([session.renew(), session.renew(), session.renew()]);
    expect(results).toEqual([true, true, true]);
    expect(h.sent).toHaveLength(1);
  });
});
