/**
 * Missed targets show the same way everywhere (issue #15 item 2): a case whose
 * acknowledgement target passed weeks ago, though its response is not yet due, is overdue
 * on its page, in the queue (Overdue view, its count, the row's tag), in the API and in the
 * statistics by assignee; a late response likewise; an acknowledged case in time is not.
 * Working days late come from the calendar service (bundled bank holidays).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.js';
import { apiToken, bearer, createUser, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

let t: TestApp;
let caseworker: TestUser;
let manager: TestUser;
let ackMissed: { id: string; reference: string };
let responseLate: { id: string; reference: string };
let onTrack: { id: string; reference: string };

beforeAll(async () => {
  t = await buildTestApp(); // Monday 23 November 2026
  caseworker = await createUser(t.app, 'caseworker');
  manager = await createUser(t.app, 'manager');
  // A letter with no address, received Monday 2 November: acknowledge by Wednesday 4
  // November (2 working days), respond by 30 November. Nobody acknowledged it.
  ackMissed = await makeCase(t.app, caseworker, {
    receivedAt: '2026-11-02T10:00:00Z',
    assigneeId: caseworker.id,
  });
  // Acknowledged by email on receipt, 1 October: the response was due 29 October.
  responseLate = await makeCase(t.app, caseworker, {
    receivedAt: '2026-10-01T10:00:00Z',
    channel: 'email',
    contact: { name: 'Jo Late', email: 'jo.late@example.org' },
    assigneeId: caseworker.id,
  });
  // Acknowledged on receipt and not yet due: nothing missed.
  onTrack = await makeCase(t.app, caseworker, {
    receivedAt: '2026-11-02T10:00:00Z',
    channel: 'email',
    contact: { name: 'Ada Fine', email: 'ada.fine@example.org' },
    assigneeId: caseworker.id,
  });
});
afterAll(async () => t.close());

describe('missed targets', () => {
  it('the case page tags and explains a missed acknowledgement target, in working days', async () => {
    const page = await signInPage(t.app, caseworker);
    const html = (await page.get(`/casework/${ackMissed.id}`)).body;
    expect(html).toContain('Acknowledgement overdue');
    expect(html).not.toContain('Response overdue');
    // 5 and 6 November, 9 to 13, 16 to 20 and 23 November: 13 working days.
    expect(html).toMatch(
      /Acknowledgement target missed: it was due on [^<]*4 November 2026, 13 working days ago\./,
    );
    const late = (await page.get(`/casework/${responseLate.id}`)).body;
    expect(late).toContain('Response overdue');
    expect(late).not.toContain('Acknowledgement overdue');
    const fine = (await page.get(`/casework/${onTrack.id}`)).body;
    expect(fine).not.toContain('overdue');
    expect(fine).not.toContain('target missed');
  });

  it('the API names each missed target', async () => {
    const token = await apiToken(t.app, caseworker);
    const get = (id: string) =>
      t.app.inject({ url: `/api/cases/${id}`, headers: bearer(token) }).then((r) => r.json());
    expect(await get(ackMissed.id)).toMatchObject({
      overdue: true,
      missed: [{ kind: 'acknowledge', dueDate: '2026-11-04' }],
    });
    expect(await get(responseLate.id)).toMatchObject({
      overdue: true,
      missed: [{ kind: 'respond' }],
    });
    expect(await get(onTrack.id)).toMatchObject({ overdue: false, missed: [] });
  });

  it('the queue counts both as Overdue, lists them and tags each row', async () => {
    const actor = actorOf(caseworker);
    expect((await t.app.services.correspondence.counts(actor)).overdue).toBe(2);
    const overdue = await t.app.services.correspondence.list(actor, { view: 'overdue' });
    expect(overdue.items.map((c) => c.reference).sort()).toEqual(
      [ackMissed.reference, responseLate.reference].sort(),
    );
    const notOverdue = await t.app.services.correspondence.list(actor, { overdue: false });
    expect(notOverdue.items.map((c) => c.reference)).toEqual([onTrack.reference]);

    const page = await signInPage(t.app, caseworker);
    const html = (await page.get('/casework?view=all-open')).body;
    const row = (reference: string) =>
      html.slice(html.indexOf(reference), html.indexOf('</tr>', html.indexOf(reference)));
    expect(row(ackMissed.reference)).toContain('Acknowledgement overdue by 19 days');
    expect(row(responseLate.reference)).toContain('Overdue by 25 days');
    expect(row(onTrack.reference)).toContain('days left');
  });

  it('the statistics count them as overdue for their caseworker', async () => {
    const token = await apiToken(t.app, manager);
    const stats = (
      await t.app.inject({ url: '/api/stats/correspondence', headers: bearer(token) })
    ).json<{ byAssignee: Array<{ assigneeId: string | null; open: number; overdue: number }> }>();
    expect(stats.byAssignee.find((r) => r.assigneeId === caseworker.id)).toMatchObject({
      open: 3,
      overdue: 2,
    });
  });
});
