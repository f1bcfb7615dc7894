import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWriteBatcher } from './write-batcher';

interface Write {
  key: string;
  note?: string;
  fields: Record<string, string>;
}

function createRecordingBatcher(options: { maxBatch?: number; maxInFlight?: number } = {}) {
  const batches: Write[][] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const batcher = createWriteBatcher<Write, string>({
    maxBatch: options.maxBatch ?? 3,
    lingerMs: 100,
    maxInFlight: options.maxInFlight ?? 2,
    keyOf: (write) => write.key,
    merge: (earlier, later) =>
      earlier.note !== undefined && later.note !== undefined
        ? undefined
        : {
            key: earlier.key,
            fields: { ...earlier.fields, ...later.fields },
            ...((earlier.note ?? later.note) === undefined
              ? {}
              : { note: earlier.note ?? later.note }),
          },
    flush: async (items) => {
      batches.push([...items]);
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return items.map((item) => `batch ${batches.length}: ${item.key}`);
    },
  });
  return {
    batcher,
    batches,
    holdFlushes: () => (hold = true),
    releaseFlush: () => release?.(),
  };
}

describe('the write batcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends a lone write after the linger, and a full batch at once', async () => {
    const { batcher, batches } = createRecordingBatcher();
    const lone = batcher.submit({ key: 'a', fields: { x: '1' } });
    await vi.advanceTimersByTimeAsync(99);
    expect(batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await expect(lone).resolves.toBe('batch 1: a');

    const full = ['b', 'c', 'd'].map((key) => batcher.submit({ key, fields: {} }));
    await vi.advanceTimersByTimeAsync(0);
    expect(batches[1]?.map((write) => write.key)).toEqual(['b', 'c', 'd']);
    await expect(Promise.all(full)).resolves.toEqual(['batch 2: b', 'batch 2: c', 'batch 2: d']);
  });

  it('coalesces writes to one key, and holds one that cannot merge for the next batch', async () => {
    const { batcher, batches } = createRecordingBatcher();
    const first = batcher.submit({ key: 't1', note: 'one', fields: { x: '1' } });
    const second = batcher.submit({ key: 't1', fields: { y: '2' } });
    const third = batcher.submit({ key: 't1', note: 'two', fields: { x: '3' } });
    await vi.advanceTimersByTimeAsync(100);
    expect(batches[0]).toEqual([{ key: 't1', note: 'one', fields: { x: '1', y: '2' } }]);
    await expect(first).resolves.toBe('batch 1: t1');
    await expect(second).resolves.toBe('batch 1: t1');
    await vi.advanceTimersByTimeAsync(100);
    expect(batches[1]).toEqual([{ key: 't1', note: 'two', fields: { x: '3' } }]);
    await expect(third).resolves.toBe('batch 2: t1');
  });

  it('runs at most maxInFlight batches and sends the rest when one finishes', async () => {
    const { batcher, batches, holdFlushes, releaseFlush } = createRecordingBatcher({
      maxBatch: 1,
      maxInFlight: 1,
    });
    holdFlushes();
    const writes = ['a', 'b'].map((key) => batcher.submit({ key, fields: {} }));
    await vi.advanceTimersByTimeAsync(500);
    expect(batches).toHaveLength(1);
    expect(batcher.inFlight).toBe(1);
    releaseFlush();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toHaveLength(2);
    releaseFlush();
    await expect(Promise.all(writes)).resolves.toEqual(['batch 1: a', 'batch 2: b']);
  });
});

describe('a finished batch', () => {
  it('releases its writers a few per turn of the event loop, so other I/O is not held up', async () => {
    const events: string[] = [];
    const batcher = createWriteBatcher<string, string>({
      maxBatch: 12,
      lingerMs: 1,
      maxInFlight: 1,
      keyOf: (key) => key,
      merge: () => undefined,
      flush: async (items) => {
        // Stands for an agent's request that became ready while the batch was out.
        setImmediate(() => events.push('other I/O'));
        return items.map((item) => `written ${item}`);
      },
      releasePerTurn: 4,
    });
    const writes = Array.from({ length: 12 }, (_, index) =>
      batcher.submit(`t${index}`).then((outcome) => events.push(outcome)),
    );
    await Promise.all(writes);
    expect(events).toHaveLength(13);
    expect(events.indexOf('other I/O')).toBe(4);
    expect(events.filter((event) => event !== 'other I/O')).toEqual(
      Array.from({ length: 12 }, (_, index) => `written t${index}`),
    );
  });
});
