/**
 * Small-number suppression for equality tables (§5): a count of 1-4 shows as `<5`; where a
 * total would let someone work one out (a single suppressed cell in a table whose total is
 * shown), the next smallest cell is hidden too, or the total if there is none.
 */
export interface Cell {
  key: string;
  count: number;
}
export interface ShownCell {
  key: string;
  /** The number, or null when it is not shown. */
  count: number | null;
  display: string;
}

export const SMALL = 5;
export const SUPPRESSED = '<5';
export const HIDDEN = 'hidden';

export function suppress(cells: Cell[]): { cells: ShownCell[]; total: ShownCell } {
  const sum = cells.reduce((n, c) => n + c.count, 0);
  const primary = new Set(cells.filter((c) => c.count > 0 && c.count < SMALL).map((c) => c.key));
  const secondary = new Set<string>();
  let hideTotal = sum > 0 && sum < SMALL;
  if (primary.size === 1 && !hideTotal) {
    const next = cells
      .filter((c) => c.count > 0 && !primary.has(c.key))
      .sort((a, b) => a.count - b.count || a.key.localeCompare(b.key))[0];
    if (next) secondary.add(next.key);
    else hideTotal = true;
  }
  return {
    cells: cells.map((c) =>
      primary.has(c.key)
        ? { key: c.key, count: null, display: SUPPRESSED }
        : secondary.has(c.key)
          ? { key: c.key, count: null, display: HIDDEN }
          : { key: c.key, count: c.count, display: String(c.count) },
    ),
    total: hideTotal
      ? { key: 'total', count: null, display: sum < SMALL ? SUPPRESSED : HIDDEN }
      : { key: 'total', count: sum, display: String(sum) },
  };
}
