/**
 * Missed targets show the same way everywhere (issue #15 item 2): a case whose
 * acknowledgement target passed weeks ago, though its response is not yet due, is overdue
 * on its page, in the queue (Overdue view, its count, the row's tag), in the API and in the
 * statistics by assignee; a late response likewise; an acknowledged case in time is not.
 * Working days late come from the calendar service (bundled bank holidays).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, createUser, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

const t = useTestApp(); // Monday 23 November 2026
let caseworker: TestUser;
let manager: TestUser;
let ackMissed: { id: string; reference: string };
let responseLate: { id: string; reference: string };
let onTrack: { id: string; reference: string };

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
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

/**
 * The DPA 2018 s164A acknowledgement of a data protection complaint (`dp_ack`) is a missed
 * target like the office's: on the case page, in the API (also the summary after an
 * assignment), the queue and the statistics; acknowledging meets it, as in the clock.
 */
describe('a missed data protection acknowledgement', () => {
  let handler: TestUser;
  let dpMissed: { id: string; reference: string };
  let dpMet: { id: string; reference: string };
  beforeAll(async () => {
    handler = await createUser(t.app, 'caseworker');
    // A letter with no address, received Tuesday 20 October: acknowledge by Wednesday 18
    // November (day 1 is receipt, 30 days). Nobody acknowledged it.
    dpMissed = await makeCase(t.app, handler, {
      type: 'complaint',
      subtype: 'data_protection',
      receivedAt: '2026-10-20T10:00:00Z',
      assigneeId: handler.id,
    });
    // The same by email: acknowledged on receipt, so the target is met.
    dpMet = await makeCase(t.app, handler, {
      type: 'complaint',
      subtype: 'data_protection',
      receivedAt: '2026-10-20T10:00:00Z',
      channel: 'email',
      contact: { name: 'Dee Met', email: 'dee.met@example.org' },
      assigneeId: handler.id,
    });
  });

  it('the case page tags and explains it; not once acknowledged', async () => {
    const page = await signInPage(t.app, handler);
    const html = (await page.get(`/casework/${dpMissed.id}`)).body;
    expect(html).toContain('Data protection acknowledgement overdue');
    // 19, 20 and 23 November: 3 working days.
    expect(html).toMatch(
      /Data protection acknowledgement target missed: it was due on [^<]*18 November 2026, 3 working days ago\./,
    );
    const met = (await page.get(`/casework/${dpMet.id}`)).body;
    expect(met).not.toContain('Data protection acknowledgement overdue');
    expect(met).not.toContain('data-missed="dp_ack"');
  });

  it('the API names it, and so does the summary after an assignment', async () => {
    const token = await apiToken(t.app, manager);
    const get = (id: string) =>
      t.app.inject({ url: `/api/cases/${id}`, headers: bearer(token) }).then((r) => r.json());
    const missed = await get(dpMissed.id);
    expect(missed.overdue).toBe(true);
    expect(missed.missed).toContainEqual(
      expect.objectContaining({ kind: 'dp_ack', dueDate: '2026-11-18' }),
    );
    const met = await get(dpMet.id);
    expect(met.missed.map((m: { kind: string }) => m.kind)).not.toContain('dp_ack');

    const assign = (id: string, version: number) =>
      t.app
        .inject({
          method: 'POST',
          url: `/api/cases/${id}/assignment`,
          headers: bearer(token),
          payload: { assigneeId: handler.id === caseworker.id ? null : caseworker.id, version },
        })
        .then((r) => r.json());
    const afterAssign = await assign(dpMissed.id, missed.version);
    expect(afterAssign.overdue).toBe(true);
    expect(afterAssign.missed).toContainEqual(
      expect.objectContaining({ kind: 'dp_ack', dueDate: '2026-11-18' }),
    );
    const metAfter = await assign(dpMet.id, met.version);
    expect(metAfter.missed.map((m: { kind: string }) => m.kind)).not.toContain('dp_ack');
    // Back to their caseworker for the statistics below.
    await t.app.inject({
      method: 'POST',
      url: `/api/cases/${dpMissed.id}/assignment`,
      headers: bearer(token),
      payload: { assigneeId: handler.id, version: afterAssign.version },
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/cases/${dpMet.id}/assignment`,
      headers: bearer(token),
      payload: { assigneeId: handler.id, version: metAfter.version },
    });
  });

  it('the queue counts it in Overdue and lists it there', async () => {
    const actor = actorOf(handler);
    const overdue = await t.app.services.correspondence.list(actor, { view: 'overdue' });
    expect(overdue.items.map((c) => c.reference)).toContain(dpMissed.reference);
    const row = overdue.items.find((c) => c.reference === dpMissed.reference)!;
    expect(row.missed.map((m) => m.kind)).toContain('dp_ack');
    const met = overdue.items.find((c) => c.reference === dpMet.reference);
    expect(met?.missed.map((m) => m.kind) ?? []).not.toContain('dp_ack');
    expect((await t.app.services.correspondence.counts(actor)).overdue).toBe(overdue.total);
  });

  it('the statistics count it as overdue for its caseworker', async () => {
    const token = await apiToken(t.app, manager);
    const stats = (
      await t.app.inject({ url: '/api/stats/correspondence', headers: bearer(token) })
    ).json<{ byAssignee: Array<{ assigneeId: string | null; open: number; overdue: number }> }>();
    // Both are past their response date too (20 working days come before 30 days).
    expect(stats.byAssignee.find((r) => r.assigneeId === handler.id)).toMatchObject({
      open: 2,
      overdue: 2,
    });
  });
});
