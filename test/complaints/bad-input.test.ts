/**
 * Bad input (issue 12 acceptance): over-long text, forged and unknown ids, the wrong stream,
 * bad and future dates. The API answers a field-level JSON error with a code (or 404), the
 * pages a GOV.UK error summary; never a 500, and nothing is saved.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PageSession } from '../helpers/auth.js';
import { footprint, useComplaintsApp } from './fixtures.js';

const { t, u, a } = useComplaintsApp();
let cw: PageSession;
beforeAll(async () => {
  cw = await t.page(u.caseworker);
});

/** Everything a refused create could have written. */
async function totals() {
  const [row] = await t.db.sql<Record<string, number>[]>`
    select (select count(*)::int from complaints) as complaints,
           (select count(*)::int from complainants) as complainants,
           (select count(*)::int from complaint_allegations) as allegations,
           (select count(*)::int from complaint_transitions) as transitions,
           (select count(*)::int from case_deadlines where subject_type = 'complaint') as timers,
           (select count(*)::int from complaint_contacts) as contacts,
           (select count(*)::int from outbox) as outbox`;
  return row!;
}

type Reply = { statusCode: number; body: string; json: () => unknown };
/** A field error in the API shape: status, `error.code`, and a message on `field`. */
function fieldError(response: Reply, field: string, status = 400, code = 'validation') {
  expect(response.statusCode, response.body).toBe(status);
  const body = response.json() as {
    error: { code: string; message: string; fields?: Record<string, string> };
  };
  expect(body.error.code).toBe(code);
  expect(body.error.fields?.[field], JSON.stringify(body.error)).toBeTruthy();
}

const good = {
  receivedAt: '2026-11-20',
  complainant: { name: 'Sam Input' },
  summary: 'Summary',
  allegations: [{ category: 'individual_behaviours', description: 'Described' }],
};
const long = (n: number) => 'x'.repeat(n);

