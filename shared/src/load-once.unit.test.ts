import { describe, expect, it } from 'vitest';
import { loadOnce } from './load-once';

describe('loadOnce', () => {
  it('loads on the first call, not before, and gives every call the same promise', async () => {
    let loads = 0;
    const load = loadOnce(async () => ({ n: ++loads }));
    expect(loads).toBe(0);
    const [first, second] = await Promise.all([load(), load()]);
    expect(await load()).toBe(first);
    expect(second).toBe(first);
    expect(loads).toBe(1);
  });

  it('forgets a failed load, so the next call tries again', async () => {
    let loads = 0;
    const load = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('not installed');
      return 'loaded';
    });
    await expect(load()).rejects.toThrow('not installed');
    await expect(load()).resolves.toBe('loaded');
    await expect(load()).resolves.toBe('loaded');
    expect(loads).toBe(2);
  });

  it('tells whether a load was started, without starting one', async () => {
    let loads = 0;
    const load = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('not installed');
      return 'loaded';
    });
    expect(load.started()).toBeUndefined();
    expect(loads).toBe(0);
    await expect(load()).rejects.toThrow('not installed');
    expect(load.started()).toBeUndefined();
    const loaded = load();
    expect(load.started()).toBe(loaded);
    await expect(loaded).resolves.toBe('loaded');
  });
});
