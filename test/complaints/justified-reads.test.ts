/**
 * The weekly report of justified reads (§4): a manager off a complaint's access list who
 * opens it with a reason is listed with who, which complaint, when and why; reads by those
 * on the list are not; only managers get the report, and reading it is audited.
 */
import { expect, it } from 'vitest';
import { apiToken, createUser } from '../helpers/auth.js';
import { useComplaintsApp } from './fixtures.js';

const { t, u, a } = useComplaintsApp();

it('lists a week of justified reads with reader, complaint, time and reason', async () => {
  t.clock.set('2026-11-17T10:00:00Z'); // Tuesday
  const c = await a.create(u.cw);
  t.clock.set('2026-11-19T15:30:00Z'); // Thursday
  const other = await createUser(t.app, 'manager');
  const otherToken = await apiToken(t.app, other);
  // Off the list: 404 without a reason, readable with one.
  expect((await a.call('GET', `/api/complaints/${c.id}`, otherToken)).statusCode).toBe(404);
  const read = await a.call(
    'GET',
    `/api/complaints/${c.id}?justification=${encodeURIComponent('Covering for the assignee on leave')}`,
    otherToken,
  );
  expect(read.statusCode, read.body).toBe(200);
  await a.get(u.cw, c.id); // on the list: not a justified read

  t.clock.set('2026-11-23T10:00:00Z'); // the Monday after
  const report = await a.call('GET', '/api/complaints/justified-reads', u.mgr);
  expect(report.statusCode, report.body).toBe(200);
  expect(report.json()).toEqual({
    week: { from: '2026-11-16', to: '2026-11-22' },
    reads: [
      {
        at: '2026-11-19T15:30:00.000Z',
        readerId: other.id,
        reader: other.name,
        role: 'manager',
        complaintId: c.id,
        reference: c.reference,
        justification: 'Covering for the assignee on leave',
      },
    ],
  });
  const thisWeek = await a.call('GET', '/api/complaints/justified-reads?weekOf=2026-11-23', u.mgr);
  expect(thisWeek.json()).toEqual({ week: { from: '2026-11-23', to: '2026-11-29' }, reads: [] });

  const [audited] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from audit_events where action = 'complaint.justified_reads.view'`;
  expect(audited!.n).toBe(2);
  expect((await a.call('GET', '/api/complaints/justified-reads', u.cw)).statusCode).toBe(403);
  for (const weekOf of ['2026-02-30', 'last week', '2027-01-04']) {
    const bad = await a.call('GET', `/api/complaints/justified-reads?weekOf=${weekOf}`, u.mgr);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.weekOf).toBeTruthy();
  }
});
