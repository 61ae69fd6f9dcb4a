import { describe, expect, it } from 'vitest';
import { createStampedCache } from '../../server/platform/change-stamps.js';

describe('createStampedCache', () => {
  it('keeps answers under their stamp, empties on a newer one and ignores older ones', () => {
    const cache = createStampedCache<string>({ maxEntries: 10 });
    expect(cache.get(1, 'a')).toBeUndefined();
    cache.set(1, 'a', 'one');
    expect(cache.get(1, 'a')).toBe('one');
    cache.set(0, 'b', 'stale');
    expect(cache.get(1, 'b')).toBeUndefined();
    expect(cache.get(2, 'a')).toBeUndefined();
    expect(cache.get(1, 'a')).toBeUndefined();
  });

  it('evicts the oldest answer when full', () => {
    const cache = createStampedCache<number>({ maxEntries: 2 });
    cache.get(1, 'x');
    cache.set(1, 'a', 1);
    cache.set(1, 'b', 2);
    cache.set(1, 'c', 3);
    expect([cache.get(1, 'a'), cache.get(1, 'b'), cache.get(1, 'c')]).toEqual([undefined, 2, 3]);
  });

  it('with admitOnSecondAsk, stores an answer only the second time its key is computed', () => {
    const cache = createStampedCache<number>({ maxEntries: 2, admitOnSecondAsk: true });
    cache.get(1, 'a');
    cache.set(1, 'a', 1);
    expect(cache.get(1, 'a')).toBeUndefined();
    cache.set(1, 'a', 1);
    expect(cache.get(1, 'a')).toBe(1);
  });

  it('with admitOnSecondAsk, a sweep wider than the cache stores nothing', () => {
    const cache = createStampedCache<number>({ maxEntries: 3, admitOnSecondAsk: true });
    cache.get(1, 'k0');
    for (let round = 0; round < 3; round += 1)
      for (let i = 0; i < 5; i += 1) {
        expect(cache.get(1, `k${i}`)).toBeUndefined();
        cache.set(1, `k${i}`, i);
      }
  });

  it('with admitOnSecondAsk, a newer stamp forgets the keys asked once', () => {
    const cache = createStampedCache<number>({ maxEntries: 3, admitOnSecondAsk: true });
    cache.get(1, 'a');
    cache.set(1, 'a', 1);
    cache.get(2, 'a');
    cache.set(2, 'a', 2);
    expect(cache.get(2, 'a')).toBeUndefined();
    cache.set(2, 'a', 2);
    expect(cache.get(2, 'a')).toBe(2);
  });
});
