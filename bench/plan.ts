/**
 * The triage plan check (docs/rules/performance.md §5), run by the bench on the seeded data set and
 * never by `npm test`:
 *
 *   npm run bench:plan            prints the verdict and the plans as JSON
 *
 * It captures the SQL the app really runs: the repository's own `list()` is called on a
 * Drizzle instance whose logger records every statement and its parameters (the app's
 * query, not a copy of it). pg_stat_statements is not loaded on the bench server, so this is
 * the capture. Each captured statement is then run under
 * `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`: the first page of
 * `status=open&sort=due&limit=25` and the page after it (its keyset cursor), for a manager
 * (no visibility filter) and a caseworker (restricted cases filtered in SQL).
 *
 * Assertions, each recorded: no Seq Scan on cases; an index scan on TRIAGE_INDEX;
 * no OFFSET in the SQL; the second page uses a keyset predicate; and the index supplies
 * the order (no Sort node, so a page costs its 26 rows rather than every open case). The
 * same EXPLAIN is recorded for the other queries the triage page runs (the view counts and
 * the navigation badge), reported only.
 */
import { randomUUID } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from '../db/schema/index.js';
import { DUE_SOON_WORKING_DAYS } from '../server/correspondence/due.js';
import { bundledHolidays } from '../server/deadlines/bundle.js';
import { buildCalendars } from '../server/lib/calendar.js';
import { londonDateOf } from '../server/lib/dates.js';
import {
  createCorrespondenceRepository,
  type CaseFilters,
  type Viewer,
} from '../server/correspondence/repository.js';
import { BENCH_DATABASE_URL } from './app-server.js';

/**
 * The index the triage order must come from. docs/rules/performance.md names an index on
 * `(status, due_at, id)`; ours (migration 0011) is its sharper form: partial on the open
 * statuses, ordered by `(coalesce(next_due_on, '9999-12-31'), received_at, id)`, which is
 * exactly the queue's order ("no due date last, then date received"), so a page reads
 * limit + 1 index entries and never sorts.
 */
export const TRIAGE_INDEX = 'cases_open_due_order_idx';

export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Sort Method'?: string;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

export interface ExplainedQuery {
  label: string;
  sql: string;
  params: unknown[];
  /** Node types, depth-first, e.g. "Limit > Sort > Index Scan (cases_status_due_idx)". */
  shape: string;
  planningMs: number;
  executionMs: number;
  sharedHitBlocks: number;
  sharedReadBlocks: number;
  plan: PlanNode;
}

export interface PlanCheck {
  query: string;
  verdict: 'pass' | 'fail';
  checks: Array<{ name: string; pass: boolean; detail: string }>;
  /** Rows with status = 'open' in the data set (what a Sort has to read). */
  openRows: number;
  triage: ExplainedQuery[];
  /** The page's other queries: reported only. */
  others: ExplainedQuery[];
}

function walk(node: PlanNode, visit: (node: PlanNode, depth: number) => void, depth = 0) {
  visit(node, depth);
  for (const child of node.Plans ?? []) walk(child, visit, depth + 1);
}

function shapeOf(plan: PlanNode): string {
  const parts: string[] = [];
  walk(plan, (node, depth) => {
    const target = node['Index Name'] ?? node['Relation Name'];
    const rows = node['Actual Rows'] !== undefined ? ` rows=${node['Actual Rows']}` : '';
    const loops = (node['Actual Loops'] ?? 1) > 1 ? ` loops=${node['Actual Loops']}` : '';
    const sort = node['Sort Method'] ? ` [${node['Sort Method']}]` : '';
    parts.push(
      `${'  '.repeat(depth)}${node['Node Type']}${target ? ` (${target})` : ''}${sort}${rows}${loops}`,
    );
  });
  return parts.join('\n');
}

async function explain(
  sql: postgres.Sql,
  label: string,
  captured: { sql: string; params: unknown[] },
): Promise<ExplainedQuery> {
  const [row] = await sql.unsafe(
    `explain (analyze, buffers, format json) ${captured.sql}`,
    captured.params as postgres.ParameterOrJSON<never>[],
  );
  const [result] = (row as Record<string, unknown>)['QUERY PLAN'] as Array<{
    Plan: PlanNode;
    'Planning Time': number;
    'Execution Time': number;
  }>;
  const plan = result!.Plan;
  return {
    label,
    sql: captured.sql,
    params: captured.params,
    shape: shapeOf(plan),
    planningMs: Math.round(result!['Planning Time'] * 100) / 100,
    executionMs: Math.round(result!['Execution Time'] * 100) / 100,
    sharedHitBlocks: Number(plan['Shared Hit Blocks'] ?? 0),
    sharedReadBlocks: Number(plan['Shared Read Blocks'] ?? 0),
    plan,
  };
}

