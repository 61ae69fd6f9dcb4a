/**
 * The deadlines domain on a real database through the real app: the worked examples
 * through POST /api/deadlines/calculate, clock events through POST /api/cases/:id/events,
 * stored deadlines on case creation, and the pages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, createUser, csrfFrom, signInPage, type TestUser } from '../helpers/auth.js';

const t = useTestApp({ now: '2026-11-23T10:00:00Z' });
let worker: TestUser;
let manager: TestUser;
let admin: TestUser;
let token: string;
let managerToken: string;

beforeAll(async () => {
  worker = await t.user('caseworker');
  manager = await t.user('manager');
  admin = await t.user('admin');
  token = await t.token(worker);
  managerToken = await t.token(manager);
});

type Ev = { kind: string; at: string; data?: Record<string, unknown> };
const calculate = (body: Record<string, unknown>, auth = token) =>
  t.app.inject({
    method: 'POST',
    url: '/api/deadlines/calculate',
    headers: bearer(auth),
    payload: body,
  });

async function createCase(type: string, receivedAt: string, extra: Record<string, unknown> = {}) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: bearer(token),
    payload: {
      type,
      channel: 'letter',
      receivedAt,
      subject: `A ${type} request`,
      body: 'Please send me the information.',
      contact: { name: 'Pat Requester' },
      ...extra,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ id: string; dueDate: string; deadline: { dueDate: string } }>();
}

const recordEvent = (id: string, body: Ev & { note?: string }, auth = token) =>
  t.app.inject({
    method: 'POST',
    url: `/api/cases/${id}/events`,
    headers: bearer(auth),
    payload: body,
  });

const getCase = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/api/cases/${id}`, headers: bearer(token) })).json<{
    status: string;
    dueDate: string | null;
    deadline: { dueDate: string | null; stopped: boolean; deadlines: Array<{ kind: string }> };
    timeline: Array<{ kind: string; title: string; description: string }>;
  }>();

describe('POST /api/deadlines/calculate: the worked examples (docs/rules/deadlines.md §8)', () => {
  const foi = (receivedAt: string, events: Ev[] = []) => ({ type: 'foi', receivedAt, events });
  const sar = (receivedAt: string, events: Ev[] = []) => ({ type: 'sar', receivedAt, events });
  const rows: Array<[string, Record<string, unknown>, 'dueDate' | 'extendedDueDate', string]> = [
    ['#1', foi('2025-12-18'), 'dueDate', '2026-01-21'],
    ['#1 E&W', { ...foi('2025-12-18'), calendar: 'england_wales' }, 'dueDate', '2026-01-20'],
    [
      '#2 PIT +20',
      foi('2025-12-18', [
        { kind: 'extended', at: '2026-01-20', data: { kind: 'pit', amount: 20 } },
      ]),
      'dueDate',
      '2026-02-18',
    ],
    ['#3', foi('2026-05-30'), 'dueDate', '2026-06-29'],
    ['#3 E&W', { ...foi('2026-05-30'), calendar: 'england_wales' }, 'dueDate', '2026-06-26'],
    ['#4', foi('2026-03-11'), 'dueDate', '2026-04-13'],
    ['#4 E&W', { ...foi('2026-03-11'), calendar: 'england_wales' }, 'dueDate', '2026-04-10'],
    ['#5', foi('2026-07-03'), 'dueDate', '2026-08-04'],
    ['#5 E&W', { ...foi('2026-07-03'), calendar: 'england_wales' }, 'dueDate', '2026-07-31'],
    ['#6', foi('2026-05-04'), 'dueDate', '2026-06-02'],
    ['#7 20 WD', { type: 'eir', receivedAt: '2026-11-16' }, 'dueDate', '2026-12-15'],
    ['#7 reg 7', { type: 'eir', receivedAt: '2026-11-16' }, 'extendedDueDate', '2027-01-18'],
    [
      '#8 clarification restarts',
      foi('2026-02-02', [
        { kind: 'clarification_requested', at: '2026-02-04' },
        { kind: 'clarification_received', at: '2026-02-16' },
      ]),
      'dueDate',
      '2026-03-16',
    ],
    [
      '#9 fee period',
      foi('2026-01-05', [
        { kind: 'fee_notice_sent', at: '2026-01-09' },
        { kind: 'fee_received', at: '2026-01-21' },
      ]),
      'dueDate',
      '2026-02-13',
    ],
    ['#10', sar('2026-01-30'), 'dueDate', '2026-03-02'],
    ['#11', sar('2026-03-31'), 'dueDate', '2026-04-30'],
    ['#12 Sat', sar('2026-11-28'), 'dueDate', '2026-12-29'],
    ['#12 Thu', sar('2026-11-26'), 'dueDate', '2026-12-29'],
    ['#13 1 month', sar('2026-04-02'), 'dueDate', '2026-05-05'],
    ['#13 extended', sar('2026-04-02'), 'extendedDueDate', '2026-07-02'],
    ['#14', sar('2025-12-31'), 'dueDate', '2026-02-02'],
    ['#15 2027', sar('2027-01-29'), 'dueDate', '2027-03-01'],
    ['#15 2028', sar('2028-01-29'), 'dueDate', '2028-02-29'],
    [
      '#16 ID moves the start',
      sar('2026-03-02', [{ kind: 'id_received', at: '2026-03-13' }]),
      'dueDate',
      '2026-04-13',
    ],
    [
      '#17 SAR pause',
      sar('2026-02-02', [
        { kind: 'clarification_requested', at: '2026-02-04', data: { reason: 'Which records?' } },
        { kind: 'clarification_received', at: '2026-02-10' },
      ]),
      'dueDate',
      '2026-03-09',
    ],
    ['D1 clock change', foi('2026-03-29T23:30:00Z'), 'dueDate', '2026-04-29'],
    ['D2 clock change', sar('2026-03-29T23:30:00Z'), 'dueDate', '2026-04-30'],
  ];

  it.each(rows)('%s', async (_id, body, field, expected) => {
    const response = await calculate(body);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()[field]).toBe(expected);
  });

  it('returns the calendar and each skipped day with its reason', async () => {
    const body = (await calculate(foi('2025-12-18'))).json<{
      calendar: string;
      skipped: Array<{ date: string; reason: string }>;
      extendedDueDate: string;
    }>();
    expect(body.calendar).toBe('uk_foia');
    expect(body.extendedDueDate).toBe('2026-02-18');
    expect(body.skipped).toContainEqual({
      date: '2026-01-02',
      reason: expect.stringContaining('Scotland'),
    });
    expect(body.skipped.find((s) => s.date === '2025-12-20')?.reason).toBe('Weekend');
  });

  it('refuses bad input with field errors, never a 500', async () => {
    const bad = await calculate({ type: 'foi', receivedAt: '2026-02-30' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields.receivedAt).toBeTruthy();
    const extra = await calculate({ type: 'foi', receivedAt: '2026-01-05', colour: 'red' });
    expect(extra.statusCode).toBe(400);
    const unauth = await t.app.inject({
      method: 'POST',
      url: '/api/deadlines/calculate',
      payload: { type: 'foi', receivedAt: '2026-01-05' },
    });
    expect(unauth.statusCode).toBe(401);
  });
});

describe('stored deadlines and clock events (docs/rules/deadlines.md §4, §5)', () => {
  it('stores real deadlines when a case is created', async () => {
    const created = await createCase('foi', '2025-12-18T10:00:00Z');
    expect(created.dueDate).toBe('2026-01-21');
    const rows = await t.db.sql`
      select kind, due_on::text, generation, calendar_version from case_deadlines
      where subject_id = ${created.id} and superseded_at is null order by kind`;
    expect(rows.map((r) => [r.kind, r.due_on])).toEqual([
      ['acknowledge', '2025-12-22'],
      ['statutory', '2026-01-21'],
    ]);
    const [c] = await t.db.sql`select next_due_on::text as d from cases where id = ${created.id}`;
    expect(c!.d).toBe('2026-01-21');
  });

  it('FOI clarification stops the clock, then restarts 20 WD from the answer', async () => {
    const created = await createCase('foi', '2026-02-02T10:00:00Z');
    // Open it so the workflow can move it to awaiting the requester.
    await t.app.inject({
      method: 'POST',
      url: `/api/cases/${created.id}/transitions`,
      headers: bearer(token),
      payload: { to: 'open', version: 1 },
    });
    const asked = await recordEvent(created.id, {
      kind: 'clarification_requested',
      at: '2026-02-04',
    });
    expect(asked.statusCode, asked.body).toBe(201);
    expect(asked.json().dueDate).toBeNull();
    expect(asked.json().status).toBe('awaiting_requester');
    let detail = await getCase(created.id);
    expect(detail.status).toBe('awaiting_requester');
    expect(detail.dueDate).toBeNull();
    expect(detail.deadline.stopped).toBe(true);

    const answered = await recordEvent(created.id, {
      kind: 'clarification_received',
      at: '2026-02-16T11:00:00Z',
    });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(answered.json().dueDate).toBe('2026-03-16');
    detail = await getCase(created.id);
    expect(detail.status).toBe('open');
    expect(detail.dueDate).toBe('2026-03-16');
    expect(detail.timeline.filter((e) => e.kind === 'clock_event').map((e) => e.title)).toEqual([
      'Clarification requested',
      'Clarification received',
    ]);
    // The stopped row and the restarted one are separate generations.
    const rows = await t.db.sql`
      select generation, due_on::text, superseded_at is null as live from case_deadlines
      where subject_id = ${created.id} and kind = 'statutory' order by generation`;
    expect(rows.map((r) => [r.generation, r.due_on, r.live])).toEqual([
      [1, '2026-03-02', false],
      [2, null, false],
      [3, '2026-03-16', true],
    ]);
  });

  it('SAR clarification pauses: the paused days are added', async () => {
    const created = await createCase('sar', '2026-02-02T10:00:00Z');
    expect(created.dueDate).toBe('2026-03-02');
    const noReason = await recordEvent(created.id, {
      kind: 'clarification_requested',
      at: '2026-02-04',
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error.fields['data.reason']).toBeTruthy();
    expect(
      (
        await recordEvent(created.id, {
          kind: 'clarification_requested',
          at: '2026-02-04',
          data: { reason: 'Which police station?' },
        })
      ).statusCode,
    ).toBe(201);
    const answered = await recordEvent(created.id, {
      kind: 'clarification_received',
      at: '2026-02-10',
    });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(answered.json().dueDate).toBe('2026-03-09');
  });

  it('refuses a PIT extension beyond its cap with a field error', async () => {
    const created = await createCase('foi', '2026-10-01T10:00:00Z');
    const response = await recordEvent(created.id, {
      kind: 'extended',
      at: '2026-10-20',
      data: { kind: 'pit', amount: 25 },
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json<{ error: { code: string; fields: Record<string, string> } }>();
    expect(error.code).toBe('deadlines.pit_cap');
    expect(error.fields['data.amount']).toMatch(/at most 20 working days/);
    const ok = await recordEvent(created.id, {
      kind: 'extended',
      at: '2026-10-20',
      data: { kind: 'pit', amount: 20, reason: 'Public interest test' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().dueDate).toBe(ok.json().deadline.extendedDueDate);
  });

  it('refuses a second SAR extension', async () => {
    const created = await createCase('sar', '2026-11-02T10:00:00Z');
    const first = await recordEvent(created.id, {
      kind: 'extended',
      at: '2026-11-10',
      data: { kind: 'sar_complex', amount: 2, reason: 'Many records' },
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().dueDate).toBe('2027-02-02');
    const second = await recordEvent(created.id, {
      kind: 'extended',
      at: '2026-11-12',
      data: { kind: 'sar_complex', amount: 1 },
    });
    expect(second.statusCode).toBe(400);
    expect(second.json().error.code).toBe('deadlines.second_extension');
    expect(second.json().error.fields['data.kind']).toBeTruthy();
  });

  it('refuses a future-dated event and changes nothing', async () => {
    const created = await createCase('foi', '2026-11-02T10:00:00Z');
    const response = await recordEvent(created.id, {
      kind: 'clarification_requested',
      at: '2026-11-24',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('deadlines.future_date');
    expect(response.json().error.fields.at).toMatch(/future/);
    const [n] = await t.db
      .sql`select count(*)::int as n from clock_events where subject_id = ${created.id}`;
    expect(n!.n).toBe(0);
  });

  it('a manager override drives the due date; a caseworker cannot override', async () => {
    const created = await createCase('general', '2026-11-02T10:00:00Z');
    const refused = await recordEvent(created.id, {
      kind: 'due_date_override',
      at: '2026-11-20',
      data: { date: '2026-12-18', reason: 'Agreed with the MP' },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('deadlines.manager_only');
    const done = await recordEvent(
      created.id,
      {
        kind: 'due_date_override',
        at: '2026-11-20',
        data: { date: '2026-12-18', reason: 'Agreed' },
      },
      managerToken,
    );
    expect(done.statusCode, done.body).toBe(201);
    expect(done.json().dueDate).toBe('2026-12-18');
    expect((await getCase(created.id)).dueDate).toBe('2026-12-18');
  });

  it('voids an event with a reason and recomputes; the event row stays', async () => {
    const created = await createCase('sar', '2026-03-02T10:00:00Z');
    const rec = await recordEvent(created.id, { kind: 'id_received', at: '2026-03-13' });
    expect(rec.json().dueDate).toBe('2026-04-13');
    const voided = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${created.id}/events/${rec.json().event.id}/void`,
      headers: bearer(token),
      payload: { reason: 'Entered on the wrong case' },
    });
    expect(voided.statusCode, voided.body).toBe(200);
    expect(voided.json().dueDate).toBe('2026-04-02');
    await expect(
      t.db.sql`update clock_events set note = 'x' where subject_id = ${created.id}`,
    ).rejects.toThrow(/append-only/);
  });

  it('hides restricted cases as the case API does', async () => {
    const created = await createCase('foi', '2026-11-02T10:00:00Z');
    const detail = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${created.id}`,
      headers: bearer(managerToken),
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/cases/${created.id}/restriction`,
      headers: bearer(managerToken),
      payload: { restricted: true, version: detail.json().version },
    });
    const response = await recordEvent(created.id, { kind: 'responded', at: '2026-11-20' });
    expect(response.statusCode).toBe(404);
  });
});

describe('pages', () => {
  it('the case page shows how the date was worked out', async () => {
    const created = await createCase('foi', '2025-12-18T10:00:00Z');
    const page = await signInPage(t.app, worker);
    const response = await page.get(`/casework/${created.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('How this date was worked out');
    expect(response.body).toContain('2nd January (Scotland)');
    expect(response.body).toMatch(/bank holidays known when it was last updated \(list \d+\)/);
    // In a caseworker's words: no rule ids, no "clock events".
    expect(response.body).toContain('Legal basis or policy:</strong> FOIA s10(1)');
    expect(response.body).not.toMatch(/foi-s10|\.v1\b/);
    expect(response.body).toContain('Record something that changes the deadline');
    expect(response.body).not.toContain('clock event');
  });

  it('the clock-event form shows the error summary and keeps what was typed', async () => {
    const created = await createCase('foi', '2026-11-02T10:00:00Z');
    const page = await signInPage(t.app, worker);
    const response = await page.post(
      `/casework/${created.id}/events`,
      {
        kind: 'extended',
        'at-day': '20',
        'at-month': '11',
        'at-year': '2026',
        extensionKind: 'pit',
        amount: '30',
        reason: 'Weighing the public interest',
      },
      `/casework/${created.id}/events/new`,
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('at most 20 working days');
    expect(response.body).toContain('Weighing the public interest');
    expect(response.body).toMatch(/name="amount"[^>]*value="30"/);

    const ok = await page.post(
      `/casework/${created.id}/events`,
      {
        kind: 'extended',
        'at-day': '20',
        'at-month': '11',
        'at-year': '2026',
        extensionKind: 'pit',
        amount: '10',
      },
      `/casework/${created.id}/events/new`,
    );
    expect(ok.statusCode).toBe(303);
  });

  it('the calculator page answers without signing in', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/deadlines/calculator?type=foi&received-day=18&received-month=12&received-year=2025',
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Due 21 January 2026');
    expect(response.body).toContain('How this date was worked out');
  });

  it('the calculator page names the type field for a type it does not know, even toString', async () => {
    for (const type of ['toString', 'constructor', 'parking']) {
      const response = await t.app.inject({
        method: 'GET',
        url: `/deadlines/calculator?type=${type}&received-day=18&received-month=12&received-year=2025`,
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('Select the type of request');
    }
  });

  it('admins see holidays with coverage and can add a manual one', async () => {
    const page = await signInPage(t.app, admin);
    const list = await page.get('/admin/holidays');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Coverage');
    expect(list.body).toContain('Northern Ireland');
    csrfFrom(list.body);
    const bad = await page.post(
      '/admin/holidays',
      {
        division: 'scotland',
        'date-day': '31',
        'date-month': '2',
        'date-year': '2027',
        title: 'X',
      },
      '/admin/holidays',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('govuk-error-summary');
    const added = await page.post(
      '/admin/holidays',
      {
        division: 'scotland',
        'date-day': '7',
        'date-month': '6',
        'date-year': '2027',
        title: 'Proclaimed day',
      },
      '/admin/holidays',
    );
    expect(added.statusCode).toBe(303);
    const [row] = await t.db
      .sql`select source from bank_holidays where division = 'scotland' and date = '2027-06-07'`;
    expect(row!.source).toBe('manual');
    // Another caseworker: a 4th session of `worker` would end its API token (at most 3, §3).
    const caseworkerPage = await signInPage(t.app, await createUser(t.app, 'caseworker'));
    expect((await caseworkerPage.get('/admin/holidays')).statusCode).toBe(403);
  });

  it('admins edit office targets', async () => {
    const page = await signInPage(t.app, admin);
    expect((await page.get('/admin/sla-policies')).statusCode).toBe(200);
    const saved = await page.post(
      '/admin/sla-policies',
      {
        caseType: 'general',
        kind: 'respond',
        amount: '15',
        warnWdBefore: '3',
        escalateWdAfter: '5',
      },
      '/admin/sla-policies',
    );
    expect(saved.statusCode).toBe(303);
    const created = await createCase('general', '2026-11-02T10:00:00Z');
    expect(created.dueDate).toBe('2026-11-23');
    const refused = await page.post(
      '/admin/sla-policies',
      { caseType: 'foi', kind: 'statutory', amount: '30', warnWdBefore: '5', escalateWdAfter: '5' },
      '/admin/sla-policies',
    );
    expect(refused.statusCode).toBe(400);
  });
});
