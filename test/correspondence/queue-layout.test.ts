import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { signInPage, type TestUser } from '../helpers/auth.js';
import { makeCase } from './fixtures.js';

// The queue as a caseworker reads it: how many there are, numbered pages, the bulk actions
// above the list, how long each case has left, and "Take" on a row.

const t = useTestApp(); // Monday 23 November 2026
let caseworker: TestUser;
let colleague: TestUser;

beforeAll(async () => {
  caseworker = await t.user('caseworker', { name: 'Casey Worker' });
  colleague = await t.user('caseworker', { name: 'Colin Colleague' });
  for (let i = 0; i < 53; i += 1)
    await makeCase(t.app, colleague, {
      subject: `Routine enquiry ${i}`,
      receivedAt: '2026-11-20T09:00:00Z',
      assigneeId: colleague.id,
    });
});

describe('the queue page', () => {
  it('shows the total and numbered pages, with the bulk actions above the list', async () => {
    const overdue = await makeCase(t.app, caseworker, {
      subject: 'Old letter',
      receivedAt: '2026-10-01T09:00:00Z',
    });
    const session = await signInPage(t.app, caseworker);
    const first = await session.get('/casework?view=all');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Showing 1 to 50 of 54 cases');
    expect(first.body).toMatch(
      /<a class="govuk-link govuk-pagination__link" href="\/casework\?view=all&amp;page=2"[^>]*>\s*2\s*<\/a>/,
    );
    expect(first.body.indexOf('Assign the selected cases to')).toBeLessThan(
      first.body.indexOf('id="cases"'),
    );
    // Days left or overdue on each row; dates short enough not to wrap.
    expect(first.body).toContain('Overdue by 25 days'); // due 29 October
    expect(first.body).toContain('25 days left'); // received 20 November: due 18 December
    expect(first.body).toContain('18 Dec 2026');
    expect(first.body).toContain(`>${overdue.reference}</a>`);

    const second = await session.get('/casework?view=all&page=2');
    expect(second.statusCode).toBe(200);
    expect(second.body).toContain('Showing 51 to 54 of 54 cases');
    expect(second.body).toMatch(/aria-current="page"[^>]*>\s*2\s*</);
    const rows = (html: string) =>
      [...html.matchAll(/name="cases" type="checkbox" value="([^:]+):/g)].map((m) => m[1]);
    const onBoth = rows(first.body).filter((id) => rows(second.body).includes(id));
    expect(rows(second.body)).toHaveLength(4);
    expect(onBoth).toEqual([]);
  });

  it('lets a caseworker take a case from the list', async () => {
    const unassigned = await makeCase(t.app, caseworker, { subject: 'Nobody has this yet' });
    const session = await signInPage(t.app, caseworker);
    const page = await session.get('/casework?view=unassigned');
    expect(page.body).toContain(`name="take" value="${unassigned.id}:1"`);
    const taken = await session.post(
      '/casework/take',
      { take: `${unassigned.id}:1`, returnTo: '/casework?view=unassigned' },
      '/casework?view=unassigned',
    );
    expect(taken.statusCode).toBe(303);
    expect(taken.headers.location).toBe('/casework?view=unassigned&assigned=1');
    const [row] = await t.db.sql<{ assignee_id: string }[]>`
      select assignee_id from cases where id = ${unassigned.id}`;
    expect(row!.assignee_id).toBe(caseworker.id);
    // Taking it again from a stale page is refused by the version check, naming the case.
    const stale = await session.post(
      '/casework/take',
      { take: `${unassigned.id}:1`, returnTo: '/casework?view=unassigned' },
      '/casework?view=all',
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain(unassigned.reference);
    // My own cases offer no "Take".
    const mine = await session.get('/casework?view=mine');
    expect(mine.body).not.toContain(`name="take" value="${unassigned.id}:`);
  });
});
