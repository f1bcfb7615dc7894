/**
 * `new Date(ms).toISOString()`, for the times every run writes (its record's start, its log
 * line's time). V8 formats a date through a general printf-like formatter, about 7,000
 * instructions a call, twice a run (docs/performance.md, "What the eighteenth machine's session
 * found"); within one second only the milliseconds change, so the text up to them is kept.
 *
 * @example formatIsoTime(Date.UTC(2026, 11, 6, 19, 5, 3, 7)) // '2026-12-06T19:05:03.007Z'
 */
export function formatIsoTime(ms: number): string {
  const whole = Math.floor(ms);
  // Outside years 1970–9999 the text is not "YYYY-…" (negative, six-digit years), and NaN must
  // throw as toISOString does: those go the usual way.
  if (!(whole >= 0 && whole < MAX_FOUR_DIGIT_YEAR_MS)) return new Date(ms).toISOString();
  const second = Math.floor(whole / 1000);
  if (second !== cachedSecond) {
    // "2026-12-06T19:05:03." — through the seconds and the dot.
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  const millis = whole - second * 1000;
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}

/** 10000-01-01T00:00:00.000Z */
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000;

let cachedSecond = Number.NaN;
let cachedPrefix = '';
