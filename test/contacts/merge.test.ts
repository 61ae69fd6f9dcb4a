import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type PageSession, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from '../correspondence/fixtures.js';
import { insertContact } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;
let managerToken: string;
let managerPage: PageSession;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  managerToken = await t.token(manager);
  managerPage = await t.page(manager);
});

let n = 0;
/** A contact row as a duplicate typically looks: same person, entered twice. */
async function contact(values: { name?: string; email?: string; postcode?: string } = {}) {
  n += 1;
  return insertContact(t.db.sql, { ...values, name: values.name ?? `Dup Person ${n}` });
}

const merge = (id: string, into: unknown, token = managerToken) =>
  t.app.inject({
    method: 'POST',
    url: `/api/contacts/${id}/merge`,
    headers: bearer(token),
    payload: { into },
  });

async function mergedInto(id: string) {
  const [row] = await t.db.sql<{ merged_into_id: string | null }[]>`
    select merged_into_id from contacts where id = ${id}`;
  return row!.merged_into_id;
}

describe('merging a duplicate contact (API)', () => {
  it('moves requester and constituent cases, marks the duplicate, puts it on each timeline and audits', async () => {
    const survivor = await contact({ name: 'Alex Keep' });
    const duplicate = await contact({ name: 'Alex Dupe' });
    const kept = await makeCase(t.app, caseworker, { contactId: survivor });
    const a = await makeCase(t.app, caseworker, { contactId: duplicate });
    const b = await makeCase(t.app, caseworker, { contactId: duplicate });
    const mp = await makeCase(t.app, caseworker, { type: 'mp_enquiry', channel: 'mp' });
    await t.db.sql`update cases set on_behalf_of_id = ${duplicate} where id = ${mp.id}`;

    const response = await merge(duplicate, survivor);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ id: duplicate, mergedIntoId: survivor, movedCases: 3 });

    const rows = await t.db.sql<{ id: string; contact_id: string; on_behalf_of_id: string }[]>`
      select id, contact_id, on_behalf_of_id from cases where id in ${t.db.sql([a.id, b.id, mp.id, kept.id])}`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(a.id)!.contact_id).toBe(survivor);
    expect(byId.get(b.id)!.contact_id).toBe(survivor);
    expect(byId.get(mp.id)!.on_behalf_of_id).toBe(survivor);
    expect(await mergedInto(duplicate)).toBe(survivor);
    expect(await mergedInto(survivor)).toBeNull();

    const events = await t.db.sql<{ case_id: string; actor_id: string; data: { from: string } }[]>`
      select case_id, actor_id, data from case_events where kind = 'contact_merged'
      and case_id in ${t.db.sql([a.id, b.id, mp.id, kept.id])}`;
    expect(events.map((e) => e.case_id).sort()).toEqual([a.id, b.id, mp.id].sort());
    expect(events.every((e) => e.actor_id === manager.id && e.data.from === duplicate)).toBe(true);
    const detail = await t.app.services.correspondence.get(actorOf(caseworker), a.id);
    expect(detail.timeline.map((e) => e.title)).toContain('Contact records merged');

    const audits = await t.db.sql<{ actor_id: string; person_id: string }[]>`
      select actor_id, person_id from audit_events
      where action = 'contact.merge' and subject_id = ${duplicate}`;
    expect(audits).toEqual([{ actor_id: manager.id, person_id: survivor }]);
  });

  it('a merged contact no longer matches or is suggested: its email now links to the survivor', async () => {
    const survivor = await contact({ name: 'Sam Shared', email: 'sam.shared@example.org' });
    const duplicate = await contact({
      name: 'Sam Shared',
      email: 'sam.shared@example.org',
      postcode: 'EX1 2BB',
    });
    await t.db
      .sql`update contacts set postcode = 'EX1 2BB', postcode_norm = 'EX12BB' where id = ${survivor}`;
    // Two contacts share the address: the linking rule refuses to guess.
    const before = await makeCase(t.app, caseworker, {
      contact: { name: 'Sam Shared', email: 'sam.shared@example.org' },
    });
    expect(before.contactMatchedBy).toBe('new');
    const newcomer = before.contactId!;
    // Fold both the duplicate and the contact that the case just created into the survivor.
    expect((await merge(duplicate, survivor)).statusCode).toBe(200);
    expect((await merge(newcomer, survivor)).statusCode).toBe(200);

    const after = await makeCase(t.app, caseworker, {
      contact: { name: 'Sam Shared', email: 'SAM.shared@example.org' },
    });
    expect(after.contactMatchedBy).toBe('email');
    expect(after.contactId).toBe(survivor);

    const suggestions = await t.app.services.correspondence.suggestContacts({
      name: 'Sam Shared',
      email: 'sam.shared@example.org',
      postcode: 'EX1 2BB',
    });
    expect(suggestions.map((s) => s.id)).toEqual([survivor]);
  });

  it('refuses a merge into itself, into a merged contact, twice, or into nothing with a clear 422', async () => {
    const keep = await contact();
    const dup = await contact();
    const other = await contact();
    const c = await makeCase(t.app, caseworker, { contactId: dup });

    const self = await merge(dup, dup);
    expect(self.statusCode).toBe(422);
    expect(self.json().error).toMatchObject({
      code: 'contacts.merge_into_self',
      message: 'A contact cannot be merged into itself',
    });
    const missing = await merge(dup, '00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(422);
    expect(missing.json().error.code).toBe('contacts.merge_into_missing');

    expect((await merge(other, keep)).statusCode).toBe(200);
    const intoMerged = await merge(dup, other);
    expect(intoMerged.statusCode).toBe(422);
    expect(intoMerged.json().error.code).toBe('contacts.merge_into_merged');
    expect(intoMerged.json().error.message).toMatch(/itself been merged into another/);
    // Nothing moved.
    expect(await mergedInto(dup)).toBeNull();
    const [row] = await t.db.sql<{ contact_id: string }[]>`
      select contact_id from cases where id = ${c.id}`;
    expect(row!.contact_id).toBe(dup);

    const again = await merge(other, dup);
    expect(again.statusCode).toBe(422);
    expect(again.json().error.code).toBe('contacts.already_merged');

    const unknown = await merge('00000000-0000-4000-8000-000000000001', keep);
    expect(unknown.statusCode).toBe(404);
  });

  it('is for managers only', async () => {
    const keep = await contact();
    const dup = await contact();
    const response = await merge(dup, keep, await apiToken(t.app, caseworker));
    expect(response.statusCode).toBe(403);
    expect(await mergedInto(dup)).toBeNull();
  });

  it('contacts merged into the duplicate follow it to the survivor', async () => {
    const first = await contact();
    const second = await contact();
    const third = await contact();
    expect((await merge(first, second)).statusCode).toBe(200);
    expect((await merge(second, third)).statusCode).toBe(200);
    expect(await mergedInto(first)).toBe(third);
    expect(await mergedInto(second)).toBe(third);
  });

  it('a case recorded against a merged contact chosen earlier goes to the survivor', async () => {
    const keep = await contact();
    const dup = await contact();
    expect((await merge(dup, keep)).statusCode).toBe(200);
    const created = await makeCase(t.app, caseworker, { contactId: dup });
    expect(created.contactId).toBe(keep);
  });
});

