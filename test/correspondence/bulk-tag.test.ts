import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from './fixtures.js';

// Bulk tag (docs/rules/correspondence.md §3): one transaction, a version check on every row; any
// conflict rejects the whole batch and names the cases.

const t = useTestApp();
let caseworker: TestUser;
let outsider: TestUser;
let manager: TestUser;
let cwToken: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker', { name: 'Casey Tagger' });
  outsider = await t.user('caseworker');
  manager = await t.user('manager');
  cwToken = await t.token(caseworker);
});

const bulkTag = (payload: unknown, token = cwToken) =>
  t.app.inject({
    method: 'POST',
    url: '/api/cases/bulk-tag',
    headers: bearer(token),
    payload: payload as object,
  });

async function thirty(prefix: string) {
  const made = [];
  for (let i = 0; i < 30; i += 1)
    made.push(await makeCase(t.app, caseworker, { subject: `${prefix} ${i}`, tags: ['existing'] }));
  return made;
}

const rowsOf = async (ids: string[]) =>
  await t.db.sql<{ id: string; tags: string[]; version: number }[]>`
    select id, tags, version from cases where id in ${t.db.sql(ids)}`;

const countEvents = async (ids: string[], kind = 'tagged') => {
  const [row] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from case_events where kind = ${kind} and case_id in ${t.db.sql(ids)}`;
  return row!.n;
};

describe('bulk tag through the API', () => {
  it('tags all 30 cases: one timeline entry with its actor and one audit row each', async () => {
    const made = await thirty('Batch');
    const r = await bulkTag({
      items: made.map((c) => ({ id: c.id, version: 1 })),
      tags: ['Media ', 'media', 'Staff  complaint'],
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({ tagged: 30, changed: 30 });
    expect(r.json().cases[0].tags).toEqual(['existing', 'media', 'staff complaint']);
    const rows = await rowsOf(made.map((c) => c.id));
    expect(rows).toHaveLength(30);
    for (const row of rows) {
      expect(row.tags).toEqual(['existing', 'media', 'staff complaint']);
      expect(row.version).toBe(2);
    }
    const events = await t.db.sql<{ actor_id: string; data: { added: string[] } }[]>`
      select actor_id, data from case_events
      where kind = 'tagged' and case_id in ${t.db.sql(made.map((c) => c.id))}`;
    expect(events).toHaveLength(30);
    expect(events.every((e) => e.actor_id === caseworker.id)).toBe(true);
    expect(events[0]!.data.added).toEqual(['media', 'staff complaint']);
    const [audits] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events
      where action = 'case.tag' and actor_id = ${caseworker.id}
        and subject_id in ${t.db.sql(made.map((c) => c.id))}`;
    expect(audits!.n).toBe(30);

    // The timeline says what was added, by whom.
    const detail = await t.app.services.correspondence.get(actorOf(manager), made[0]!.id);
    const tagged = detail.timeline.filter((e) => e.kind === 'tagged');
    expect(tagged).toHaveLength(1);
    expect(tagged[0]).toMatchObject({
      title: 'Tags added',
      description: 'media, staff complaint',
      actor: { id: caseworker.id, name: 'Casey Tagger' },
    });

    // Tagging again with tags they already have changes nothing and records nothing.
    const again = await bulkTag({
      items: made.map((c) => ({ id: c.id, version: 2 })),
      tags: ['media'],
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ tagged: 30, changed: 0 });
    expect((await rowsOf(made.map((c) => c.id))).every((row) => row.version === 2)).toBe(true);
    expect(await countEvents(made.map((c) => c.id))).toBe(30);

    // The new tag filters the list.
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/cases?view=all&limit=200&tag=staff%20complaint',
      headers: bearer(cwToken),
    });
    expect(list.json().items).toHaveLength(30);
  });

  it('changes none of 30 when one has moved on, and names it', async () => {
    const made = await thirty('Stale');
    const victim = made[17]!;
    await t.app.services.correspondence.transition(actorOf(caseworker), victim.id, {
      to: 'open',
      version: 1,
    });
    const r = await bulkTag({
      items: made.map((c) => ({ id: c.id, version: 1 })),
      tags: ['media'],
    });
    expect(r.statusCode).toBe(409);
    const { error } = r.json();
    expect(error.code).toBe('correspondence.stale_version');
    expect(error.message).toContain(victim.reference);
    expect(error.message).toContain('No cases were tagged');
    expect(error.message).not.toContain(made[0]!.reference);
    const rows = await rowsOf(made.map((c) => c.id));
    expect(rows.every((row) => row.tags.join() === 'existing')).toBe(true);
    expect(await countEvents(made.map((c) => c.id))).toBe(0);
  });

  it('changes none when one case is missing or hidden (restricted)', async () => {
    const made = await thirty('Hidden');
    const hidden = await makeCase(t.app, caseworker, { assigneeId: caseworker.id });
    await t.app.services.correspondence.setRestricted(actorOf(manager), hidden.id, {
      restricted: true,
      version: 1,
    });
    const r = await bulkTag(
      {
        items: [...made, hidden].map((c) => ({ id: c.id, version: c.id === hidden.id ? 2 : 1 })),
        tags: ['media'],
      },
      await apiToken(t.app, outsider),
    );
    expect(r.statusCode).toBe(404);
    expect(r.json().error.message).toContain('1 selected case was not found');
    expect(r.json().error.message).not.toContain(hidden.reference);
    const rows = await rowsOf([...made, hidden].map((c) => c.id));
    expect(rows.every((row) => !row.tags.includes('media'))).toBe(true);
  });

  it('refuses bad input with 400 and the field, and too many tags on a case with 422', async () => {
    const c = await makeCase(t.app, caseworker);
    const item = [{ id: c.id, version: 1 }];
    const cases = [
      [{ items: item, tags: [] }, 'tags'],
      [{ items: [], tags: ['media'] }, 'items'],
      [{ items: item, tags: ['x'.repeat(51)] }, 'tags.0'],
      [{ items: item, tags: ['   '] }, 'tags'],
      [{ items: item, tags: ['media'], force: true }, 'force'],
      [{ items: [{ id: 'not-a-uuid', version: 1 }], tags: ['media'] }, 'items.0.id'],
    ] as const;
    for (const [payload, field] of cases) {
      const r = await bulkTag(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().error.code).toBe('validation');
      expect(Object.keys(r.json().error.fields)).toContain(field);
    }
    const many = Array.from({ length: 201 }, () => ({ id: c.id, version: 1 }));
    expect((await bulkTag({ items: many, tags: ['media'] })).statusCode).toBe(400);

    const full = await makeCase(t.app, caseworker, {
      tags: Array.from({ length: 15 }, (_, i) => `t${i}`),
    });
    const over = await bulkTag({
      items: [
        { id: c.id, version: 1 },
        { id: full.id, version: 1 },
      ],
      tags: ['a', 'b', 'c', 'd', 'e', 'f'],
    });
    expect(over.statusCode).toBe(422);
    expect(over.json().error.message).toContain(full.reference);
    expect((await rowsOf([c.id]))[0]!.tags).toEqual([]);
  });
});

