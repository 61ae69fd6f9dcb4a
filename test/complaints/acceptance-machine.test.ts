/** docs/rules/complaints.md §6 Acceptance, lines 1-6, 8, 9, 11, 14, 16: one test each. */
import { describe, expect, it } from 'vitest';
import { footprint, useComplaintsApp } from './fixtures.js';

const { t, u, a } = useComplaintsApp();

/** London 10:00 on a date (GMT or BST). */
const at = (date: string) => new Date(`${date}T09:00:00Z`).toISOString();
const ok = async (response: { statusCode: number; body: string }) => {
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body);
};

/** received → initial_contact → recorded → handling_otherwise, all on `on`. */
async function intoHandling(id: string, on: string, to = 'handling_otherwise') {
  await ok(await a.move(u.cw, id, { to: 'initial_contact', at: on }));
  await ok(await a.move(u.mgr, id, { to: 'recorded', at: on, reason: 'AA decides' }));
  const extra = to === 'investigating' ? { investigator: 'Ch Supt Example (another force)' } : {};
  await ok(
    await a.move(u.mgr, id, {
      to,
      at: on,
      referral: 'not_referable',
      reason: 'No referral criteria met',
      ...extra,
    }),
  );
}

async function withManager(id: string) {
  const r = await a.grant(u.cw, id, u.manager.id);
  expect(r.statusCode, r.body).toBe(204);
}

async function toOutcome(id: string, on: string) {
  const detail = await a.get(u.cw, id);
  return ok(
    await a.move(u.mgr, id, {
      to: 'outcome_determined',
      at: on,
      outcome: {
        allegations: detail.allegations.map((x: { id: string }) => ({
          id: x.id,
          outcome: 'service_not_acceptable',
          actions: ['apology'],
        })),
      },
    }),
  );
}

const timer = (detail: { timers: Array<{ kind: string }> }, kind: string) =>
  detail.timers.find((x) => x.kind === kind) as Record<string, unknown> | undefined;

