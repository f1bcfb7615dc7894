import { describe, expect, it } from 'vitest';
import { createResponseBufferBudget } from './response-buffer-budget';

describe('createResponseBufferBudget', () => {
  it('takes bytes up to the limit exactly, then refuses without taking anything', () => {
    const budget = createResponseBufferBudget(100);
    expect(budget.take(60)).toBe(true);
    expect(budget.take(40)).toBe(true);
    expect(budget.used).toBe(100);
    expect(budget.take(1)).toBe(false);
    expect(budget.used).toBe(100);
  });

  it('has room again once bytes are given back', () => {
    const budget = createResponseBufferBudget(100);
    budget.take(90);
    expect(budget.take(20)).toBe(false);
    budget.give(90);
    expect(budget.used).toBe(0);
    expect(budget.take(20)).toBe(true);
  });

  it('treats giving back more than was taken as a bug', () => {
    const budget = createResponseBufferBudget(100);
    budget.take(10);
    expect(() => budget.give(11)).toThrow(/too many/);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createResponseBufferBudget(0)).toThrow(RangeError);
    expect(() => createResponseBufferBudget(1.5)).toThrow(RangeError);
  });

  it('lets a big body be read only when its worst case fits in the free heap', () => {
    const MiB = 1024 * 1024;
    let free = 100 * MiB;
    const budget = createResponseBufferBudget(MiB, { heapAvailable: () => free });
    // JSON: 24 bytes of heap per byte in the worst case; text: 2.
    expect(budget.fitsInHeap(4 * MiB, true)).toBe(true);
    expect(budget.fitsInHeap(5 * MiB, true)).toBe(false);
    expect(budget.fitsInHeap(5 * MiB, false)).toBe(true);
    free = 9 * MiB;
    expect(budget.fitsInHeap(5 * MiB, false)).toBe(false);
    // Small bodies are not worth a heap statistics call, whatever the heap says.
    free = 0;
    expect(budget.fitsInHeap(100 * 1024, true)).toBe(true);
  });

  it('reads the real heap by default', () => {
    const budget = createResponseBufferBudget(1024);
    expect(budget.fitsInHeap(1024 * 1024, true)).toBe(true);
    expect(budget.fitsInHeap(Number.MAX_SAFE_INTEGER / 32, true)).toBe(false);
  });
});
