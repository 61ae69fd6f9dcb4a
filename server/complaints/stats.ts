/**
 * Complaint statistics for managers (§5). Cases count by `received_on`, finalisations by
 * `concluded_on`; category and outcome per allegation. Equality tables suppress cells of
 * 1-4 and, where a total would give one away, a second cell (suppress.ts).
 */
import { londonDateOf } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { complaintErrors } from './errors.js';
import type { ComplaintsDeps } from './ports.js';
import { createStatsRepository, type GroupBy } from './stats-repository.js';
import { measures } from './measures.js';

export const GROUP_BYS = ['category', 'subcategory', 'handling', 'outcome', 'month'] as const;

export interface StatsQuery {
  from?: string;
  to?: string;
  groupBy?: GroupBy;
  stream?: 'cc' | 'review' | 'opcc';
}

const ISO = /^\d{4}-\d{2}-\d{2}$/;

export function createComplaintStatsService(deps: ComplaintsDeps) {
  const { db, clock, audit } = deps;
  const repo = createStatsRepository();

  function period(query: StatsQuery) {
    const today = londonDateOf(clock.now());
    const to = query.to ?? today;
    const from = query.from ?? `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
    const errors: Record<string, string> = {};
    if (!ISO.test(from) || Number.isNaN(Date.parse(from)))
      errors.from = 'Enter a date as YYYY-MM-DD';
    if (!ISO.test(to) || Number.isNaN(Date.parse(to))) errors.to = 'Enter a date as YYYY-MM-DD';
    if (!errors.from && !errors.to && from > to)
      errors.from = 'The start must be on or before the end';
    return { from, to, errors };
  }

  return {
    period,
    async complaints(actor: Actor, query: StatsQuery, how: 'api' | 'page' | 'csv' = 'api') {
      const { from, to, errors } = period(query);
      if (Object.keys(errors).length)
        throw complaintErrors.invalid(errors, 'The period is not valid');
      const groupBy = query.groupBy ?? 'category';
      const stream = query.stream ?? 'cc';
      const [rows, totals, figures] = await Promise.all([
        repo.grouped(db, { from, to, stream }, groupBy),
        repo.totals(db, { from, to, stream }),
        measures(db, repo, { from, to, stream }),
      ]);
      await audit.recordRead(actor, {
        action: how === 'csv' ? 'complaint.stats.export' : 'complaint.stats.view',
        subjectType: 'complaint_stats',
        justification: `${from}..${to} ${stream} ${groupBy}`,
      });
      return { period: { from, to }, stream, groupBy, rows, totals, ...figures };
    },
  };
}
export type ComplaintStatsService = ReturnType<typeof createComplaintStatsService>;