describe('§6 acceptance', () => {
  it('1. a move not allowed from the current state is 422 and changes nothing; of two concurrent moves one gets 409', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const c = await a.create(u.cw);
    const before = await footprint(t, c.id);
    const refused = await a.move(u.cw, c.id, { to: 'review_window', at: '2026-11-23' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('complaints.transition_not_allowed');
    expect(await footprint(t, c.id)).toEqual(before);
    // The database refuses it too, whoever asks.
    await expect(
      t.db.sql`update complaints set status = 'closed' where id = ${c.id}`,
    ).rejects.toThrow(/not allowed/);

    const both = await Promise.all([
      a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-11-23', version: 1 }),
      a.move(u.cw, c.id, {
        to: 'not_a_complaint',
        at: '2026-11-23',
        version: 1,
        reason: 'A question, not a complaint',
      }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const after = await footprint(t, c.id);
    expect(after.transitions).toBe(2);
    expect(after.version).toBe(2);
  });

  it('2. an unlisted caseworker gets 404 and lists omit it; every read writes an audit row', async () => {
    const c = await a.create(u.cw);
    expect((await a.call('GET', `/api/complaints/${c.id}`, u.out)).statusCode).toBe(404);
    expect(
      (await a.move(u.out, c.id, { to: 'initial_contact', at: '2026-11-23' })).statusCode,
    ).toBe(404);
    const theirs = await a.call('GET', '/api/complaints', u.out);
    expect(theirs.json().items.map((i: { id: string }) => i.id)).not.toContain(c.id);
    const search = await a.call('GET', `/api/complaints?q=${c.reference}`, u.out);
    expect(search.json().items).toEqual([]);
    const mine = await a.call('GET', '/api/complaints', u.cw);
    expect(mine.json().items.map((i: { id: string }) => i.id)).toContain(c.id);

    const count = async () =>
      Number(
        (
          await t.db
            .sql`select count(*)::int as n from audit_events where subject_id = ${c.id} and action = 'complaint.view'`
        )[0]!.n,
      );
    const before = await count();
    await a.get(u.cw, c.id);
    await a.get(u.cw, c.id);
    expect(await count()).toBe(before + 2);
    const lists = await t.db
      .sql`select count(*)::int as n from audit_events where action = 'complaint.list' and actor_id = ${u.outsider.id}`;
    expect(lists[0]!.n).toBe(2);
  });

  it('3. mandatory criteria block outside_sch3; recording needs a reason; leaving recorded needs a referral decision', async () => {
    const c = await a.create(u.cw, { criteria: ['article_2_or_3'] });
    await withManager(c.id);
    await ok(await a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-11-23' }));
    expect(
      (await a.contact(u.cw, c.id, { kind: 'first_contact', channel: 'phone' })).statusCode,
    ).toBe(201);
    const blocked = await a.move(u.mgr, c.id, { to: 'outside_sch3', at: '2026-11-23' });
    expect(blocked.statusCode).toBe(422);
    expect(blocked.json().error.code).toBe('complaints.mandatory_criteria');

    const noReason = await a.move(u.mgr, c.id, { to: 'recorded', at: '2026-11-23' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.fields.reason).toMatch(/recording reason/);
    await ok(await a.move(u.mgr, c.id, { to: 'recorded', at: '2026-11-23', reason: 'AA decides' }));

    const noReferral = await a.move(u.mgr, c.id, { to: 'handling_otherwise', at: '2026-11-23' });
    expect(noReferral.statusCode).toBe(422);
    expect(noReferral.json().error.code).toBe('complaints.referral_decision_needed');
    await ok(
      await a.move(u.mgr, c.id, {
        to: 'handling_otherwise',
        at: '2026-11-23',
        referral: 'not_referable',
        reason: 'No criteria met',
      }),
    );
  });

  it('4. handling from Mon 2026-03-02: update due 2026-03-30; after one on 2026-03-20, due 2026-04-17', async () => {
    t.clock.set(at('2026-03-02'));
    const c = await a.create(u.cw, { receivedAt: '2026-03-02' });
    await withManager(c.id);
    await intoHandling(c.id, '2026-03-02');
    expect(timer(await a.get(u.cw, c.id), 'update')).toMatchObject({
      dueOn: '2026-03-30',
      stopped: false,
    });
    t.clock.set(at('2026-03-20'));
    const sent = await a.letter(u.cw, c.id, { template: 'update_4_weekly', channel: 'post' });
    expect(sent.statusCode, sent.body).toBe(201);
    expect(timer(await a.get(u.cw, c.id), 'update')).toMatchObject({
      dueOn: '2026-04-17',
      startOn: '2026-03-20',
    });
  });

  it('5. outcome Thu 2026-04-02: letter due Mon 2026-04-13 (Easter skipped)', async () => {
    t.clock.set(at('2026-04-02'));
    const c = await a.create(u.cw, { receivedAt: '2026-03-30' });
    await withManager(c.id);
    await intoHandling(c.id, '2026-03-31');
    await toOutcome(c.id, '2026-04-02');
    const letter = timer(await a.get(u.cw, c.id), 'outcome_letter')!;
    expect(letter.dueOn).toBe('2026-04-13');
    expect(String(letter.working)).toMatch(/Good Friday/);
    expect(String(letter.working)).toMatch(/Easter Monday/);
  });

  it('6. the review window starts the day after the outcome letter; closed by S the day after; a later IOPC notice reopens it', async () => {
    t.clock.set(at('2026-04-20'));
    const c = await a.create(u.cw, { receivedAt: '2026-04-20' });
    await withManager(c.id);
    await intoHandling(c.id, '2026-04-20');
    t.clock.set(at('2026-05-01'));
    await toOutcome(c.id, '2026-05-01');
    const early = await a.move(u.cw, c.id, { to: 'review_window', at: '2026-05-01' });
    expect(early.json().error.code).toBe('complaints.outcome_letter_needed');
    expect(
      (await a.letter(u.cw, c.id, { template: 'outcome_with_review_rights', channel: 'email' }))
        .statusCode,
    ).toBe(201);
    await ok(await a.move(u.cw, c.id, { to: 'review_window', at: '2026-05-01' }));
    expect(timer(await a.get(u.cw, c.id), 'review_window')).toMatchObject({
      startOn: '2026-05-02',
      lastDay: '2026-05-29',
    });

    t.clock.set(at('2026-05-29'));
    expect((await t.app.services.complaints.reminders.closeWindows()).closed).toBe(0);
    t.clock.set(new Date('2026-05-30T00:30:00+01:00').toISOString());
    expect((await t.app.services.complaints.reminders.closeWindows()).closed).toBe(1);
    const closed = await a.get(u.cw, c.id);
    expect(closed).toMatchObject({ status: 'closed', concludedOn: '2026-05-30' });
    expect(closed.timeline.at(-1)).toMatchObject({
      from: 'review_window',
      to: 'closed',
      actor: null,
    });

    t.clock.set(at('2026-06-10'));
    await ok(
      await a.move(u.mgr, c.id, {
        to: 'review_requested',
        at: '2026-06-10',
        reason: 'IOPC notified a late application',
      }),
    );
    expect((await a.get(u.cw, c.id)).concludedOn).toBeNull();
  });

  it('8. withdrawal letter Mon 2026-06-01: withdrawn refused before 2026-06-30 unless confirmed', async () => {
    t.clock.set(at('2026-06-01'));
    const c = await a.create(u.cw, { receivedAt: '2026-05-26' });
    const c2 = await a.create(u.cw, { receivedAt: '2026-05-26' });
    for (const id of [c.id, c2.id]) {
      await ok(await a.move(u.cw, id, { to: 'withdrawal_pending', at: '2026-06-01' }));
      expect(
        (await a.letter(u.cw, id, { template: 'withdrawal_confirmation', channel: 'post' }))
          .statusCode,
      ).toBe(201);
    }
    expect(timer(await a.get(u.cw, c.id), 'withdrawal_reply')).toMatchObject({
      lastDay: '2026-06-29',
    });
    t.clock.set(at('2026-06-29'));
    const refused = await a.move(u.cw, c.id, { to: 'withdrawn', at: '2026-06-29' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('complaints.withdrawal_not_confirmed');
    await ok(await a.move(u.cw, c2.id, { to: 'withdrawn', at: '2026-06-29', confirmed: true }));
    t.clock.set(at('2026-06-30'));
    await ok(await a.move(u.cw, c.id, { to: 'withdrawn', at: '2026-06-30' }));
  });

  it('9. suspended: other moves get 422; update reminders continue', async () => {
    t.clock.set(at('2026-09-01'));
    const c = await a.create(u.cw, { receivedAt: '2026-09-01' });
    await withManager(c.id);
    await intoHandling(c.id, '2026-09-01');
    t.clock.set(at('2026-09-02'));
    await ok(
      await a.move(u.mgr, c.id, {
        to: 'suspended',
        at: '2026-09-02',
        reason: 'Criminal proceedings (reg 40)',
      }),
    );
    const refused = await a.move(u.mgr, c.id, { to: 'outcome_determined', at: '2026-09-02' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('complaints.suspended');
    expect(timer(await a.get(u.cw, c.id), 'update')).toMatchObject({
      dueOn: '2026-09-29',
      stopped: false,
    });
    t.clock.set(at('2026-09-29'));
    const scan = await t.app.services.deadlines.scan();
    const rows = await t.db
      .sql`select stage from deadline_notifications where subject_id = ${c.id} and kind = 'update'`;
    expect(rows.map((r) => r.stage)).toContain('due_today');
    expect(scan.toSend.length).toBeGreaterThan(0);
    await ok(await a.move(u.mgr, c.id, { to: 'resumed', at: '2026-09-29' }));
  });

  it('11. a cc outcome letter names the IOPC and the last day; an outside-Sch-3 one says no review right', async () => {
    t.clock.set(at('2026-10-01'));
    const c = await a.create(u.cw, { receivedAt: '2026-10-01' });
    await withManager(c.id);
    await intoHandling(c.id, '2026-10-01');
    await toOutcome(c.id, '2026-10-01');
    const sent = await a.letter(u.cw, c.id, {
      template: 'outcome_with_review_rights',
      channel: 'post',
    });
    expect(sent.json().body).toMatch(/Independent Office for Police Conduct/);
    expect(sent.json().body).toMatch(/last day to apply is Thu 29 Oct 2026/);

    const o = await a.create(u.cw, { receivedAt: '2026-10-01' });
    await withManager(o.id);
    await ok(await a.move(u.cw, o.id, { to: 'initial_contact', at: '2026-10-01' }));
    expect(
      (await a.contact(u.cw, o.id, { kind: 'first_contact', channel: 'phone', at: '2026-10-01' }))
        .statusCode,
    ).toBe(201);
    await ok(await a.move(u.mgr, o.id, { to: 'outside_sch3', at: '2026-10-01' }));
    const outside = await a.letter(u.cw, o.id, {
      template: 'outcome_with_review_rights',
      channel: 'post',
    });
    expect(outside.json().template).toBe('outcome_outside_sch3');
    expect(outside.json().body).toMatch(/no right of review/);
    expect(outside.json().body).not.toMatch(/IOPC website/);
  });

  it('14. a retired category is refused on new allegations, kept on old', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const old = await a.create(u.cw, {
      allegations: [{ category: 'other', description: 'Something else' }],
    });
    const admin = await (await import('../helpers/auth.js')).createUser(t.app, 'admin');
    const adminToken = await (await import('../helpers/auth.js')).apiToken(t.app, admin);
    const retired = await a.call(
      'PATCH',
      '/api/complaint-categories/categories/other',
      adminToken,
      { retire: true },
    );
    expect(retired.statusCode, retired.body).toBe(200);
    const refused = await a.call('POST', '/api/complaints', u.cw, {
      receivedAt: '2026-11-20',
      complainant: { name: 'Sam' },
      summary: 'x',
      allegations: [{ category: 'other', description: 'Something else' }],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.fields['allegations.0.category']).toMatch(/retired/);
    const kept = await a.get(u.cw, old.id);
    expect(kept.allegations[0].category).toMatchObject({ code: 'other', retired: true });
  });

  it('16. made_on 2020-01-31 gives 2012; 2020-02-01 gives 2020; 2025-06-01 gives 2020 + 2025/558', async () => {
    const regime = async (madeOn: string) => {
      const c = await a.create(u.cw, { receivedAt: '2026-11-02', madeOn });
      const d = await a.get(u.cw, c.id);
      return [d.regime, d.regimeAmendments];
    };
    expect(await regime('2020-01-31')).toEqual(['2012', []]);
    expect(await regime('2020-02-01')).toEqual(['2020', []]);
    expect(await regime('2025-06-01')).toEqual(['2020', ['2025/558']]);
  });
});
