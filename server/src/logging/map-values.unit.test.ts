import { describe, expect, it } from 'vitest';
import { mapArrayItems, mapObjectValues } from './map-values';

const upper = (item: unknown) => (item === 'secret' ? '[masked]' : item);

describe('mapping values, copying only on a change', () => {
  it('answers the very object or array when nothing changes', () => {
    const record = { a: 'x', b: 1, c: null };
    const list = ['x', 2, undefined];
    expect(mapObjectValues(record, upper)).toBe(record);
    expect(mapArrayItems(list, upper)).toBe(list);
  });

  it('copies on the first change, keeps the keys before and after it, and leaves the input alone', () => {
    const record = { a: 'x', b: 'secret', c: 'y' };
    const mapped = mapObjectValues(record, upper);
    expect(mapped).not.toBe(record);
    expect(mapped).toEqual({ a: 'x', b: '[masked]', c: 'y' });
    expect(Object.keys(mapped)).toEqual(['a', 'b', 'c']);
    expect(record.b).toBe('secret');
    const list = ['x', 'secret', 'y'];
    expect(mapArrayItems(list, upper)).toEqual(['x', '[masked]', 'y']);
    expect(list).toEqual(['x', 'secret', 'y']);
  });

  it('keeps every key and its order when integer-like keys come first', () => {
    const record: Record<string, unknown> = { b: 'x', 2: 'secret', 1: 'y', a: 'secret' };
    const mapped = mapObjectValues(record, upper);
    expect(Object.keys(mapped)).toEqual(['1', '2', 'b', 'a']);
    expect(mapped).toEqual({ 1: 'y', 2: '[masked]', b: 'x', a: '[masked]' });
  });

  it('keeps a "__proto__" key a plain key in a copy', () => {
    const parsed = JSON.parse('{"__proto__": "secret", "z": 1}') as object;
    const mapped = mapObjectValues(parsed, upper);
    expect(Object.getPrototypeOf(mapped)).toBe(Object.prototype);
    expect(Object.keys(mapped)).toEqual(['__proto__', 'z']);
    expect(Object.getOwnPropertyDescriptor(mapped, '__proto__')?.value).toBe('[masked]');
  });

  it('always copies what is not a plain object, so its toJSON cannot write it unmapped', () => {
    const url = new URL('https://shop.example/orders?token=secret');
    const mapped = mapObjectValues(url, upper);
    expect(mapped).not.toBe(url);
    expect(JSON.stringify(mapped)).toBe('{}');
    const withNullPrototype = Object.assign(Object.create(null) as object, { a: 'x' });
    expect(mapObjectValues(withNullPrototype, upper)).toBe(withNullPrototype);
  });
});
