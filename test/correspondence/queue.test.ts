import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { neutraliseCell } from '../../server/lib/csv.js';
import { actorOf, makeCase } from './fixtures.js';

const t = useTestApp(); // the clock: Monday 23 November 2026, 10:00
let caseworker: TestUser;
let manager: TestUser;
let token: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  token = await t.token(caseworker);
});

const list = async (query: string) => {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/cases?${query}`,
    headers: bearer(token),
  });
  expect(response.statusCode).toBe(200);
  const body: {
    items: Array<{ id: string; dueDate: string | null; overdue: boolean; receivedAt: string }>;
    nextCursor: string | null;
  } = response.json();
  return body;
};

const svc = () => t.app.services.correspondence;

describe('the overdue view', () => {
  it('lists exactly the open cases past their due date or their acknowledgement target', async () => {
    const actor = actorOf(caseworker);
    // Received 1 October: due 29 October, long past.
    const overdueNew = await makeCase(t.app, caseworker, { receivedAt: '2026-10-01T09:00:00Z' });
    const overdueWaiting = await makeCase(t.app, caseworker, {
      receivedAt: '2026-10-01T09:00:00Z',
    });
    await svc().transition(actor, overdueWaiting.id, { to: 'open', version: 1 });
    await svc().transition(actor, overdueWaiting.id, {
      to: 'awaiting_requester',
      version: 2,
      reason: 'clarification_requested',
    });
    const closed = await makeCase(t.app, caseworker, { receivedAt: '2026-10-01T09:00:00Z' });
    await svc().transition(actor, closed.id, { to: 'closed', version: 1, outcome: 'duplicate' });
    const responded = await makeCase(t.app, caseworker, { receivedAt: '2026-10-01T09:00:00Z' });
    await svc().transition(actor, responded.id, { to: 'open', version: 1 });
    await svc().transition(actor, responded.id, { to: 'responded', version: 2 });
    // Received 26 October: due today, 23 November. Overdue only from tomorrow. Acknowledged
    // by email (an unacknowledged one would have missed its target, 28 October).
    const dueToday = await makeCase(t.app, caseworker, {
      receivedAt: '2026-10-26T09:00:00Z',
      channel: 'email',
      contact: { name: 'Dee Today', email: 'dee.today@example.org' },
    });
    // Received 2 November, not acknowledged: its target, 4 November, is missed (#15 item 2).
    const ackMissed = await makeCase(t.app, caseworker, { receivedAt: '2026-11-02T09:00:00Z' });
    expect(dueToday.dueDate).toBe('2026-11-23');
    const notYet = await makeCase(t.app, caseworker, { receivedAt: '2026-11-20T09:00:00Z' });

    const viaView = (await list('view=overdue&limit=200')).items.map((i) => i.id);
    const viaFlag = (await list('overdue=true&limit=200')).items.map((i) => i.id);
    const expected = (
      await t.db.sql<{ id: string }[]>`select id from cases
        where status in ('new', 'open', 'awaiting_requester', 'awaiting_approval')
          and (next_due_on < '2026-11-23' or (acknowledged_at is null and exists (
            select 1 from case_deadlines d where d.subject_id = cases.id and d.kind = 'acknowledge'
              and d.superseded_at is null and d.effective_due_on < '2026-11-23')))`
    ).map((r) => r.id);
    expect(new Set(viaView)).toEqual(new Set(expected));
    expect(new Set(viaFlag)).toEqual(new Set(expected));
    expect(viaView).toEqual(
      expect.arrayContaining([overdueNew.id, overdueWaiting.id, ackMissed.id]),
    );
    for (const id of [closed.id, responded.id, dueToday.id, notYet.id])
      expect(viaView).not.toContain(id);

    t.clock.set('2026-11-24T00:30:00Z'); // 00:30 on Tuesday in London
    try {
      const tomorrow = await svc().list(actor, { view: 'overdue' }, { limit: 200 });
      expect(tomorrow.items.map((i) => i.id)).toContain(dueToday.id);
    } finally {
      t.clock.set('2026-11-23T10:00:00Z');
    }
    const counts = await svc().counts(actorOf(caseworker));
    expect(counts.overdue).toBe(expected.length);
  });

  it('shows due soon (5 working days) in its own view', async () => {
    // Received 2 November: due 30 November, within 5 working days of Monday 23rd.
    const soon = await makeCase(t.app, caseworker, { receivedAt: '2026-11-02T09:00:00Z' });
    expect(soon.dueDate).toBe('2026-11-30');
    const ids = (await list('view=due-5wd&limit=200')).items.map((i) => i.id);
    expect(ids).toContain(soon.id);
    expect(ids.every(Boolean)).toBe(true);
  });
});

describe('keyset paging', () => {
  it('walks every case once, in due-date order (none last), without OFFSET', async () => {
    await makeCase(t.app, caseworker, { receivedAt: '2026-09-01T09:00:00Z' });
    const all = (await list('view=all&limit=200')).items;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(`view=all&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(seen).toEqual(all.map((i) => i.id));
    expect(new Set(seen).size).toBe(seen.length);
    const dues = all.map((i) => i.dueDate ?? '9999-12-31');
    expect([...dues].sort()).toEqual(dues);
  });

  it('sorts by received date both ways and pages the same way', async () => {
    const asc = (await list('view=all&sort=received&limit=200')).items.map((i) => i.receivedAt);
    expect([...asc].sort()).toEqual(asc);
    const desc = (await list('view=all&sort=-received&limit=200')).items.map((i) => i.id);
    const firstPage = await list('view=all&sort=-received&limit=2');
    const secondPage = await list(`view=all&sort=-received&limit=2&cursor=${firstPage.nextCursor}`);
    expect([...firstPage.items, ...secondPage.items].map((i) => i.id)).toEqual(desc.slice(0, 4));
  });

  it('refuses a limit over 200 and a forged cursor with 400', async () => {
    const big = await t.app.inject({
      method: 'GET',
      url: '/api/cases?limit=201',
      headers: bearer(token),
    });
    expect(big.statusCode).toBe(400);
    const forged = await t.app.inject({
      method: 'GET',
      url: `/api/cases?cursor=${Buffer.from('["x"]').toString('base64url')}`,
      headers: bearer(token),
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.fields.cursor).toBeTruthy();
    const junk = await t.app.inject({
      method: 'GET',
      url: '/api/cases?cursor=%%%',
      headers: bearer(token),
    });
    expect(junk.statusCode).toBe(400);
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/cases?colour=red',
      headers: bearer(token),
    });
    expect(unknown.statusCode).toBe(400);
  });
});

