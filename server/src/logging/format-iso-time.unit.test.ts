import { describe, expect, it } from 'vitest';
import { formatIsoTime } from './format-iso-time';

describe('formatIsoTime', () => {
  it('writes what toISOString writes, through second changes and every width of milliseconds', () => {
    const start = Date.UTC(2026, 11, 6, 23, 59, 58, 990);
    for (let ms = start; ms < start + 2_100; ms += 1) {
      expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('agrees for times far apart, called in any order', () => {
    const times = [
      0,
      999,
      1_000,
      86_400_000 - 1,
      951_782_400_000,
      1_767_694_500_123,
      253_402_300_799_999,
    ];
    for (const ms of [...times, ...times.reverse()]) {
      expect(formatIsoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('drops a fraction of a millisecond, as a Date does', () => {
    expect(formatIsoTime(1_767_694_500_123.9)).toBe('2026-01-06T10:15:00.123Z');
  });

  it('writes years before 1970 and after 9999 as toISOString does, and throws for NaN', () => {
    expect(formatIsoTime(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(formatIsoTime(253_402_300_800_000)).toBe('+010000-01-01T00:00:00.000Z');
    expect(() => formatIsoTime(Number.NaN)).toThrow(RangeError);
  });
});
