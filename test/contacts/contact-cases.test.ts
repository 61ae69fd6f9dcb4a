import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { signInPage, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from '../correspondence/fixtures.js';
import { insertContact } from './fixtures.js';

const t = useTestApp();
let manager: TestUser;
let caseworker: TestUser;

beforeAll(async () => {
  manager = await t.user('manager');
  caseworker = await t.user('caseworker');
});

describe("a contact's page", () => {
  it('lists and links the cases naming the contact, newest first, restricted ones marked', async () => {
    const id = await insertContact(t.db.sql, { name: 'Morgan Many', email: 'morgan@example.org' });
    const older = await makeCase(t.app, caseworker, {
      contactId: id,
      subject: 'Speeding on Mill Road',
      receivedAt: '2026-10-01T09:00:00Z',
    });
    const newer = await makeCase(t.app, caseworker, {
      type: 'foi',
      contactId: id,
      subject: 'Number of officers',
      receivedAt: '2026-11-02T09:00:00Z',
    });
    await t.app.services.correspondence.setRestricted(actorOf(manager), newer.id, {
      restricted: true,
      version: 1,
    });
    const someoneElse = await makeCase(t.app, caseworker, { subject: 'Not theirs' });

    const session = await signInPage(t.app, manager);
    const page = await session.get(`/contacts/${id}`);
    expect(page.statusCode).toBe(200);
    const table = /<table class="govuk-table" id="cases">([\s\S]*?)<\/table>/.exec(page.body)?.[1];
    expect(table).toBeDefined();
    expect(table).toContain(
      `<a class="govuk-link" href="/casework/${older.id}">${older.reference}</a>`,
    );
    expect(table).toContain(
      `<a class="govuk-link" href="/casework/${newer.id}">${newer.reference}</a>`,
    );
    expect(table!.indexOf(newer.reference)).toBeLessThan(table!.indexOf(older.reference));
    expect(table).toContain('Freedom of information request');
    expect(table).toContain('1 October 2026');
    expect(table).toContain('Restricted');
    expect(table).not.toContain(someoneElse.reference);
  });
});
