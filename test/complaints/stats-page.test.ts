/**
 * #12 "force monitoring figures entered or imported from CSV beside the OPCC's own" and the
 * equality measures, on the /stats complaints page: each force figure's row carries the
 * office's own figure for the period shown; the equality table shows totals with <5.
 */
import { beforeAll, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { signInPage } from '../helpers/auth.js';
import { api, team, type Team } from './fixtures.js';

const t = useTestApp();
let u: Team;
let a: ReturnType<typeof api>;
beforeAll(async () => {
  u = await team(t);
  a = api(t);
});

/** The cells of the table row whose header is `name`, as text. */
function row(html: string, name: string): string[] {
  const match = new RegExp(`<th scope="row"[^>]*>${name}</th>([\\s\\S]*?)</tr>`).exec(html);
  if (!match) throw new Error(`no row ${name}`);
  return [...match[1]!.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]!.trim());
}

it("shows the OPCC's own figure beside each force monitoring figure, and equality totals with <5", async () => {
  t.clock.set('2026-11-23T10:00:00Z');
  const c = await a.create(u.cw, { receivedAt: '2026-11-02' }); // Monday
  expect((await a.grant(u.cw, c.id, u.manager.id)).statusCode).toBe(204);
  expect((await a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-11-02' })).statusCode).toBe(
    200,
  );
  expect(
    (await a.contact(u.cw, c.id, { kind: 'first_contact', channel: 'phone', at: '2026-11-03' }))
      .statusCode,
  ).toBe(201);
  const recorded = await a.move(u.mgr, c.id, {
    to: 'recorded',
    at: '2026-11-09',
    reason: 'AA decides',
  });
  expect(recorded.statusCode, recorded.body).toBe(200);
  await a.create(u.cw, { receivedAt: '2026-11-10' });
  await a.call('PUT', `/api/complaints/${c.id}/equality`, u.cw, { sex: 'female' });

  const mgr = await signInPage(t.app, u.manager);
  const imported = await mgr.post(
    '/stats/complaints/force-figures',
    {
      csv: [
        'period,measure,force,msf,national',
        '2026-27 Q3,Complaint cases logged,410,380,350',
        '2026-27 Q3,Working days to log,4,3,2',
        '2026-27 Q3,Working days to contact,6,5,4',
        '2026-27 Q3,Allegations per 1000 employees,90,80,70',
      ].join('\n'),
    },
    '/stats/complaints',
  );
  // The measure is spelt as the IOPC does ("1,000"): the import names the row.
  expect(imported.statusCode).toBe(400);
  const ok = await mgr.post(
    '/stats/complaints/force-figures',
    {
      csv: [
        'period,measure,force,msf,national',
        '2026-27 Q3,Complaint cases logged,410,380,350',
        '2026-27 Q3,Working days to log,4,3,2',
        '2026-27 Q3,Working days to contact,6,5,4',
        '"2026-27 Q3","Allegations per 1,000 employees",90,80,70',
      ].join('\n'),
    },
    '/stats/complaints',
  );
  expect(ok.statusCode).toBe(303);
  const entered = await mgr.post(
    '/stats/complaints/force-figures',
    { period: '2026-27 Q3', measure: 'PCC reviews', force: '14', msf: '12', national: '' },
    '/stats/complaints',
  );
  expect(entered.statusCode).toBe(303);

  const page = await mgr.get('/stats/complaints?from=2026-11-01&to=2026-11-30');
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('OPCC (period shown)');
  // Force, MSF, national, then the OPCC's own for November 2026.
  expect(row(page.body, '2026-27 Q3: Complaint cases logged')).toEqual(['410', '380', '350', '2']);
  expect(row(page.body, '2026-27 Q3: Working days to log')).toEqual(['4', '3', '2', '5']);
  expect(row(page.body, '2026-27 Q3: Working days to contact')).toEqual(['6', '5', '4', '1']);
  expect(row(page.body, '2026-27 Q3: PCC reviews')).toEqual(['14', '12', '–', '0']);
  expect(row(page.body, '2026-27 Q3: Allegations per 1,000 employees')).toEqual([
    '90',
    '80',
    '70',
    '–',
  ]);
  // Equality: one answer, shown as <5, and the total does not give it away.
  expect(page.body).toContain('<h2 class="govuk-heading-m">Equality</h2>');
  expect(row(page.body, 'Female')).toEqual(['&lt;5']);
  expect(page.body).not.toMatch(
    /<th scope="row" class="govuk-table__header">Female<\/th>\s*<td[^>]*>1</,
  );
});
