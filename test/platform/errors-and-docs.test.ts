import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createUser, signInPage } from '../helpers/auth.js';

const t = useTestApp({
  extend: (app) => {
    app.get('/api/test-explode', { config: { public: true } }, async () => {
      throw new Error('secret internals: password=hunter2 at db.query');
    });
    app.get('/test-explode', { config: { public: true } }, async () => {
      throw new Error('secret internals: password=hunter2 at db.query');
    });
  },
});

describe('errors', () => {
  it('security checklist 28: forced exception gives a generic 500 with requestId (API, no stack)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/test-explode' });
    expect(response.statusCode).toBe(500);
    const body = response.json();
    expect(body.error.code).toBe('internal');
    expect(body.error.requestId).toBe(response.headers['request-id'] ?? body.error.requestId);
    expect(response.body).not.toContain('hunter2');
    expect(response.body).not.toMatch(/at \w+ \(/);
  });

  it('and a GOV.UK error page quoting the correlation id on pages', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test-explode' });
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('Sorry, there is a problem with the service');
    expect(response.body).toMatch(/quote reference <strong>[0-9a-f-]{36}<\/strong>/);
    expect(response.body).not.toContain('hunter2');
  });
});

describe('API description', () => {
  it('publishes OpenAPI generated from the route schemas, and a browsable reference', async () => {
    const spec = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(spec.statusCode).toBe(200);
    const doc = spec.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/auth/token',
        '/api/auth/logout',
        '/api/users',
        '/healthz',
        '/readyz',
      ]),
    );
    expect(
      doc.paths['/api/users'].post.requestBody.content['application/json'].schema.required,
    ).toEqual(expect.arrayContaining(['email', 'name', 'role']));
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('describes the JSON API only: HTML pages stay out of the document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    // Health checks are JSON for load balancers and monitors, documented on purpose; this
    // file's own /test-explode is not a page of the app.
    const outsideApi = Object.keys(doc.paths).filter(
      (path) => !path.startsWith('/api/') && path !== '/test-explode',
    );
    expect(outsideApi.sort()).toEqual(['/healthz', '/readyz']);
  });
});

describe('queue dashboard', () => {
  it('shows admins the job counts per queue and the outbox backlog', async () => {
    const admin = await createUser(t.app, 'admin');
    await t.db.db.transaction((tx) =>
      t.app.services.mail.queue(tx, { to: 'a@example.org', subject: 'Waiting', text: 'x' }),
    );
    const session = await signInPage(t.app, admin);
    const page = await session.get('/admin/queues');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/Work waiting to be handed to a queue: <strong>1<\/strong>/);
    await t.relay();
    const after = await session.get('/admin/queues');
    expect(after.body).toMatch(/Work waiting to be handed to a queue: <strong>0<\/strong>/);
    expect(after.body).toMatch(
      /Sending email<br><span[^>]*>email<\/span><\/th>\s*<td class="govuk-table__cell govuk-table__cell--numeric">1<\/td>/,
    );
  });

  it('names queues in words and lets an admin retry failed jobs, one or all', async () => {
    const admin = await createUser(t.app, 'admin');
    const session = await signInPage(t.app, admin);
    expect((await session.get('/admin/queues')).body).toContain('Virus checks of uploaded files');

    // Three jobs that fail once each, on a worker that throws.
    const queue = t.queues.queue('holiday-refresh');
    for (const id of ['hr-a', 'hr-b', 'hr-c'])
      await queue.add('holiday-refresh', {}, { jobId: id, attempts: 1 });
    const worker = t.queues.worker('holiday-refresh', () => {
      throw new Error('GOV.UK did not answer');
    });
    await expect.poll(() => queue.getJobCountByTypes('failed'), { timeout: 20_000 }).toBe(3);
    await worker.close();

    const page = await session.get('/admin/queues');
    expect(page.body).toContain('Failed: Updating bank holidays from GOV.UK');
    expect(page.body).toContain('GOV.UK did not answer');
    expect(page.body).toContain('action="/admin/queues/holiday-refresh/jobs/hr-a/retry"');

    const one = await session.post(
      '/admin/queues/holiday-refresh/jobs/hr-a/retry',
      {},
      '/admin/queues',
    );
    expect(one.statusCode).toBe(303);
    expect(one.headers.location).toBe('/admin/queues?retried=1');
    expect(await queue.getJobCountByTypes('failed')).toBe(2);
    expect(await (await queue.getJob('hr-a'))!.getState()).toBe('waiting');
    // Retrying it again (a second click) changes nothing.
    const again = await session.post(
      '/admin/queues/holiday-refresh/jobs/hr-a/retry',
      {},
      '/admin/queues',
    );
    expect(again.headers.location).toBe('/admin/queues?retried=0');

    const all = await session.post('/admin/queues/holiday-refresh/retry', {}, '/admin/queues');
    expect(all.headers.location).toBe('/admin/queues?retried=2');
    expect(await queue.getJobCountByTypes('failed')).toBe(0);
    expect(await queue.getJobCountByTypes('waiting')).toBe(3);
    expect((await session.get('/admin/queues?retried=2')).body).toContain(
      '2 failed jobs sent back to the queue to run again',
    );
    expect(
      (await session.post('/admin/queues/nothing/retry', {}, '/admin/emails')).statusCode,
    ).toBe(404);
  });

  it('lists the development mailbox in the admin navigation', async () => {
    const admin = await createUser(t.app, 'admin');
    const session = await signInPage(t.app, admin);
    const page = await session.get('/admin/users');
    expect(page.body).toMatch(
      /<a class="govuk-service-navigation__link" href="\/admin\/mailbox"[^>]*>\s*Mailbox/,
    );
  });
});
