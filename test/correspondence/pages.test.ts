import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createUser, signInPage, type PageSession, type TestUser } from '../helpers/auth.js';
import { formatDate } from '../../server/lib/format.js';
import { actorOf, makeCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;
let page: PageSession;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  page = await t.page(caseworker);
});

const newCaseFields = {
  type: 'foi',
  channel: 'letter',
  'receivedAt-day': '20',
  'receivedAt-month': '11',
  'receivedAt-year': '2026',
  subject: 'Police drones',
  body: 'How many drones does the force own?',
  contactName: 'Dana Letter',
  contactEmail: 'dana@example.org',
};

describe('the triage queue', () => {
  it('shows Casework in the navigation and the views with their counts', async () => {
    await makeCase(t.app, caseworker, { subject: 'Queue visible case' });
    const response = await page.get('/casework');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('href="/casework"');
    expect(response.body).toMatch(/Unassigned \(\d+\)/);
    expect(response.body).toMatch(/Overdue \(\d+\)/);
    expect(response.body).toContain('moj-filter-layout');
    expect(response.body).toContain('Queue visible case');
    expect(response.body).toContain('aria-sort="ascending"');
  });

  it('keeps its filters in the URL and shows them as removable tags', async () => {
    const response = await page.get('/casework?view=all&type=foi&channel=letter&status=new');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Selected filters');
    // Removing the type filter keeps the others.
    expect(response.body).toContain('href="/casework?view=all&amp;status=new&amp;channel=letter"');
    // What the filter form itself submits: empty search and "Anyone".
    const submitted = await page.get('/casework?view=all&q=&assignee=&type=foi');
    expect(submitted.statusCode).toBe(200);
    expect(submitted.body).toContain('moj-filter__tag');
    const bad = await page.get('/casework?type=gossip');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toMatch(/at \w+ \(/); // no stack trace
  });

  it('is described in the OpenAPI document with its tags and bearer security', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const path of [
      '/api/cases',
      '/api/cases/{id}',
      '/api/cases/{id}/transitions',
      '/api/cases/{id}/notes',
      '/api/cases/bulk-assign',
    ])
      expect(doc.paths[path], path).toBeDefined();
    expect(doc.paths['/api/cases'].post.tags).toEqual(['cases']);
    expect(doc.paths['/api/cases'].post.security).toEqual([{ bearer: [] }]);
    expect(
      doc.paths['/api/cases'].post.requestBody.content['application/json'].schema
        .additionalProperties,
    ).toBe(false);
    for (const page of [
      '/casework',
      '/casework/new',
      '/casework/{id}',
      '/casework/export.csv',
      '/casework/bulk-assign',
    ])
      expect(doc.paths[page], page).toBeUndefined(); // pages are not the API
  });

  it('is for casework roles only', async () => {
    const admin = await createUser(t.app, 'admin');
    const adminPage = await signInPage(t.app, admin);
    expect((await adminPage.get('/casework')).statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: 'GET', url: '/casework' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('recording correspondence', () => {
  it('shows the GOV.UK error summary on bad input, keeping what was typed', async () => {
    const response = await page.post(
      '/casework/new',
      {
        ...newCaseFields,
        subject: '',
        'receivedAt-day': '31',
        'receivedAt-month': '2',
        contactEmail: 'not an email',
      },
      '/casework/new',
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('href="#subject"');
    expect(response.body).toContain('href="#receivedAt-day"');
    expect(response.body).toContain('href="#contact-email"');
    expect(response.body).toContain('How many drones does the force own?');
    expect(response.body).toContain('value="Dana Letter"');
    expect(response.body).toMatch(/<title>Error: /);
  });

  it('refuses a future date and an over-long subject with field errors, not a 500', async () => {
    const future = await page.post(
      '/casework/new',
      { ...newCaseFields, 'receivedAt-day': '24' },
      '/casework/new',
    );
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('today or in the past');
    const long = await page.post(
      '/casework/new',
      { ...newCaseFields, subject: 's'.repeat(201) },
      '/casework/new',
    );
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('href="#subject"');
    expect(long.body).toContain('Subject must be 200 characters or fewer');
    expect(long.body).toContain('s'.repeat(201));
    expect(long.body).toContain('How many drones does the force own?');
    const huge = await page.post(
      '/casework/new',
      { ...newCaseFields, subject: 's'.repeat(1001) },
      '/casework/new',
    );
    expect(huge.statusCode).toBe(400);
    expect(huge.body).toContain('href="#subject"');
    expect(huge.body).toContain('How many drones does the force own?');
  });

  it('saves a letter and opens its case page', async () => {
    const response = await page.post('/casework/new', newCaseFields, '/casework/new');
    expect(response.statusCode).toBe(303);
    const location = response.headers.location as string;
    expect(location).toMatch(/^\/casework\/[0-9a-f-]{36}\?notice=created$/);
    const casePage = await page.get(location);
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).toContain('Case recorded');
    expect(casePage.body).toContain('Police drones');
    expect(casePage.body).toContain('Dana Letter');
    expect(casePage.body).toContain('moj-timeline');
    expect(casePage.body).toMatch(/ by letter\s*</);
    const inPerson = await page.post(
      '/casework/new',
      { ...newCaseFields, channel: 'in_person', subject: 'Dropped in about drones' },
      '/casework/new',
    );
    const inPersonPage = await page.get(inPerson.headers.location as string);
    expect(inPersonPage.body).toMatch(/ in person\s*</);
    expect(inPersonPage.body).not.toContain('by in person');
    const [row] = await t.db.sql<{ next_due_on: string }[]>`
      select next_due_on::text from cases where id = ${location.slice(10, 46)}`;
    expect(row!.next_due_on).toMatch(/^2026-12-\d{2}$/);
    expect(casePage.body).toContain(formatDate(row!.next_due_on)); // the deadline panel
  });

  it('refuses a form without its CSRF token', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/casework/new',
      headers: { cookie: page.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(newCaseFields).toString(),
    });
    expect(response.statusCode).toBe(403);
  });
});

describe('the case page', () => {
  it('renders a stored <script> in the subject and body escaped', async () => {
    const c = await makeCase(t.app, caseworker, {
      subject: '<script>alert("x")</script>',
      body: 'Hello <img src=x onerror=alert(1)>',
      contact: { name: '<b>Bold</b> Name' },
    });
    await t.app.services.correspondence.addNote(actorOf(caseworker), c.id, {
      body: '<script>note()</script>',
    });
    const response = await page.get(`/casework/${c.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.body).not.toContain('<script>alert');
    expect(response.body).not.toContain('<script>note');
    expect(response.body).not.toContain('<img src=x');
    expect(response.body).not.toContain('<b>Bold</b>');
    expect(response.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(response.body).toContain('&lt;script&gt;note()&lt;/script&gt;');
    const queue = await page.get('/casework?view=all');
    expect(queue.body).not.toContain('<script>alert');
  });

  it('offers only the allowed moves, and changes status through the form', async () => {
    const c = await makeCase(t.app, caseworker);
    const before = await page.get(`/casework/${c.id}`);
    expect(before.body).toContain('name="to" type="radio" value="open"');
    expect(before.body).toContain('name="to" type="radio" value="closed"');
    expect(before.body).not.toContain('value="responded"');
    const noOutcome = await page.post(
      `/casework/${c.id}/transition`,
      { version: '1', to: 'closed' },
      `/casework/${c.id}`,
    );
    expect(noOutcome.statusCode).toBe(400);
    expect(noOutcome.body).toContain('href="#outcome"');
    const done = await page.post(
      `/casework/${c.id}/transition`,
      { version: '1', to: 'open' },
      `/casework/${c.id}`,
    );
    expect(done.statusCode).toBe(303);
    const stale = await page.post(
      `/casework/${c.id}/transition`,
      { version: '1', to: 'closed', outcome: 'spam' },
      `/casework/${c.id}`,
    );
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('This case has changed since you loaded it');
    const invalid = await page.post(
      `/casework/${c.id}/transition`,
      { version: '2', to: 'new' },
      `/casework/${c.id}`,
    );
    expect(invalid.statusCode).toBe(422);
    expect(invalid.body).toContain('govuk-error-summary');
  });

  it('adds notes and takes the case through the forms, each once on the timeline', async () => {
    const c = await makeCase(t.app, caseworker);
    const empty = await page.post(`/casework/${c.id}/notes`, { body: '   ' }, `/casework/${c.id}`);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#body"');
    const note = await page.post(
      `/casework/${c.id}/notes`,
      { body: 'Spoke to the requester.' },
      `/casework/${c.id}`,
    );
    expect(note.statusCode).toBe(303);
    const took = await page.post(
      `/casework/${c.id}/assign`,
      { version: '1', assigneeId: caseworker.id },
      `/casework/${c.id}`,
    );
    expect(took.statusCode).toBe(303);
    const detail = await t.app.services.correspondence.get(actorOf(manager), c.id);
    expect(detail.assignee?.id).toBe(caseworker.id);
    expect(detail.timeline.map((e) => e.kind)).toEqual(['created', 'note_added', 'assigned']);
    expect(detail.timeline.every((e) => e.actor?.id === caseworker.id)).toBe(true);
    const shown = await page.get(`/casework/${c.id}`);
    expect(shown.body).toContain('Spoke to the requester.');
    expect(shown.body).toContain(`Assigned to ${caseworker.name}`);
  });

  it('is a 404 page for an unknown case', async () => {
    const missing = await page.get('/casework/00000000-0000-4000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Page not found');
    expect((await page.get('/casework/not-a-case')).statusCode).toBe(404);
  });
});