describe('bulk tag on the queue page', () => {
  it('tags the selected cases beside bulk assign and shows the result', async () => {
    const a = await makeCase(t.app, caseworker, { subject: 'Wombat sighting A' });
    const b = await makeCase(t.app, caseworker, { subject: 'Wombat sighting B' });
    const page = await signInPage(t.app, caseworker);
    const queue = await page.get('/casework?view=all&q=wombat');
    expect(queue.body).toContain(`value="${a.id}:1"`);
    expect(queue.body).toContain('formaction="/casework/bulk-tag"');
    expect(queue.body).toContain('formaction="/casework/bulk-assign"');
    const r = await page.post(
      '/casework/bulk-tag',
      {
        cases: [`${a.id}:1`, `${b.id}:1`],
        tags: 'Wildlife, night time',
        assigneeId: '',
        returnTo: '/casework?view=all&q=wombat',
      },
      '/casework?view=all&q=wombat',
    );
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('/casework?view=all&q=wombat&tagged=2');
    const after = await page.get(r.headers.location as string);
    expect(after.body).toContain('2 cases tagged');
    expect(after.body).toContain('Tags: wildlife, night time');
    const rows = await rowsOf([a.id, b.id]);
    expect(rows.every((row) => row.tags.join() === 'wildlife,night time')).toBe(true);

    // Nothing selected, no tags: both errors, linked to their fields, the list kept.
    const empty = await page.post(
      '/casework/bulk-tag',
      { tags: '', assigneeId: '', returnTo: '/casework?view=all&q=wombat' },
      '/casework',
    );
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#cases"');
    expect(empty.body).toContain('href="#tags"');
    expect(empty.body).toContain('Wombat sighting A');

    // A stale selection: nothing changes, the case is named, the typed tags kept.
    const stale = await page.post(
      '/casework/bulk-tag',
      {
        cases: [`${a.id}:1`, `${b.id}:2`],
        tags: 'burrows',
        returnTo: '/casework?view=all&q=wombat',
      },
      '/casework',
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('govuk-error-summary');
    expect(stale.body).toContain(`${a.reference} changed since you loaded the list`);
    expect(stale.body).toMatch(/id="tags" name="tags" type="text"[^>]*value="burrows"/);
    expect((await rowsOf([a.id, b.id])).every((row) => !row.tags.includes('burrows'))).toBe(true);

    // Bulk assign from the same form still works, ignoring the tags box.
    const assigned = await page.post(
      '/casework/bulk-assign',
      {
        cases: [`${a.id}:2`],
        tags: 'ignored',
        assigneeId: caseworker.id,
        returnTo: '/casework?view=all&q=wombat',
      },
      '/casework',
    );
    expect(assigned.statusCode).toBe(303);
    expect((await rowsOf([a.id]))[0]!.tags).toEqual(['wildlife', 'night time']);
  });
});
