/** The §5 measures beside the grouped rows: timeliness, on time, over 12 months, reviews, equality. */
import type { DbOrTx } from '../../db/client.js';
import type { StatsFilter, StatsRepository } from './stats-repository.js';
import { suppress } from './suppress.js';

const percent = (part: number, whole: number) =>
  whole ? Math.round((1000 * part) / whole) / 10 : null;
const round1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

export async function measures(db: DbOrTx, repo: StatsRepository, f: StatsFilter) {
  const [timeliness, onTime, over12, reviews, equality] = await Promise.all([
    repo.timeliness(db, f),
    repo.onTime(db, f),
    repo.overTwelveMonths(db, f),
    repo.reviews(db, f),
    repo.equality(db, f),
  ]);
  const kind = (k: string) => onTime.find((r) => r.kind === k) ?? { kind: k, sent: 0, onTime: 0 };
  const dimensions = [...new Set(equality.map((e) => e.dimension))];
  return {
    timeliness: timeliness.map((t) => ({
      ...t,
      meanWorkingDays: round1(t.meanWorkingDays),
      medianWorkingDays: round1(t.medianWorkingDays),
      meanDays: round1(t.meanDays),
      medianDays: round1(t.medianDays),
    })),
    onTime: {
      updates: { ...kind('update'), percent: percent(kind('update').onTime, kind('update').sent) },
      outcomeLetters: {
        ...kind('outcome'),
        percent: percent(kind('outcome').onTime, kind('outcome').sent),
      },
    },
    overTwelveMonths: {
      open: over12,
      reports: { ...kind('report'), percent: percent(kind('report').onTime, kind('report').sent) },
    },
    reviews: {
      ...reviews,
      meanDays: round1(reviews.meanDays),
      percentUpheld: percent(reviews.upheld, reviews.upheld + reviews.notUpheld),
    },
    equality: dimensions.map((dimension) => {
      const shown = suppress(
        equality
          .filter((e) => e.dimension === dimension)
          .map((e) => ({ key: e.value, count: e.count })),
      );
      return { dimension, cells: shown.cells, total: shown.total };
    }),
  };
}
