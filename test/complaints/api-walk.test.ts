/**
 * A complaint about the Chief Constable walked from receipt to the review decision through
 * the HTTP API only (issue 12 acceptance; the browser test walks the pages): receipt,
 * acknowledgement, first contact, recording, the referral assessment, investigation with
 * a 4-weekly update, outcome and the outcome letter naming the IOPC, the review window, an
 * IOPC review that sends it back for re-investigation (a new generation of timers), and a
 * second review whose decision closes it. Every step is checked through GET as well.
 */
import { expect, it } from 'vitest';
import { useComplaintsApp } from './fixtures.js';

const { t, u, a } = useComplaintsApp();

type Reply = { statusCode: number; body: string };
const ok = (response: Reply, status = 200) => {
  expect(response.statusCode, response.body).toBe(status);
  return JSON.parse(response.body || 'null');
};
const day = (date: string) => t.clock.set(`${date}T10:00:00Z`);
interface Timer {
  kind: string;
  dueOn: string;
  lastDay?: string;
  stopped: boolean;
  generation?: number;
}
const live = (detail: { timers: Timer[] }) =>
  Object.fromEntries(detail.timers.filter((x) => !x.stopped).map((x) => [x.kind, x]));

it('receipt to the review decision through the API only', async () => {
  day('2026-03-02');
  const created = await a.create(u.cw, {
    receivedAt: '2026-03-02',
    madeOn: '2026-03-01',
    channel: 'email',
    summary: 'The Chief Constable did not answer letters about speeding',
    complainant: { name: 'Robin Walker', email: 'robin.walker@example.org' },
    allegations: [
      { category: 'delivery_of_duties', description: 'Three letters unanswered' },
      { category: 'individual_behaviours', description: 'Dismissive at a public meeting' },
    ],
  });
  expect(created).toMatchObject({
    status: 'received',
    reference: expect.stringMatching(/^CC-2026-\d{4}$/),
  });
  const id = created.id;
  let detail = await a.get(u.cw, id);
  expect(detail.allegations).toHaveLength(2);
  expect(Object.keys(live(detail)).sort()).toEqual(['first_contact', 'record']);
  const allegationIds = detail.allegations.map((x: { id: string }) => x.id) as string[];

  // Receipt: acknowledgement emailed through the ledger, then first contact by phone.
  ok(await a.letter(u.cw, id, { template: 'acknowledgement', channel: 'email' }), 201);
  day('2026-03-03');
  ok(await a.move(u.cw, id, { to: 'initial_contact', at: '2026-03-03' }));
  ok(
    await a.contact(u.cw, id, {
      kind: 'first_contact',
      channel: 'phone',
      note: 'Talked it through',
    }),
    201,
  );
  ok(await a.grant(u.cw, id, u.manager.id), 204);

  // Recording, then the referral assessment: not referable, investigated locally.
  day('2026-03-04');
  ok(
    await a.move(u.mgr, id, {
      to: 'recorded',
      at: '2026-03-04',
      reason: 'Complainant wishes the complaint be recorded',
      decisionMaker: 'Deputy PCC',
    }),
  );
  ok(await a.letter(u.cw, id, { template: 'recording_decision', channel: 'post' }), 201);
  day('2026-03-05');
  ok(
    await a.move(u.mgr, id, {
      to: 'investigating',
      at: '2026-03-05',
      referral: 'not_referable',
      reason: 'No referral criterion applies (reg 4(1)(c))',
      investigator: 'Ch Supt Example (another force)',
      independence: 'No line relationship with the Chief Constable',
    }),
  );
  detail = await a.get(u.cw, id);
  expect(detail.status).toBe('investigating');
  expect(live(detail).update).toBeDefined();
  expect(live(detail).record).toBeUndefined();

  // A 4-weekly update moves the next one on.
  const firstUpdate = live(detail).update!.dueOn;
  day('2026-03-20');
  ok(await a.letter(u.cw, id, { template: 'update_4_weekly', channel: 'email' }), 201);
  detail = await a.get(u.cw, id);
  expect(live(detail).update!.dueOn > firstUpdate).toBe(true);

  // Outcome on Thu 2026-04-02: the letter is due Mon 2026-04-13 (Easter skipped).
  day('2026-04-02');
  ok(
    await a.move(u.mgr, id, {
      to: 'outcome_determined',
      at: '2026-04-02',
      outcome: {
        allegations: [
          {
            id: allegationIds[0],
            outcome: 'practice_requiring_improvement',
            actions: ['learning'],
          },
          { id: allegationIds[1], outcome: 'no_case_to_answer' },
        ],
      },
    }),
  );
  detail = await a.get(u.cw, id);
  expect(live(detail).outcome_letter!.dueOn).toBe('2026-04-13');
  expect(live(detail).update).toBeUndefined();

  day('2026-04-07');
  ok(await a.letter(u.cw, id, { template: 'outcome_with_review_rights', channel: 'email' }), 201);
  const [email] = await t.db.sql<{ text_body: string }[]>`
    select text_body from email_messages where "to" = 'robin.walker@example.org'
    order by created_at desc limit 1`;
  expect(email!.text_body).toContain('Independent Office for Police Conduct');
  ok(await a.move(u.cw, id, { to: 'review_window', at: '2026-04-07' }));
  detail = await a.get(u.cw, id);
  expect(live(detail).review_window!.lastDay ?? live(detail).review_window!.dueOn).toBe(
    '2026-05-05',
  );

  // The IOPC notifies an application and sends the complaint back: re-investigation.
  day('2026-04-20');
  ok(
    await a.move(u.mgr, id, {
      to: 'review_requested',
      at: '2026-04-20',
      reason: 'IOPC notified a review application',
    }),
  );
  day('2026-05-20');
  const reopened = ok(
    await a.move(u.mgr, id, {
      to: 'investigating',
      at: '2026-05-20',
      reason: 'IOPC review upheld: re-investigate allegation 1',
      investigator: 'Det Supt Second (another force)',
    }),
  );
  expect(reopened.status).toBe('investigating');
  detail = await a.get(u.cw, id);
  expect(live(detail).update).toBeDefined();
  expect(live(detail).review_window).toBeUndefined();

  day('2026-06-10');
  ok(
    await a.move(u.mgr, id, {
      to: 'outcome_determined',
      at: '2026-06-10',
      outcome: {
        allegations: [
          { id: allegationIds[0], outcome: 'case_to_answer' },
          { id: allegationIds[1], outcome: 'no_case_to_answer' },
        ],
      },
    }),
  );
  ok(await a.letter(u.cw, id, { template: 'outcome_with_review_rights', channel: 'post' }), 201);
  ok(await a.move(u.cw, id, { to: 'review_window', at: '2026-06-10' }));
  day('2026-06-25');
  ok(
    await a.move(u.mgr, id, {
      to: 'review_requested',
      at: '2026-06-25',
      reason: 'IOPC notified a second application',
    }),
  );

  // A decision without a result is refused and changes nothing; with one, it closes.
  day('2026-07-15');
  const noReason = await a.move(u.mgr, id, { to: 'closed', at: '2026-07-15' });
  expect(noReason.statusCode).toBe(400);
  expect(JSON.parse(noReason.body).error.fields.reason).toBeTruthy();
  const closed = ok(
    await a.move(u.mgr, id, {
      to: 'closed',
      at: '2026-07-15',
      reason: 'IOPC review: outcome reasonable and proportionate',
    }),
  );
  expect(closed.status).toBe('closed');

  detail = await a.get(u.cw, id);
  expect(detail).toMatchObject({
    status: 'closed',
    reviewResult: 'IOPC review: outcome reasonable and proportionate',
    handling: 'investigation',
  });
  expect(detail.allegations.map((x: { outcome: string }) => x.outcome)).toEqual([
    'case_to_answer',
    'no_case_to_answer',
  ]);
  expect(Object.keys(live(detail))).toEqual([]);
  expect(detail.timeline.map((e: { to: string | null }) => e.to).filter(Boolean)).toEqual([
    'received',
    'initial_contact',
    'recorded',
    'investigating',
    'outcome_determined',
    'review_window',
    'review_requested',
    'investigating',
    'outcome_determined',
    'review_window',
    'review_requested',
    'closed',
  ]);
  const [row] = await t.db.sql<{ handling_generation: number; concluded_on: string | null }[]>`
    select handling_generation, concluded_on::text from complaints where id = ${id}`;
  expect(row!.handling_generation).toBe(2);

  // The manager's statistics count it, through the API too.
  const stats = ok(
    await a.call(
      'GET',
      '/api/stats/complaints?from=2026-01-01&to=2026-12-31&groupBy=outcome',
      u.mgr,
    ),
  );
  expect(stats.totals.complaints).toBeGreaterThanOrEqual(1);
  expect(stats.rows.map((r: { key: string }) => r.key)).toContain('case_to_answer');
});
