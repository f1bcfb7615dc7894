import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_FIELD_IDS } from '../../server/src/sandbox/seed/zendesk-seed';
import { connectOAuth } from '../support/connect-oauth';
import { signInToConsole } from '../support/console-session';
import { FAKE_CLIENT, startFakeAuthorizationServer } from '../support/fake-authorization-server';
import type { FakeAuthorizationServer } from '../support/fake-authorization-server';
import { startGoogleCalendarFixture } from './fixtures/google-calendar-fixture';
import type { GoogleCalendarFixture } from './fixtures/google-calendar-fixture';
import { startTemplateStack } from './support/start-template-stack';
import type { TemplateStack } from './support/start-template-stack';

/**
 * Google Calendar's "book a call" template: an OAuth authorization code connection connected
 * from the console (a fake authorization server plays Google's), then events booked on tickets.
 */

const LINK_FIELD = String(SANDBOX_FIELD_IDS.trackingNumber);
let auth: FakeAuthorizationServer;
let calendar: GoogleCalendarFixture;
let added: TemplateStack;
let authorizeUrl: URL;

beforeAll(async () => {
  auth = await startFakeAuthorizationServer();
  calendar = await startGoogleCalendarFixture(auth);
  added = await startTemplateStack({
    templateId: 'google_calendar_create_event',
    fixtureBaseUrl: calendar.baseUrl,
    choices: { values: { time_zone: 'Europe/Berlin', event_link_field: LINK_FIELD } },
    secrets: { GOOGLE_CLIENT_ID: FAKE_CLIENT.id, GOOGLE_CLIENT_SECRET: FAKE_CLIENT.secret },
    stackOptions: {
      env: { tokenEncryption: { key: randomBytes(32), previous: [], sandboxDefault: false } },
    },
    editConnection: (connection) => {
      const oauth = connection.auth as Record<string, unknown>;
      oauth.authorizeUrl = `${auth.url}/authorize`;
      oauth.tokenUrl = `${auth.url}/token`;
    },
  });
  const admin = await signInToConsole(added.stack);
  const connected = await connectOAuth(added.stack, auth, 'google_calendar', admin);
  expect(connected.back.headers.location).toContain('oauth=connected');
  authorizeUrl = new URL(connected.started.authorizeUrl);
});
afterAll(async () => {
  await added?.close();
  await calendar?.close();
  await auth?.close();
});
afterEach(() => {
  calendar.setMode('normal');
  added.stack.zendesk.store.reset();
});

const SLOT = { start_time: '2026-12-07T15:30', end_time: '2026-12-07T16:00' };

describe('template google_calendar_create_event', () => {
  it('asks Google for offline access to calendar events only, so a refresh token comes back', () => {
    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({
      access_type: 'offline',
      prompt: 'consent',
      scope: 'https://www.googleapis.com/auth/calendar.events',
      response_type: 'code',
      code_challenge_method: 'S256',
    });
    expect(auth.issuedRefreshTokens.length).toBeGreaterThan(0);
  });

  it('books the event in the chosen time zone, invites the requester, and stores the link', async () => {
    const res = await added.runOnTicket(1, SLOT);
    expect(res.body).toMatchObject({
      outcome: 'success',
      message: 'Call booked for 2026-12-07T15:30; the invitation went to maria@example.com.',
      writes: { status: 'written' },
    });
    const sent = calendar.journal.at(-1);
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/calendar/v3/calendars/primary/events',
      query: { sendUpdates: 'all' },
    });
    expect(sent?.body).toEqual({
      id: 'ticket1',
      summary: 'Where is my order #1001?',
      description: 'Booked from Zendesk ticket 1.',
      start: { dateTime: '2026-12-07T15:30', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-07T16:00', timeZone: 'Europe/Berlin' },
      attendees: [{ email: 'maria@example.com' }],
    });
    expect(sent?.headers.authorization).toBe(`Bearer ${auth.issuedAccessTokens.at(-1)}`);
    const ticket = added.stack.ticket(1);
    expect(String(ticket.customFields[LINK_FIELD])).toMatch(
      /^https:\/\/www\.google\.com\/calendar\/event\?eid=/,
    );
    expect(ticket.tags).toContain('calendar_event_created');
  });

  it('cannot book twice for one ticket: Google refuses the same event id, nothing is written', async () => {
    const before = calendar.events.length;
    const res = await added.runOnTicket(1, SLOT);
    expect(res.body).toMatchObject({
      outcome: 'failed',
      message:
        'Google Calendar refused the event (the API answered 409: The requested identifier already exists.). A ticket books one call: an event made for it already exists if the answer says so.',
    });
    expect(calendar.events).toHaveLength(before);
    expect(added.stack.ticket(1).customFields[LINK_FIELD] ?? null).toBeNull();
  });

  it('refuses a time the agent typed wrong before calling Google', async () => {
    const before = calendar.journal.length;
    const res = await added.runOnTicket(2, { ...SLOT, start_time: 'tomorrow at 3' });
    expect(res.status).toBe(422);
    expect(calendar.journal).toHaveLength(before);
  });

  it('follows the fail path when Google refuses the token (after one refresh) and when it rate limits', async () => {
    calendar.setMode('unauthorized');
    const refreshesBefore = auth.tokenRequests.filter(
      (r) => r.grantType === 'refresh_token',
    ).length;
    const refused = await added.runOnTicket(2, SLOT);
    expect(refused.body).toMatchObject({
      outcome: 'failed',
      message:
        'Google refused the calendar connection. Ask an admin to reconnect Google Calendar in the admin console.',
    });
    // A 401 gets one refresh and one retry before the fail path.
    expect(auth.tokenRequests.filter((r) => r.grantType === 'refresh_token').length).toBe(
      refreshesBefore + 1,
    );
    calendar.setMode('rateLimited');
    const busy = await added.runOnTicket(2, SLOT);
    expect(busy.body).toMatchObject({
      outcome: 'failed',
      message: 'Google Calendar is rate limiting bookings. Try again in a minute.',
    });
    expect(added.stack.ticket(2).tags).not.toContain('calendar_event_created');
  });
});
