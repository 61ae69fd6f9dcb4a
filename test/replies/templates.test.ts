import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, signInPage, type TestUser } from '../helpers/auth.js';
import { SEEDED } from './fixtures.js';

const t = useTestApp();
let admin: TestUser;
let caseworker: TestUser;
let adminToken: string;
let cwToken: string;

beforeAll(async () => {
  admin = await t.user('admin');
  caseworker = await t.user('caseworker');
  adminToken = await t.token(admin);
  cwToken = await t.token(caseworker);
});

const create = (payload: Record<string, unknown>, token = adminToken) =>
  t.app.inject({ method: 'POST', url: '/api/templates', headers: bearer(token), payload });

const valid = {
  name: 'Holding reply',
  purpose: 'holding',
  caseTypes: ['foi', 'eir'],
  subject: 'Your request {{ reference }}',
  body: 'Dear {{ contact.salutation }},\n\nWe need a little longer.{% if extendedDueDate %} We will reply by {{ extendedDueDate }}.{% endif %}\n\n{{ caseworker.name }}',
};

describe('reply templates', () => {
  it('refuses a template with an unknown merge field, naming it in a field error', async () => {
    const response = await create({ ...valid, body: 'Dear {{ contact.name }}, {{ reference }}' });
    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.code).toBe('validation');
    expect(error.fields.body).toContain('{{ contact.name }} is not a merge field');
    expect(error.fields.subject).toBeUndefined();
  });

  it('refuses filters, calls, includes and unknown names in the subject too', async () => {
    for (const [field, text] of [
      ['body', 'Hello {{ reference | upper }}'],
      ['body', '{% include "layout.njk" %}'],
      ['body', '{{ range(3) }}'],
      ['body', '{% set x = reference %}{{ x }}'],
      ['body', '{{ constructor.constructor("return process")() }}'],
      ['body', 'Unclosed {{ reference'],
      ['subject', 'Re {{ case.subject }}'],
    ] as const) {
      const response = await create({ ...valid, [field]: text });
      expect(response.statusCode, text).toBe(400);
      expect(response.json().error.fields[field], text).toBeTruthy();
    }
    const rows = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from reply_templates where name = 'Holding reply'`;
    expect(rows[0]!.n).toBe(0);
  });

  it('only admins write templates; staff may list them', async () => {
    expect((await create(valid, cwToken)).statusCode).toBe(403);
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/templates?caseType=sar',
      headers: bearer(cwToken),
    });
    expect(list.statusCode).toBe(200);
    const ids = list.json().items.map((i: { id: string }) => i.id);
    expect(ids).toContain(SEEDED.sar);
    expect(ids).toContain(SEEDED.acknowledgement); // offered for every type
    expect(ids).not.toContain(SEEDED.foi);
  });

  it('saves edits as new versions; a saved version never changes', async () => {
    const first = await create(valid);
    expect(first.statusCode).toBe(201);
    const v1 = first.json();
    expect(v1.version).toBe(1);

    const edit = await t.app.inject({
      method: 'PUT',
      url: `/api/templates/${v1.familyId}`,
      headers: bearer(adminToken),
      payload: { ...valid, body: `${valid.body}\n\n{{ office.name }}`, version: 1 },
    });
    expect(edit.statusCode).toBe(201);
    const v2 = edit.json();
    expect(v2).toMatchObject({ familyId: v1.familyId, version: 2 });
    expect(v2.id).not.toBe(v1.id);

    // Editing from a stale version is a conflict, not a silent overwrite.
    const stale = await t.app.inject({
      method: 'PUT',
      url: `/api/templates/${v1.familyId}`,
      headers: bearer(adminToken),
      payload: { ...valid, version: 1 },
    });
    expect(stale.statusCode).toBe(409);

    const again = await t.app.inject({
      method: 'GET',
      url: `/api/templates/${v1.id}`,
      headers: bearer(cwToken),
    });
    expect(again.json().body).toBe(valid.body);
    await expect(
      t.db.sql`update reply_templates set body = 'changed' where id = ${v1.id}`,
    ).rejects.toThrow(/immutable/);
    await expect(t.db.sql`delete from reply_templates where id = ${v1.id}`).rejects.toThrow(
      /immutable/,
    );

    const list = await t.app.inject({
      method: 'GET',
      url: '/api/templates?caseType=foi',
      headers: bearer(cwToken),
    });
    const mine = list.json().items.filter((i: { familyId: string }) => i.familyId === v1.familyId);
    expect(mine.map((i: { version: number }) => i.version)).toEqual([2]);
  });

  it('admin pages list, create (with field errors) and edit templates', async () => {
    const session = await signInPage(t.app, admin);
    const list = await session.get('/admin/templates');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Freedom of information response');
    expect(list.body).toContain('href="/admin/templates"');

    const refused = await session.post(
      '/admin/templates',
      { name: 'Bad', purpose: 'general', subject: 'Hello', body: 'Hi {{ requester.email }}' },
      '/admin/templates/new',
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toContain('{{ requester.email }} is not a merge field');
    expect(refused.body).toContain('Hi {{ requester.email }}'); // what was typed is kept

    const saved = await session.post(
      '/admin/templates',
      {
        name: 'Compliment thanks',
        purpose: 'general',
        caseTypes: 'compliment',
        subject: 'Thank you',
        body: 'Dear {{ contact.salutation }}, thank you.',
      },
      '/admin/templates/new',
    );
    expect(saved.statusCode).toBe(303);
    const familyUrl = saved.headers.location!.split('?')[0]!;
    const edited = await session.post(
      familyUrl,
      {
        name: 'Compliment thanks',
        purpose: 'general',
        caseTypes: ['compliment', 'general'],
        subject: 'Thank you',
        body: 'Dear {{ contact.salutation }}, thank you very much.',
        version: '1',
      },
      familyUrl,
    );
    expect(edited.statusCode).toBe(303);
    const page = await session.get(familyUrl);
    expect(page.body).toContain('Version 2');
    expect(page.body).toContain('Version 1');

    // Caseworkers cannot reach the admin pages.
    const cw = await signInPage(t.app, caseworker);
    expect((await cw.get('/admin/templates')).statusCode).toBe(403);
  });
});
