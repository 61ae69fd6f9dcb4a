/**
 * Each complaint statistics query on its own (docs/rules/performance.md §1: "each statistics query over
 * 100,000 complaints, warm: p95 < 100 ms over 20 runs"), called through the repository the
 * service uses, one at a time, on the bench database bench/complaint-stats.ts seeded.
 */
import { createDb } from '../db/client.js';
import { createStatsRepository, type StatsFilter } from '../server/complaints/stats-repository.js';

export interface QueryTiming {
  name: string;
  coldMs: number;
  p50: number;
  p95: number;
  max: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (v: number) => Math.round(v * 100) / 100;

export async function timeQueries(
  databaseUrl: string,
  filters: Array<[string, StatsFilter]>,
  runs: number,
): Promise<QueryTiming[]> {
  const { db, close } = createDb(databaseUrl, { max: 1 });
  const repo = createStatsRepository();
  const out: QueryTiming[] = [];
  try {
    for (const [label, f] of filters) {
      const queries: Array<[string, () => Promise<unknown>]> = [
        ...(['category', 'subcategory', 'handling', 'outcome', 'month'] as const).map(
          (g) => [`grouped ${g}`, () => repo.grouped(db, f, g)] as [string, () => Promise<unknown>],
        ),
        ['totals', () => repo.totals(db, f)],
        ['timeliness', () => repo.timeliness(db, f)],
        ['on time', () => repo.onTime(db, f)],
        ['over 12 months', () => repo.overTwelveMonths(db, f)],
        ['reviews', () => repo.reviews(db, f)],
        ['equality', () => repo.equality(db, f)],
      ];
      for (const [name, run] of queries) {
        const once = async () => {
          const t = performance.now();
          await run();
          return performance.now() - t;
        };
        const coldMs = await once();
        const times: number[] = [];
        for (let i = 0; i < runs; i++) times.push(await once());
        times.sort((a, b) => a - b);
        out.push({
          name: `${name}, ${label}`,
          coldMs: round(coldMs),
          p50: round(percentile(times, 50)),
          p95: round(percentile(times, 95)),
          max: round(times.at(-1)!),
        });
      }
    }
  } finally {
    await close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url =
    process.env.BENCH_COMPLAINTS_URL ?? 'postgres://postgres@127.0.0.1:5432/opcc_bench_complaints';
  const today = new Date().toISOString().slice(0, 10);
  const year = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
  const five = `${Number(today.slice(0, 4)) - 5}${today.slice(4)}`;
  const rows = await timeQueries(
    url,
    [
      ['12 months', { from: year, to: today, stream: 'cc' }],
      ['5 years', { from: five, to: today, stream: 'cc' }],
    ],
    Number(process.argv[2] ?? 20),
  );
  console.table(rows);
}
