import { beforeAll, describe, expect, it } from 'vitest';
import type { NewCaseInput } from '../../server/correspondence/service.js';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, openCase } from '../replies/fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;
let cwToken: string;
let mgrToken: string;

/** Canary personal data: it must never reach a public page. */
const CANARY_NAME = 'Zebedee Quillfeather';
const CANARY_EMAIL = 'zeb.quill.canary@example.net';
const CONSTITUENT = 'Ottoline Marchbanks';

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  cwToken = await t.token(caseworker);
  mgrToken = await t.token(manager);
});

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, token = cwToken) =>
  t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

/** An answered case (a posted reply), ready for the log. */
async function answeredCase(overrides: Partial<NewCaseInput> = {}) {
  const c = await openCase(t.app, caseworker, overrides);
  await t.app.services.replies.send(actorOf(caseworker), c.id, {
    subject: 'Your request',
    body: 'Here is the answer.',
    channel: 'post',
  });
  return c;
}

function cleanInput(entry: { version: number }, extra: Record<string, unknown> = {}) {
  return {
    title: 'Speed cameras on the A38',
    requestText: 'How many speed cameras operated on the A38 in 2025?',
    summary: 'Four cameras operated. The locations are attached.',
    outcome: 'granted',
    exemptions: [],
    responseDate: '2026-11-23',
    topics: ['communities'],
    personalDataRemoved: true,
    version: entry.version,
    ...extra,
  };
}

async function publish(entry: { id: string; version: number }, input = cleanInput(entry)) {
  const saved = await api('PUT', `/api/disclosure/${entry.id}`, input);
  expect(saved.statusCode, saved.body).toBe(200);
  const approved = await api(
    'POST',
    `/api/disclosure/${entry.id}/approve`,
    { version: saved.json().version },
    mgrToken,
  );
  expect(approved.statusCode, approved.body).toBe(200);
  const published = await api(
    'POST',
    `/api/disclosure/${entry.id}/publish`,
    { version: approved.json().version },
    mgrToken,
  );
  expect(published.statusCode, published.body).toBe(200);
  return published.json();
}

function expectNoCanary(body: string) {
  const lower = body.toLowerCase();
  for (const canary of [CANARY_NAME, CANARY_EMAIL, 'quillfeather', 'zeb.quill', CONSTITUENT])
    expect(lower, `public page shows ${canary}`).not.toContain(canary.toLowerCase());
}

describe('what can be published', () => {
  it('never a SAR: 422 disclosure.not_publishable, and nothing is created', async () => {
    const sar = await answeredCase({ type: 'sar' });
    const r = await api('POST', `/api/cases/${sar.id}/disclosure`);
    expect(r.statusCode).toBe(422);
    expect(r.json().error.code).toBe('disclosure.not_publishable');
    expect(r.json().error.message).toMatch(/subject access/i);
    expect(
      await t.db.sql`select 1 from disclosure_log_entries where case_id = ${sar.id}`,
    ).toHaveLength(0);

    // The page route refuses too.
    const session = await signInPage(t.app, caseworker);
    const page = await session.post(`/casework/${sar.id}/disclosure`, {}, `/casework/${sar.id}`);
    expect(page.statusCode).toBe(422);
  });

  it('only answered FOI and EIR cases', async () => {
    const unanswered = await openCase(t.app, caseworker, { type: 'foi' });
    const r1 = await api('POST', `/api/cases/${unanswered.id}/disclosure`);
    expect(r1.statusCode).toBe(422);
    expect(r1.json().error.code).toBe('disclosure.not_publishable');
    const complaint = await answeredCase({ type: 'complaint' });
    expect((await api('POST', `/api/cases/${complaint.id}/disclosure`)).statusCode).toBe(422);
    const eir = await answeredCase({ type: 'eir' });
    const r2 = await api('POST', `/api/cases/${eir.id}/disclosure`);
    expect(r2.statusCode).toBe(201);
    expect(r2.json()).toMatchObject({ status: 'draft', reference: eir.reference });
    // Asking again gives the same entry back.
    const again = await api('POST', `/api/cases/${eir.id}/disclosure`);
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(r2.json().id);
  });
});