describe('bad input on the API', () => {
  it('over-long text gets a field error naming the field and saves nothing', async () => {
    const before = await totals();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ summary: long(10_001) }, 'summary'],
      [{ complainant: { name: long(201) } }, 'complainant.name'],
      [
        { allegations: [{ category: 'individual_behaviours', description: long(5_001) }] },
        'allegations.0.description',
      ],
      [
        {
          review: { forceReference: long(61), infoGivenOn: '2026-11-01', appliedOn: '2026-11-20' },
        },
        'review.forceReference',
      ],
    ];
    for (const [patch, field] of cases) {
      fieldError(await a.call('POST', '/api/complaints', u.cw, { ...good, ...patch }), field);
    }
    expect(await totals()).toEqual(before);

    const c = await a.create(u.cw);
    const mark = await footprint(t, c.id);
    fieldError(
      await a.move(u.cw, c.id, { to: 'not_a_complaint', at: '2026-11-23', reason: long(2_001) }),
      'reason',
    );
    fieldError(
      await a.contact(u.cw, c.id, { kind: 'other', channel: 'phone', note: long(5_001) }),
      'note',
    );
    fieldError(
      await a.call('PUT', `/api/complaints/${c.id}/equality`, u.cw, { sex: long(61) }),
      'sex',
    );
    expect(await footprint(t, c.id)).toEqual(mark);
  });

  it('forged and unknown ids get 404 (or a field error for a referenced id) and change nothing', async () => {
    const c = await a.create(u.cw);
    const mark = await footprint(t, c.id);
    const forged = randomUUID();
    for (const [method, url, body] of [
      ['GET', `/api/complaints/${forged}`, undefined],
      ['GET', '/api/complaints/not-a-uuid', undefined],
      ['GET', `/api/complaints/${c.id.slice(0, 35)}x`, undefined],
      [
        'POST',
        `/api/complaints/${forged}/transitions`,
        { to: 'initial_contact', at: '2026-11-23' },
      ],
      [
        'POST',
        `/api/complaints/${forged}/letters`,
        { template: 'acknowledgement', channel: 'post' },
      ],
      ['POST', `/api/complaints/${forged}/contacts`, { kind: 'other', channel: 'phone' }],
      ['PUT', `/api/complaints/${forged}/equality`, { sex: 'female' }],
      ['GET', `/api/complaints/${forged}/access`, undefined],
    ] as const) {
      const response = await a.call(method, url, u.cw, body);
      expect(response.statusCode, `${method} ${url}: ${response.body}`).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
    // Someone not on the list sees the same 404 as for an id that does not exist.
    const hidden = await a.call('GET', `/api/complaints/${c.id}`, u.out);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().error.code).toBe('not_found');

    // Ids inside a body: an unknown staff member, an allegation of another complaint.
    fieldError(await a.grant(u.cw, c.id, forged), 'userId');
    fieldError(
      await a.call('POST', '/api/complaints', u.cw, { ...good, assigneeId: forged }),
      'assigneeId',
    );
    fieldError(await a.grant(u.cw, c.id, 'not-a-uuid'), 'userId');
    const other = await a.create(u.cw);
    const otherAllegation = (await a.get(u.cw, other.id)).allegations[0].id as string;
    await a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-11-23' });
    await a.grant(u.cw, c.id, u.manager.id);
    await a.move(u.mgr, c.id, { to: 'recorded', at: '2026-11-23', reason: 'AA decides' });
    await a.move(u.mgr, c.id, {
      to: 'handling_otherwise',
      at: '2026-11-23',
      referral: 'not_referable',
      reason: 'No criteria',
    });
    const moved = await footprint(t, c.id);
    expect(moved.status).toBe('handling_otherwise');
    const forgedOutcome = await a.move(u.mgr, c.id, {
      to: 'outcome_determined',
      at: '2026-11-23',
      outcome: { allegations: [{ id: otherAllegation, outcome: 'service_acceptable' }] },
    });
    expect(forgedOutcome.statusCode, forgedOutcome.body).toBeGreaterThanOrEqual(400);
    expect(forgedOutcome.statusCode).toBeLessThan(500);
    expect(forgedOutcome.json().error.fields).toBeTruthy();
    expect(await footprint(t, c.id)).toEqual(moved);
    const [kept] = await t.db
      .sql`select outcome from complaint_allegations where id = ${otherAllegation}`;
    expect(kept!.outcome).toBeNull();
    expect(mark.transitions).toBe(1);
  });

  it('the wrong stream: an unknown stream is a field error; a cc move on a review application is 422', async () => {
    const before = await totals();
    fieldError(
      await a.call('POST', '/api/complaints', u.cw, { ...good, stream: 'force' }),
      'stream',
    );
    fieldError(await a.call('GET', '/api/stats/complaints?stream=force', u.mgr), 'stream');
    expect(await totals()).toEqual(before);

    const review = await a.create(u.cw, {
      stream: 'review',
      review: { forceReference: 'PSD/1/2026', infoGivenOn: '2026-11-02', appliedOn: '2026-11-20' },
    });
    const mark = await footprint(t, review.id);
    for (const to of ['initial_contact', 'recorded', 'outside_sch3']) {
      const refused = await a.move(u.cw, review.id, { to, at: '2026-11-23', reason: 'AA decides' });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().error.code).toBe('complaints.transition_not_allowed');
    }
    expect(await footprint(t, review.id)).toEqual(mark);
  });

  it('bad dates: not a date, the future, before the last event, an upside-down period', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const before = await totals();
    for (const receivedAt of [
      '2026-13-45',
      'yesterday',
      '2026-02-30',
      '2026-11-24',
      '2030-01-01',
    ]) {
      fieldError(
        await a.call('POST', '/api/complaints', u.cw, { ...good, receivedAt }),
        'receivedAt',
      );
    }
    fieldError(
      await a.call('POST', '/api/complaints', u.cw, { ...good, madeOn: '2026-11-21' }),
      'madeOn',
    );
    fieldError(
      await a.call('POST', '/api/complaints', u.cw, { ...good, madeOn: '20261101' }),
      'madeOn',
    );
    expect(await totals()).toEqual(before);

    const c = await a.create(u.cw, { receivedAt: '2026-11-20' });
    await a.move(u.cw, c.id, { to: 'initial_contact', at: '2026-11-21' });
    const mark = await footprint(t, c.id);
    for (const at of ['2026-11-24', '2026-11-19', 'not a date', '2026-11-31']) {
      fieldError(
        await a.move(u.cw, c.id, { to: 'withdrawn', at, reason: 'Signed withdrawal' }),
        'at',
      );
    }
    fieldError(
      await a.contact(u.cw, c.id, { kind: 'other', channel: 'phone', at: '2027-01-01' }),
      'at',
    );
    expect(await footprint(t, c.id)).toEqual(mark);

    fieldError(
      await a.call('GET', '/api/stats/complaints?from=2026-12-01&to=2026-01-01', u.mgr),
      'from',
    );
    fieldError(await a.call('GET', '/api/stats/complaints?to=2026-02-31', u.mgr), 'to');
    fieldError(await a.call('GET', '/api/stats/complaints?from=01/01/2026', u.mgr), 'from');
  });
});

