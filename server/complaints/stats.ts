/**
 * Complaint statistics for managers (§5). Cases count by `received_on`, finalisations by
 * `concluded_on`; category and outcome per allegation. Equality tables suppress cells of
 * 1-4 and, where a total would give one away, a second cell (suppress.ts).
 */
import { isIsoDate, londonDateOf } from '../lib/dates.js';
import type { Actor } from '../platform/audit.js';
import { createStampReader, createStampedCache } from '../platform/change-stamps.js';
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

export function createComplaintStatsService(deps: ComplaintsDeps) {
  const { db, clock, audit } = deps;
  const repo = createStatsRepository();
  /*
   * The figures are reused while nothing under the `complaints` change stamp moves (any
   * write to a table they read bumps it, migration 0027): one single-row read instead of
   * the eleven aggregate queries over every complaint in the period. The stamp is read
   * before computing, so a reused answer is never older than the data it was read after.
   */
  const readStamp = createStampReader(db, 'complaints');
  const answers = createStampedCache<Awaited<ReturnType<typeof compute>>>({ maxEntries: 200 });

  async function compute(f: { from: string; to: string; stream: string }, groupBy: GroupBy) {
    const [rows, totals, figures] = await Promise.all([
      repo.grouped(db, f, groupBy),
      repo.totals(db, f),
      measures(db, repo, f),
    ]);
    return { rows, totals, ...figures };
  }

  function period(query: StatsQuery) {
    const today = londonDateOf(clock.now());
    const to = query.to ?? today;
    const from = query.from ?? `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
    const errors: Record<string, string> = {};
    // A real calendar date: 2026-02-31 parses in JavaScript but not in PostgreSQL.
    if (!isIsoDate(from)) errors.from = 'Enter a real date as YYYY-MM-DD';
    if (!isIsoDate(to)) errors.to = 'Enter a real date as YYYY-MM-DD';
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
      // The read's audit row travels in the statement that reads the stamp and is committed
      // before the answer is worked out: the figures never go out unaudited.
      const stamp = await readStamp(
        audit.row(actor, {
          action: how === 'csv' ? 'complaint.stats.export' : 'complaint.stats.view',
          subjectType: 'complaint_stats',
          justification: `${from}..${to} ${stream} ${groupBy}`,
        }),
      );
      const key = `${from}|${to}|${stream}|${groupBy}`;
      let answer = answers.get(stamp, key);
      if (!answer) {
        answer = await compute({ from, to, stream }, groupBy);
        answers.set(stamp, key, answer);
      }
      return { period: { from, to }, stream, groupBy, ...answer };
    },
  };
}
export type ComplaintStatsService = ReturnType<typeof createComplaintStatsService>;
