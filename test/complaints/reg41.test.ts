/**
 * Reg 41: a suspended complaint that is not resumed is closed (`reg41_not_resumed`) only
 * after a refusal, or 28 days' silence after the resumption letter, and with a decision on
 * a conduct matter (docs/rules/complaints.md §3 "Suspension"). Anything short of that is
 * refused and changes nothing.
 */
import { expect, it } from 'vitest';
import { signInPage } from '../helpers/auth.js';
import { footprint, useComplaintsApp } from './fixtures.js';

const { t, u, a } = useComplaintsApp();

const day = (date: string) => t.clock.set(`${date}T10:00:00Z`);
const ok = (response: { statusCode: number; body: string }) => {
  expect(response.statusCode, response.body).toBe(200);
  return JSON.parse(response.body);
};

/** A complaint under investigation from 2026-03-02, suspended on 2026-03-10 if asked. */
async function investigating(suspend: boolean) {
  day('2026-03-02');
  const c = await a.create(u.cw, { receivedAt: '2026-03-02' });
  expect((await a.grant(u.cw, c.id, u.manager.id)).statusCode).toBe(204);
  ok(await a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-03-02' }));
  ok(await a.move(u.mgr, c.id, { to: 'recorded', at: '2026-03-02', reason: 'AA decides' }));
  ok(
    await a.move(u.mgr, c.id, {
      to: 'investigating',
      at: '2026-03-02',
      referral: 'not_referable',
      reason: 'No criterion applies',
      investigator: 'Ch Supt Example',
    }),
  );
  if (suspend) {
    day('2026-03-10');
    ok(
      await a.move(u.mgr, c.id, {
        to: 'suspended',
        at: '2026-03-10',
        reason: 'Criminal proceedings would be prejudiced (reg 40)',
      }),
    );
  }
  return c.id;
}

const reg41 = (
  letterOn: string,
  reply: 'refused' | 'no_reply',
  conductDecision = 'No conduct matter to pursue: the court acquitted and the facts are the same',
) => ({
  letterOn,
  reply,
  conductDecision,
});

it('closes a suspended complaint after 28 days of silence from the resumption letter, with a conduct-matter decision', async () => {
  const id = await investigating(true);
  day('2026-05-20');
  const before = await footprint(t, id);

  // Missing details: field errors, nothing written.
  const bare = await a.move(u.mgr, id, { to: 'closed', at: '2026-05-20' });
  expect(bare.statusCode).toBe(400);
  expect(Object.keys(bare.json().error.fields).sort()).toEqual([
    'reg41.conductDecision',
    'reg41.letterOn',
  ]);
  const future = await a.move(u.mgr, id, {
    to: 'closed',
    at: '2026-05-20',
    reg41: reg41('2026-06-01', 'no_reply'),
  });
  expect(future.statusCode).toBe(400);
  expect(future.json().error.fields['reg41.letterOn']).toBeTruthy();
  // Silence counts only once the 28 days from the letter have passed (last day 2026-05-29).
  const early = await a.move(u.mgr, id, {
    to: 'closed',
    at: '2026-05-20',
    reg41: reg41('2026-05-01', 'no_reply'),
  });
  expect(early.statusCode).toBe(422);
  expect(early.json().error.code).toBe('complaints.resumption_reply_window_open');
  day('2026-05-29');
  const lastDay = await a.move(u.mgr, id, {
    to: 'closed',
    at: '2026-05-29',
    reg41: reg41('2026-05-01', 'no_reply'),
  });
  expect(lastDay.statusCode).toBe(422);
  // A caseworker cannot make the decision.
  day('2026-05-30');
  const caseworker = await a.move(u.cw, id, {
    to: 'closed',
    at: '2026-05-30',
    reg41: reg41('2026-05-01', 'no_reply'),
  });
  expect(caseworker.statusCode).toBe(403);
  expect(await footprint(t, id)).toEqual(before);

  const closed = ok(
    await a.move(u.mgr, id, {
      to: 'closed',
      at: '2026-05-30',
      reason: 'Not resumed (reg 41)',
      reg41: reg41('2026-05-01', 'no_reply'),
    }),
  );
  expect(closed.status).toBe('closed');
  const detail = await a.get(u.cw, id);
  expect(detail.timers.filter((x: { stopped: boolean }) => !x.stopped)).toEqual([]);
  const [row] = await t.db.sql<{ concluded_on: string; wd_to_conclude: number }[]>`
    select concluded_on::text, wd_to_conclude from complaints where id = ${id}`;
  expect(row!.concluded_on).toBe('2026-05-30');
  const [decision] = await t.db.sql<{ kind: string; criteria: Record<string, unknown> }[]>`
    select kind, criteria from complaint_transitions where complaint_id = ${id} order by id desc limit 1`;
  expect(decision).toMatchObject({
    kind: 'reg41_closure',
    criteria: {
      closure: 'reg41_not_resumed',
      resumptionLetterOn: '2026-05-01',
      reply: 'no_reply',
      replyWindowLastDay: '2026-05-29',
      conductDecision: expect.stringContaining('No conduct matter'),
    },
  });
  const [audit] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from audit_events where action = 'complaint.reg41_closure' and subject_id = ${id}`;
  expect(audit!.n).toBe(1);
});

it('a refusal closes at once; a complaint that is not suspended cannot take this path', async () => {
  const refused = await investigating(true);
  day('2026-04-15');
  ok(
    await a.move(u.mgr, refused, {
      to: 'closed',
      at: '2026-04-15',
      reg41: reg41('2026-04-14', 'refused'),
    }),
  );

  const open = await investigating(false);
  day('2026-04-15');
  const before = await footprint(t, open);
  const refusedMove = await a.move(u.mgr, open, {
    to: 'closed',
    at: '2026-04-15',
    reg41: reg41('2026-03-01', 'refused'),
  });
  expect(refusedMove.statusCode).toBe(422);
  expect(refusedMove.json().error.code).toBe('complaints.transition_not_allowed');
  expect(await footprint(t, open)).toEqual(before);
  // The database holds the same line, whoever asks: closing from here needs the suspension.
  await expect(
    t.db.sql`update complaints set status = 'closed' where id = ${open}`,
  ).rejects.toThrow(/not allowed/);
});

it('the page offers the reg 41 closure only while suspended, with the error summary when details are missing', async () => {
  const open = await investigating(false);
  const id = await investigating(true);
  const url = `/complaints/${id}`;
  day('2026-04-15');
  const mgr = await signInPage(t.app, u.manager);
  const openPage = await mgr.get(`/complaints/${open}`);
  expect(openPage.statusCode).toBe(200);
  expect(openPage.body).toContain('value="outcome_determined"');
  expect(openPage.body).not.toContain('value="closed"');

  const page = await mgr.get(url);
  expect(page.body).toContain('value="closed"');
  expect(page.body).toContain('Decision on a conduct matter');
  const missing = await mgr.post(
    `${url}/move`,
    { to: 'closed', at: '2026-04-15', reg41Reply: 'refused', reg41LetterOn: '2026-04-14' },
    url,
  );
  expect(missing.statusCode).toBe(400);
  expect(missing.body).toContain('There is a problem');
  expect(missing.body).toContain('href="#reg41-conductDecision"');
  expect(missing.body).toContain('2026-04-14');
  const done = await mgr.post(
    `${url}/move`,
    {
      to: 'closed',
      at: '2026-04-15',
      reg41Reply: 'refused',
      reg41LetterOn: '2026-04-14',
      reg41ConductDecision: 'No conduct matter',
    },
    url,
  );
  expect(done.statusCode, done.body.slice(0, 500)).toBe(303);
  const [row] = await t.db.sql<
    { status: string }[]
  >`select status from complaints where id = ${id}`;
  expect(row!.status).toBe('closed');
});
