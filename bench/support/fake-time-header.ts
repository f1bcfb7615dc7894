/**
 * Each answer of the instant fakes carries the time it spent in the fake, so the server-side
 * timing subtracts exactly what other systems took, and nothing of the server's own time.
 * (A module of its own, so the server process does not load the fakes to know the name.)
 */
export const FAKE_TIME_HEADER = 'x-fake-ms';
