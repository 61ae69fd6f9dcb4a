/**
 * A manager's team view on the staff home (issue #15 item 3): each caseworker's open cases,
 * those due in 5 working days and those overdue (a missed acknowledgement counts, as
 * everywhere), Unassigned last, each linking to the queue. Caseworkers do not get it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { signInPage, type TestUser } from '../helpers/auth.js';
import { makeCase } from '../correspondence/fixtures.js';

const t = useTestApp(); // Monday 23 November 2026
let alex: TestUser;
let bea: TestUser;
let manager: TestUser;

beforeAll(async () => {
  alex = await t.user('caseworker', { name: 'Alex Able' });
  bea = await t.user('caseworker', { name: 'Bea Bright' });
  manager = await t.user('manager', { name: 'Morgan Manager' });
  const acknowledged = (n: number) => ({
    channel: 'email' as const,
    contact: { name: `Writer ${n}`, email: `writer${n}@example.org` },
  });
  // Alex: one long overdue (due 29 October), one due 30 November (within 5 working days),
  // one acknowledged and due 18 December.
  await makeCase(t.app, alex, { receivedAt: '2026-10-01T09:00:00Z', assigneeId: alex.id });
  await makeCase(t.app, alex, {
    receivedAt: '2026-11-02T09:00:00Z',
    assigneeId: alex.id,
    ...acknowledged(1),
  });
  await makeCase(t.app, alex, {
    receivedAt: '2026-11-20T09:00:00Z',
    assigneeId: alex.id,
    ...acknowledged(2),
  });
  // Bea: response not due until 30 November, but never acknowledged (target 4 November).
  await makeCase(t.app, bea, { receivedAt: '2026-11-02T09:00:00Z', assigneeId: bea.id });
  // Nobody's yet.
  await makeCase(t.app, bea, { receivedAt: '2026-11-20T09:00:00Z', ...acknowledged(3) });
});

/** The team table's cells for one row, as text. */
function row(html: string, assignee: string): string[] {
  const start = html.indexOf(`data-assignee="${assignee}"`);
  expect(start).toBeGreaterThan(-1);
  const tr = html.slice(start, html.indexOf('</tr>', start));
  return [...tr.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) =>
    m[1]!
      .replace(/<span class="govuk-visually-hidden">[^<]*<\/span>/g, '')
      .replace(/<[^>]+>/g, '')
      .trim(),
  );
}

describe("a manager's team view", () => {
  it("shows each caseworker's open, due soon and overdue cases, then Unassigned", async () => {
    const page = await signInPage(t.app, manager);
    const response = await page.get('/staff');
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html).toContain("Your team's casework");
    expect(row(html, alex.id)).toEqual(['Alex Able', '3', '1', '1', '1 October 2026']);
    expect(row(html, bea.id)).toEqual(['Bea Bright', '1', '1', '1', '2 November 2026']);
    expect(row(html, 'none')).toEqual(['Unassigned', '1', '0', '0', '20 November 2026']);
    expect(html.indexOf('data-assignee="none"')).toBeGreaterThan(html.indexOf(bea.id));
    // Each links to that person's cases in the queue, and the overdue count to the Overdue view.
    expect(html).toContain(`href="/casework?view=all-open&amp;assignee=${alex.id}"`);
    expect(html).toContain(`href="/casework?view=overdue&amp;assignee=${bea.id}"`);
    expect(html).toContain('href="/casework?view=all-open&amp;assignee=none"');
    const overdue = await page.get(`/casework?view=overdue&assignee=${bea.id}`);
    expect(overdue.statusCode).toBe(200);
    expect(overdue.body).toContain('Acknowledgement overdue by 19 days');
  });

  it('is not shown to a caseworker', async () => {
    const page = await signInPage(t.app, alex);
    const html = (await page.get('/staff')).body;
    expect(html).not.toContain("Your team's casework");
  });
});
