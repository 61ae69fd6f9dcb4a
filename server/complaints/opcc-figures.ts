/**
 * The OPCC's own figure for a force monitoring measure (§5), worked out from the period's
 * statistics, so the page shows the office's figure beside the force, its most similar
 * forces and the national one. A measure with no counterpart here (allegations per 1,000
 * employees, the share under Schedule 3) has none.
 */
import type { MONITORING_MEASURES } from './monitoring.js';

interface PeriodStats {
  totals: { complaints: number };
  timeliness: Array<{
    measure: string;
    count: number;
    meanWorkingDays: number | null;
    meanDays: number | null;
  }>;
  reviews: { received: number };
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** Mean over every row of a milestone (finalisations come one row per handling). */
function mean(s: PeriodStats, measure: string, field: 'meanWorkingDays' | 'meanDays') {
  const rows = s.timeliness.filter((r) => r.measure === measure && r[field] !== null);
  const n = rows.reduce((sum, r) => sum + r.count, 0);
  return n ? round1(rows.reduce((sum, r) => sum + r.count * r[field]!, 0) / n) : null;
}

export function opccFigures(
  s: PeriodStats,
): Partial<Record<(typeof MONITORING_MEASURES)[number], number | null>> {
  return {
    'Complaint cases logged': s.totals.complaints,
    'Working days to log': mean(s, 'recorded', 'meanWorkingDays'),
    'Working days to contact': mean(s, 'first_contact', 'meanWorkingDays'),
    'Days to finalise': mean(s, 'finalised', 'meanDays'),
    'PCC reviews': s.reviews.received,
  };
}
