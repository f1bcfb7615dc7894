import { describe, expect, it } from 'vitest';
import { memoizePerObject } from './memoize-per-object';

describe('memoizePerObject', () => {
  it('computes once per key object, and apart for each key', () => {
    const seen: object[] = [];
    const lengthOf = memoizePerObject((list: number[]) => {
      seen.push(list);
      return list.length;
    });
    const one = [1];
    const two = [1, 2];
    expect(lengthOf(one)).toBe(1);
    expect(lengthOf(one)).toBe(1);
    expect(lengthOf(two)).toBe(2);
    // A key with the same contents is another key.
    expect(lengthOf([1])).toBe(1);
    expect(seen).toEqual([one, two, [1]]);
    expect(seen[0]).toBe(one);
  });
});
