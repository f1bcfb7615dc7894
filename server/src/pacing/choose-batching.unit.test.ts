import { describe, expect, it } from 'vitest';
import { createBatchChooser } from './choose-batching';
import { createRateBudget } from './rate-budget';

describe('choosing between a single write and a batch', () => {
  it('sends a lone write alone and batches once enough writes are in flight', () => {
    const chooser = createBatchChooser({
      budget: undefined,
      bucket: 'tickets-update',
      minConcurrent: 4,
    });
    const first = chooser.enter();
    expect(first.batch).toBe(false);
    const others = [chooser.enter(), chooser.enter()];
    expect(others.map((gate) => gate.batch)).toEqual([false, false]);
    const fourth = chooser.enter();
    expect(fourth.batch).toBe(true);
    for (const gate of [first, ...others, fourth]) gate.leave();
    // Leaving twice does not count twice.
    first.leave();
    expect(chooser.enter().batch).toBe(false);
  });

  it('batches even a lone write once the limit it would spend is more than half used', () => {
    const budget = createRateBudget({
      label: 'Zendesk',
      buckets: { 'tickets-update': { spread: true, windowMs: 60_000 } },
    });
    const chooser = createBatchChooser({ budget, bucket: 'tickets-update' });
    budget.observe([{ bucket: 'tickets-update', limit: 100, remaining: 60, resetInMs: 30_000 }]);
    const roomy = chooser.enter();
    expect(roomy.batch).toBe(false);
    roomy.leave();
    budget.observe([{ bucket: 'tickets-update', limit: 100, remaining: 40, resetInMs: 29_000 }]);
    expect(chooser.enter().batch).toBe(true);
  });
});