describe('the merge page', () => {
  it('suggests the likely duplicate, merges on submit and says so on the kept contact', async () => {
    const keep = await contact({ name: 'Robin Page', email: 'robin.page@example.org' });
    const dup = await contact({ name: 'Robin Page', email: 'robin.page@example.org' });
    await makeCase(t.app, caseworker, { contactId: dup });

    const page = await managerPage.get(`/contacts/${dup}/merge`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Which contact should be kept?');
    expect(page.body).toContain(`value="${keep}"`);
    expect(page.body).not.toContain(`name="into" type="radio" value="${dup}"`);
    expect(page.body).toContain('All 1 of this contact');

    const response = await managerPage.post(`/contacts/${dup}/merge`, { into: keep });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/contacts/${keep}?notice=merged`);
    const kept = await managerPage.get(response.headers.location as string);
    expect(kept.body).toContain('Contacts merged');
    expect(await mergedInto(dup)).toBe(keep);

    const merged = await managerPage.get(`/contacts/${dup}`);
    expect(merged.body).toContain('This contact was merged into');
    expect(merged.body).toContain(`href="/contacts/${keep}"`);
  });

  it('shows a 422 with the error summary for a merge into itself, keeping the typed ID', async () => {
    const dup = await contact({ name: 'Lone Contact' });
    const response = await managerPage.post(`/contacts/${dup}/merge`, { intoId: dup });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('href="#intoId"');
    expect(response.body).toContain('A contact cannot be merged into itself');
    expect(response.body).toContain(`value="${dup}"`);
    expect(await mergedInto(dup)).toBeNull();
  });

  it('is not shown to caseworkers', async () => {
    const dup = await contact();
    const session = await signInPage(t.app, caseworker);
    const response = await session.get(`/contacts/${dup}/merge`);
    expect([403, 404]).toContain(response.statusCode);
  });
});