describe('from draft to published', () => {
  it('prefills without the requester, insists on "personal data removed", needs a manager, and the public pages never show the requester', async () => {
    const c = await answeredCase({
      type: 'foi',
      subject: `Speed cameras: request from ${CANARY_NAME}`,
      body: `My name is ${CANARY_NAME} (${CANARY_EMAIL}). On behalf of ${CONSTITUENT}, how many speed cameras operated on the A38 in 2025?`,
      contact: { name: CANARY_NAME, email: CANARY_EMAIL, phone: '01632 960 123' },
      onBehalfOf: { name: CONSTITUENT },
      topics: ['communities'],
    });
    const draft = await api('POST', `/api/cases/${c.id}/disclosure`);
    expect(draft.statusCode).toBe(201);
    const entry = draft.json();
    expect(entry.personalDataRemoved).toBe(false);
    expect(entry.requestText).toContain('how many speed cameras');
    expectNoCanary(JSON.stringify(entry));
    expect(entry.responseDate).toBe('2026-11-23');

    // Not public while it is a draft.
    expect((await t.app.inject({ url: `/disclosure-log/${c.reference}` })).statusCode).toBe(404);

    // The box must be ticked, and text naming the requester is refused.
    const unticked = await api('PUT', `/api/disclosure/${entry.id}`, {
      ...cleanInput(entry),
      personalDataRemoved: false,
    });
    expect(unticked.statusCode).toBe(400);
    expect(unticked.json().error.fields.personalDataRemoved).toBeTruthy();
    const named = await api(
      'PUT',
      `/api/disclosure/${entry.id}`,
      cleanInput(entry, {
        summary: `We wrote to ${CANARY_NAME.toUpperCase()} on 23 November.`,
        requestText: `Contact me at ${CANARY_EMAIL}`,
      }),
    );
    expect(named.statusCode).toBe(400);
    expect(named.json().error.fields).toMatchObject({
      summary: expect.stringMatching(/requester/),
      requestText: expect.stringMatching(/requester/),
    });
    const anyEmail = await api(
      'PUT',
      `/api/disclosure/${entry.id}`,
      cleanInput(entry, { summary: 'Ask foi@other.example.org' }),
    );
    expect(anyEmail.json().error.fields.summary).toMatch(/email/);

    // A caseworker cannot approve or publish.
    const saved = await api('PUT', `/api/disclosure/${entry.id}`, cleanInput(entry));
    expect(saved.statusCode).toBe(200);
    const cwApprove = await api('POST', `/api/disclosure/${entry.id}/approve`, {
      version: saved.json().version,
    });
    expect(cwApprove.statusCode).toBe(403);
    const early = await api(
      'POST',
      `/api/disclosure/${entry.id}/publish`,
      { version: saved.json().version },
      mgrToken,
    );
    expect(early.statusCode).toBe(422);

    const published = await publish(saved.json(), cleanInput(saved.json()));
    expect(published).toMatchObject({ status: 'published' });
    const kinds = (
      await t.db.sql<
        { kind: string }[]
      >`select kind from case_events where case_id = ${c.id} and kind like 'disclosure%' order by id`
    ).map((r) => r.kind);
    expect(kinds).toEqual(['disclosure_drafted', 'disclosure_approved', 'disclosure_published']);

    const list = await t.app.inject({ url: '/disclosure-log' });
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Speed cameras on the A38');
    expect(list.body).toContain(`/disclosure-log/${c.reference}`);
    expectNoCanary(list.body);
    const page = await t.app.inject({ url: `/disclosure-log/${c.reference}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Four cameras operated.');
    expect(page.body).toContain('Granted');
    expectNoCanary(page.body);
    const json = await t.app.inject({ url: '/api/public/disclosure-log' });
    expect(json.statusCode).toBe(200);
    expect(json.json().items.some((i: { reference: string }) => i.reference === c.reference)).toBe(
      true,
    );
    expectNoCanary(json.body);
  });

  it('lists newest first and filters by year, topic, outcome and search', async () => {
    const make = async (date: string, extra: Record<string, unknown>) => {
      const c = await answeredCase({ type: 'foi' });
      const entry = (await api('POST', `/api/cases/${c.id}/disclosure`)).json();
      await publish(entry, cleanInput(entry, { responseDate: date, ...extra }));
      return c.reference;
    };
    const old = await make('2025-06-02', {
      title: 'Police horses budget',
      requestText: 'What was spent on police horses?',
      outcome: 'refused',
      exemptions: ['Section 43(2) commercial interests'],
      topics: ['transformation'],
    });
    const recent = await make('2026-10-01', {
      title: 'Burglary victims support',
      requestText: 'How are burglary victims supported?',
      outcome: 'not_held',
      topics: ['victims'],
    });
    const all = (await t.app.inject({ url: '/api/public/disclosure-log' })).json();
    const refs = all.items.map((i: { reference: string }) => i.reference);
    expect(refs.indexOf(recent)).toBeLessThan(refs.indexOf(old));
    const dates = all.items.map((i: { responseDate: string }) => i.responseDate);
    expect([...dates].sort().reverse()).toEqual(dates);

    const only = async (query: string) =>
      (await t.app.inject({ url: `/api/public/disclosure-log?${query}` }))
        .json()
        .items.map((i: { reference: string }) => i.reference);
    expect(await only('year=2025')).toEqual([old]);
    expect(await only('topic=victims')).toEqual([recent]);
    expect(await only('outcome=refused')).toEqual([old]);
    expect(await only('q=burglaries')).toEqual([recent]); // stemmed search
    expect(await only('q=horses&year=2026')).toEqual([]);

    const page = await t.app.inject({ url: '/disclosure-log?year=2025&topic=&outcome=&q=' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Police horses budget');
    expect(page.body).not.toContain('Burglary victims support');
    expect(page.body).toContain('Clear filters');
    const bad = await t.app.inject({ url: '/disclosure-log?year=abc' });
    expect(bad.statusCode).toBe(400);
  });

  it('a withdrawn entry answers 410 and leaves the list', async () => {
    const c = await answeredCase({ type: 'foi' });
    const entry = (await api('POST', `/api/cases/${c.id}/disclosure`)).json();
    const published = await publish(entry, cleanInput(entry, { title: 'Withdrawn later' }));
    expect((await t.app.inject({ url: `/disclosure-log/${c.reference}` })).statusCode).toBe(200);

    const noReason = await api(
      'POST',
      `/api/disclosure/${entry.id}/withdraw`,
      { version: published.version, reason: ' ' },
      mgrToken,
    );
    expect(noReason.statusCode).toBe(400);
    const withdrawn = await api(
      'POST',
      `/api/disclosure/${entry.id}/withdraw`,
      { version: published.version, reason: 'Published in error' },
      mgrToken,
    );
    expect(withdrawn.statusCode).toBe(200);
    const gone = await t.app.inject({ url: `/disclosure-log/${c.reference}` });
    expect(gone.statusCode).toBe(410);
    expect(gone.body).toContain('This entry has been withdrawn');
    const list = await t.app.inject({ url: '/disclosure-log' });
    expect(list.body).not.toContain('Withdrawn later');
    // Unknown references are plain 404s.
    expect((await t.app.inject({ url: '/disclosure-log/OPCC-2026-99999' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/disclosure-log/not-a-reference' })).statusCode).toBe(404);
  });

  it('staff pages: a caseworker prepares the entry, a manager approves and publishes', async () => {
    const c = await answeredCase({ type: 'foi' });
    const cw = await signInPage(t.app, caseworker);
    expect((await cw.get(`/casework/${c.id}`)).body).toContain('Prepare a disclosure log entry');
    const created = await cw.post(`/casework/${c.id}/disclosure`, {}, `/casework/${c.id}`);
    expect(created.statusCode).toBe(303);
    const entryUrl = created.headers.location!;
    const form = await cw.get(entryUrl);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Personal data removed');

    const fields = {
      version: '1',
      title: 'Custody suite inspections',
      requestText: 'Please send the latest custody inspection report.',
      summary: 'The report is attached.',
      outcome: 'granted',
      exemptions: '',
      'responseDate-day': '23',
      'responseDate-month': '11',
      'responseDate-year': '2026',
      topics: 'offenders',
    };
    const unticked = await cw.post(entryUrl, fields, entryUrl);
    expect(unticked.statusCode).toBe(400);
    expect(unticked.body).toContain('Confirm that personal data has been removed');
    expect(unticked.body).toContain('Custody suite inspections'); // kept what was typed
    const saved = await cw.post(entryUrl, { ...fields, personalDataRemoved: 'yes' }, entryUrl);
    expect(saved.statusCode).toBe(303);
    expect((await cw.post(`${entryUrl}/approve`, { version: '2' }, entryUrl)).statusCode).toBe(403);

    const mgr = await signInPage(t.app, manager);
    expect((await mgr.post(`${entryUrl}/approve`, { version: '2' }, entryUrl)).statusCode).toBe(
      303,
    );
    expect((await mgr.post(`${entryUrl}/publish`, { version: '3' }, entryUrl)).statusCode).toBe(
      303,
    );
    const list = await cw.get('/disclosure-entries');
    expect(list.body).toContain('Custody suite inspections');
    expect(list.body).toContain('Published');
    expect((await t.app.inject({ url: `/disclosure-log/${c.reference}` })).statusCode).toBe(200);
  });
});
