/** Deterministic randomness for demo data: every demo database looks the same. */

/** Deterministic (seed 42), so every demo database looks the same. */
export function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

export type Random = ReturnType<typeof prng>;

export function weighted<T>(mix: Array<[T, number]>, r: number): T {
  let acc = 0;
  for (const [value, weight] of mix) {
    acc += weight;
    if (r < acc) return value;
  }
  return mix[mix.length - 1]![0];
}