describe('bad input on the pages', () => {
  const problem = (body: string, field: string) => {
    expect(body).toContain('There is a problem');
    expect(body).toContain('govuk-error-summary');
    expect(body).toContain(`href="#${field}"`);
  };

  it('over-long text and bad dates show the error summary, keep what was typed and save nothing', async () => {
    t.clock.set('2026-11-23T10:00:00Z');
    const before = await totals();
    const form = {
      receivedOn: '2026-11-20',
      channel: 'email',
      complainantName: 'Pat Long',
      summary: 'S',
      category: 'individual_behaviours',
      description: 'Described',
      recordingRequested: 'no',
    };
    const tooLong = await cw.post(
      '/complaints/new',
      { ...form, summary: long(10_001) },
      '/complaints/new',
    );
    expect(tooLong.statusCode).toBe(400);
    problem(tooLong.body, 'summary');
    expect(tooLong.body).toContain('Pat Long');
    const badDate = await cw.post(
      '/complaints/new',
      { ...form, receivedOn: '2026-02-30' },
      '/complaints/new',
    );
    expect(badDate.statusCode).toBe(400);
    problem(badDate.body, 'receivedOn');
    const unknown = await cw.post(
      '/complaints/new',
      { ...form, category: 'made_up' },
      '/complaints/new',
    );
    expect(unknown.statusCode).toBe(400);
    problem(unknown.body, 'category');
    expect(await totals()).toEqual(before);

    const c = await a.create(u.cw);
    const url = `/complaints/${c.id}`;
    const mark = await footprint(t, c.id);
    const future = await cw.post(
      `${url}/move`,
      { to: 'initial_contact', at: '2026-12-25', version: '1' },
      url,
    );
    expect(future.statusCode).toBeGreaterThanOrEqual(400);
    expect(future.statusCode).toBeLessThan(500);
    problem(future.body, 'at');
    const note = await cw.post(
      `${url}/contacts`,
      { kind: 'other', contactChannel: 'phone', note: long(5_001) },
      url,
    );
    expect(note.statusCode).toBe(400);
    problem(note.body, 'note');
    expect(note.body).toContain('x'.repeat(100));
    const when = await cw.post(
      `${url}/contacts`,
      { kind: 'other', contactChannel: 'phone', contactAt: '2027-01-01' },
      url,
    );
    expect(when.statusCode).toBe(400);
    problem(when.body, 'contactAt');
    const bogus = await cw.post(
      `${url}/move`,
      { to: 'teleported', at: '2026-11-23', version: '1' },
      url,
    );
    expect(bogus.statusCode).toBeGreaterThanOrEqual(400);
    expect(bogus.statusCode).toBeLessThan(500);
    problem(bogus.body, 'to');
    expect(await footprint(t, c.id)).toEqual(mark);
  });

  it('forged ids get the GOV.UK not-found page, never a 500', async () => {
    for (const url of [
      `/complaints/${randomUUID()}`,
      '/complaints/not-a-uuid',
      `/complaints/${randomUUID()}/equality`,
      `/complaints/from-case/${randomUUID()}`,
    ]) {
      const page = await cw.get(url);
      expect(page.statusCode, url).toBe(404);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('Page not found');
    }
    const c = await a.create(u.cw);
    const before = await totals();
    const forged = await cw.post(
      `/complaints/${randomUUID()}/move`,
      { to: 'initial_contact', at: '2026-11-23', version: '1' },
      `/complaints/${c.id}`,
    );
    expect(forged.statusCode).toBe(404);
    expect(forged.body).toContain('Page not found');
    expect(await totals()).toEqual(before);
  });
});
