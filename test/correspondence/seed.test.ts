/**
 * The correspondence demo data (issue #15 item 1): run on a fresh database, it reads like a
 * real office's year. Every closed FOI has the reply that answered it and an outcome; the
 * FOIs that released information are published in the disclosure log; at most 1% of
 * contacts are likely duplicates (same email, telephone, or name and postcode, the rules
 * staff entry suggests duplicates by).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestApp } from '../helpers/fixture.js';
import { seedStaff } from '../../scripts/seed/staff.js';
import { seedCorrespondence } from '../../scripts/seed/correspondence.js';
import type { Actor } from '../../server/platform/audit.js';

const t = useTestApp();
const system: Actor = { id: null, role: 'system', requestId: 'seed' };

async function one<T>(query: ReturnType<typeof sql>): Promise<T> {
  const rows = (await t.db.db.execute(query)) as unknown as T[];
  return rows[0]!;
}

beforeAll(async () => {
  const services = t.app.services;
  await services.deadlines.loadBundle();
  const staff = await seedStaff(t.db.db, services, system);
  // A smaller year than `npm run db:seed` makes (1,000 items take minutes), the same mix.
  await seedCorrespondence(
    { db: t.db.db, services, clock: t.clock, system, ...staff },
    { total: 250 },
  );
}, 600_000);

describe('correspondence demo data on a fresh database', () => {
  it('gives every closed FOI the reply that answered it and an outcome', async () => {
    const { closed, unanswered, noOutcome } = await one<{
      closed: number;
      unanswered: number;
      noOutcome: number;
    }>(sql`
      select count(*)::int as closed,
        count(*) filter (where not exists (
          select 1 from outbound_messages o
          where o.case_id = c.id and o.responds and o.status = 'sent'))::int as unanswered,
        count(*) filter (where c.outcome is null)::int as "noOutcome"
      from cases c where c.type = 'foi' and c.status = 'closed'`);
    expect(closed).toBeGreaterThan(10);
    expect(unanswered).toBe(0);
    expect(noOutcome).toBe(0);
  });

  it('publishes a disclosure log entry for every FOI that released information', async () => {
    const { disclosed, unpublished } = await one<{ disclosed: number; unpublished: number }>(sql`
      select count(*)::int as disclosed,
        count(*) filter (where not exists (
          select 1 from disclosure_log_entries e
          where e.case_id = c.id and e.status = 'published'))::int as unpublished
      from cases c
      where c.type in ('foi', 'eir') and c.status = 'closed'
        and c.outcome in ('granted', 'granted_in_part')`);
    expect(disclosed).toBeGreaterThan(5);
    expect(unpublished).toBe(0);
    // And the public sees them.
    const list = await t.app.inject({ url: '/api/public/disclosure-log' });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ total: number }>().total).toBe(disclosed);
  });

  it('has at most 1% duplicate contacts', async () => {
    const { total, duplicates } = await one<{ total: number; duplicates: number }>(sql`
      select count(*)::int as total,
        count(*) filter (where exists (
          select 1 from contacts d
          where d.id <> c.id and d.merged_into_id is null and (
            d.email_norm = c.email_norm or d.phone_e164 = c.phone_e164
            or (lower(d.name) = lower(c.name) and d.postcode_norm = c.postcode_norm))))::int
          as duplicates
      from contacts c where c.merged_into_id is null`);
    expect(total).toBeGreaterThan(150);
    expect(duplicates / total).toBeLessThanOrEqual(0.01);
  });
});