describe("security checklist 19: CSV fields led by =HYPERLINK(, + - @, TAB, CR, NUL get '", () => {
  it('neutralises every formula lead', () => {
    expect(neutraliseCell('=SUM(1)')).toBe("'=SUM(1)");
    expect(neutraliseCell('=HYPERLINK("http://x")')).toBe('\'=HYPERLINK("http://x")');
    for (const lead of ['+', '-', '@', '\t', '\r', '\0'])
      expect(neutraliseCell(`${lead}1`)).toBe(`'${lead}1`);
    expect(neutraliseCell('Plain')).toBe('Plain');
  });

  it("writes =SUM(1) as '=SUM(1), as an RFC 4180 UTF-8 attachment with a BOM, and audits it", async () => {
    const c = await makeCase(t.app, caseworker, {
      subject: '=SUM(1)',
      receivedAt: '2026-11-19T09:00:00Z',
    });
    await makeCase(t.app, caseworker, {
      subject: 'Comma, "quotes" and café',
      receivedAt: '2026-11-19T09:00:00Z',
    });
    const page = await signInPage(t.app, manager);
    const response = await page.get('/casework/export.csv?view=all-open&q=');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="cases-2026-11-23\.csv"$/,
    );
    const raw = response.rawPayload;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = raw.toString('utf8').slice(1);
    expect(text).toContain(`${c.reference},`);
    expect(text).toContain(",'=SUM(1),");
    expect(text).not.toMatch(/,=SUM/);
    expect(text).toContain('"Comma, ""quotes"" and café"');
    expect(text.split('\r\n')[0]).toMatch(/^Reference,Type,Channel,Status/);
    expect(text).toMatch(/\r\n/);
    const [audit] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events where action = 'case.export' and actor_id = ${manager.id}`;
    expect(audit!.n).toBe(1);
  });
});
