import { beforeAll, describe, expect, it } from 'vitest';
import { checkTriagePlan, TRIAGE_INDEX } from '../../bench/plan.js';
import { asOwner } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';

/**
 * docs/rules/performance.md §5: the triage list must come off an index with keyset paging, never a
 * Seq Scan, an OFFSET or a Sort. The same check bench/plan.ts runs over a million cases,
 * here over 60,000 (enough for the planner to choose as it does at scale).
 */
const t = useTestApp();

beforeAll(async () => {
  await t.user('caseworker');
  // 60,000 cases over ten years, one in twenty open with a due date, like the bench's mix.
  await t.db.sql`
    insert into cases (reference, type, channel, received_at, received_on, subject, body,
                       status, next_due_on, restricted)
    select 'OPCC-' || (2016 + i % 10) || '-' || lpad(i::text, 6, '0'),
           (array['foi','sar','complaint','general'])[1 + i % 4],
           (array['email','letter','web'])[1 + i % 3],
           timestamptz '2016-01-01' + (i || ' minutes')::interval * 87,
           (timestamptz '2016-01-01' + (i || ' minutes')::interval * 87)::date,
           'Case ' || i, 'Body of case ' || i,
           case when i % 20 = 0 then 'open' else 'closed' end,
           case when i % 20 = 0 then date '2026-11-01' + (i % 60) end,
           i % 50 = 0
    from generate_series(1, 60000) as i`;
  // As the owner: the app's role (opcc_app) may not analyze, and PostgreSQL only warns.
  await asOwner(t.databaseUrl, 'analyze cases');
}, 120_000);

describe('the triage query plan', () => {
  it(`reads the open queue in due order from ${TRIAGE_INDEX} with keyset paging`, async () => {
    const check = await checkTriagePlan(t.databaseUrl);
    for (const c of check.checks)
      expect({ check: c.name, pass: c.pass, detail: c.detail }).toMatchObject({ pass: true });
    expect(check.verdict).toBe('pass');
    expect(check.openRows).toBe(3000);
  });
});