export async function checkTriagePlan(databaseUrl: string): Promise<PlanCheck> {
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => undefined,
    connection: { TimeZone: 'UTC' },
  });
  try {
    const captured: Array<{ sql: string; params: unknown[] }> = [];
    const db = drizzle(sql, {
      schema,
      logger: { logQuery: (query, params) => void captured.push({ sql: query, params }) },
    });
    const repo = createCorrespondenceRepository();
    const today = londonDateOf(new Date());
    // The bench database holds the bundled holidays: the same calendar the app would read.
    const ew = buildCalendars(bundledHolidays()).england_wales;
    const dates = { today, dueSoonBy: ew.addWorkingDays(today, DUE_SOON_WORKING_DAYS) };
    const filters: CaseFilters = { status: ['open'] };
    const page = { sort: 'due' as const, limit: 25 };

    const [caseworker] = await sql<Array<{ id: string }>>`
      select id from users where role = 'caseworker' order by email limit 1`;
    const viewers: Array<{ name: string; viewer: Viewer }> = [
      { name: 'manager', viewer: { id: randomUUID(), role: 'manager' } },
      { name: 'caseworker', viewer: { id: caseworker?.id ?? randomUUID(), role: 'caseworker' } },
    ];

    const triage: ExplainedQuery[] = [];
    for (const { name, viewer } of viewers) {
      captured.length = 0;
      const first = await repo.list(db, viewer, filters, dates, page);
      const firstSql = captured.at(-1)!;
      triage.push(await explain(sql, `${name}: first page`, firstSql));
      if (first.nextCursor) {
        captured.length = 0;
        await repo.list(db, viewer, filters, dates, { ...page, cursor: first.nextCursor });
        triage.push(await explain(sql, `${name}: second page (keyset cursor)`, captured.at(-1)!));
      }
    }

    const others: ExplainedQuery[] = [];
    for (const { name, viewer } of viewers) {
      captured.length = 0;
      await repo.counts(db, viewer, dates);
      others.push(
        await explain(sql, `${name}: view counts (every /casework page)`, captured.at(-1)!),
      );
      // The navigation badge query is recent (it may not exist in every checkout).
      const badge = (repo as { unassignedOpenCount?: (d: typeof db, v: Viewer) => Promise<number> })
        .unassignedOpenCount;
      if (badge) {
        captured.length = 0;
        await badge(db, viewer);
        others.push(
          await explain(sql, `${name}: navigation badge (every staff page)`, captured.at(-1)!),
        );
      }
    }

    const [open] = await sql<
      [{ n: number }]
    >`select count(*)::int as n from cases where status = 'open'`;

    const nodes = triage.map((q) => {
      const list: PlanNode[] = [];
      walk(q.plan, (node) => list.push(node));
      return list;
    });
    const all = nodes.flat();
    const seq = all.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'cases');
    const onIndex = nodes.every((list) =>
      list.some((n) => /Index/.test(n['Node Type']) && n['Index Name'] === TRIAGE_INDEX),
    );
    const sorts = all.filter((n) => /Sort/.test(n['Node Type']));
    const offsets = triage.filter((q) => /\boffset\b/i.test(q.sql));
    const keyset = triage.filter((q) => q.label.includes('second page'));
    const keysetOk = keyset.length > 0 && keyset.every((q) => /\)\s*[<>]\s*\(/.test(q.sql));
    const indexUses = [
      ...new Set(
        all.filter((n) => n['Index Name']).map((n) => `${n['Node Type']} (${n['Index Name']})`),
      ),
    ];
    const sortedRows = Math.max(0, ...sorts.map((n) => n.Plans?.[0]?.['Actual Rows'] ?? 0));
    const checks = [
      {
        name: 'no Seq Scan on cases',
        pass: seq.length === 0,
        detail: seq.length ? `${seq.length} Seq Scan node(s)` : 'none',
      },
      {
        name: `index scan on ${TRIAGE_INDEX}`,
        pass: onIndex,
        detail: indexUses.join(', ') || 'no index used',
      },
      {
        name: 'no OFFSET',
        pass: offsets.length === 0,
        detail: offsets.length ? offsets.map((q) => q.label).join(', ') : 'none in the SQL',
      },
      {
        name: 'keyset paging on the next page',
        pass: keysetOk,
        detail: keysetOk
          ? 'row comparison (coalesce(next_due_on, …), received_at, id) > (cursor) in the WHERE clause'
          : 'no keyset predicate found',
      },
      {
        name: 'the index supplies the order (no Sort)',
        pass: sorts.length === 0,
        detail: sorts.length
          ? `${sorts.map((n) => `${n['Node Type']}${n['Sort Method'] ? ` (${n['Sort Method']})` : ''}`).join(', ')} over up to ${sortedRows.toLocaleString('en-GB')} rows: ORDER BY coalesce(next_due_on, '9999-12-31'), received_at, id is not the index order (status, next_due_on, id)`
          : 'rows come off the index in ORDER BY order; a page reads about limit + 1 rows',
      },
    ];
    return {
      query:
        'GET /api/cases?status=open&sort=due&limit=25 (repository list(), captured via the Drizzle logger)',
      verdict: checks.every((c) => c.pass) ? 'pass' : 'fail',
      checks,
      openRows: open.n,
      triage,
      others,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  checkTriagePlan(process.env.DATABASE_URL || BENCH_DATABASE_URL)
    .then((check) => {
      for (const c of check.checks)
        process.stderr.write(`${c.pass ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
      for (const q of [...check.triage, ...check.others])
        process.stderr.write(`\n${q.label}: ${q.executionMs} ms\n${q.shape}\n`);
      process.stderr.write(`\nverdict: ${check.verdict}\n`);
      process.stdout.write(
        `${JSON.stringify({ ...check, triage: check.triage.map(({ plan: _p, ...q }) => q), others: check.others.map(({ plan: _p, ...q }) => q) }, null, 2)}\n`,
      );
      if (check.verdict !== 'pass') process.exitCode = 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
