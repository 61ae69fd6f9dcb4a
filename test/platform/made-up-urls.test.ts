import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type PageSession } from '../helpers/auth.js';

/**
 * Every route with a path parameter, asked for (or posted to, with an empty form or body) with
 * a made-up value, and every GET route with nonsense in its query string, by everyone who may
 * reach its handler (nobody, a manager, an admin): the answer is a "not found", a refusal, a
 * field error or a redirect, never a 500. PostgreSQL refuses a malformed uuid with an error, so a handler
 * that passes a URL's id straight to a `uuid` column would answer 500.
 */
const t = useTestApp();

/** `METHOD /full/path` of every route, from Fastify's route tree. */
function routesOf(tree: string): { path: string; methods: string[] }[] {
  const stack: string[] = [];
  const routes: { path: string; methods: string[] }[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)(?:├── |└── )(\S+)(?: \(([^)]+)\))?/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    if (match[3]) routes.push({ path: stack.join(''), methods: match[3].split(', ') });
  }
  return routes;
}

let manager: PageSession;
let admin: PageSession;
let managerToken: string;
let adminToken: string;
beforeAll(async () => {
  const m = await t.user('manager');
  const a = await t.user('admin');
  manager = await signInPage(t.app, m);
  admin = await signInPage(t.app, a);
  managerToken = await apiToken(t.app, m);
  adminToken = await apiToken(t.app, a);
});

describe('made-up ids and nonsense in URLs', () => {
  it('never answer 500 to anyone, on any GET route with a parameter', async () => {
    const routes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter(
      (r) => r.methods.includes('GET') && r.path.includes(':'),
    );
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.map((r) => r.path)).toContain('/consultations/:id');
    const failures: string[] = [];
    for (const { path } of routes) {
      for (const made of ['not-an-id', '00000000-0000-4000-8000-000000000000', '1']) {
        const url = path.replace(/:[A-Za-z]+/g, made);
        const answers = path.startsWith('/api/')
          ? await Promise.all(
              [undefined, managerToken, adminToken].map((token) =>
                t.app.inject({ method: 'GET', url, headers: token ? bearer(token) : {} }),
              ),
            )
          : [
              await t.app.inject({ method: 'GET', url }),
              await manager.get(url),
              await admin.get(url),
            ];
        for (const [who, answer] of answers.entries())
          if (answer.statusCode >= 500)
            failures.push(`${url} as ${['nobody', 'manager', 'admin'][who]}: ${answer.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('never answer 500 to a write (empty form or body) on any route with a parameter', async () => {
    const writes = ['POST', 'PUT', 'PATCH', 'DELETE'];
    const routes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter(
      (r) => r.methods.some((m) => writes.includes(m)) && r.path.includes(':'),
    );
    expect(routes.length).toBeGreaterThan(40);
    const failures: string[] = [];
    for (const { path, methods } of routes) {
      for (const made of ['not-an-id', '00000000-0000-4000-8000-000000000000']) {
        const url = path.replace(/:[A-Za-z]+/g, made);
        for (const method of methods.filter((m) => writes.includes(m))) {
          const answers = path.startsWith('/api/')
            ? await Promise.all(
                [undefined, managerToken, adminToken].map((token) =>
                  t.app.inject({
                    method: method as 'POST',
                    url,
                    headers: token ? bearer(token) : {},
                    ...(method === 'DELETE' ? {} : { payload: {} }),
                  }),
                ),
              )
            : [
                await t.app.inject({ method: method as 'POST', url }),
                await manager.post(url, {}, '/casework/new'),
                await admin.post(url, {}, '/admin/users/new'),
              ];
          for (const [who, answer] of answers.entries())
            if (answer.statusCode >= 500)
              failures.push(
                `${method} ${url} as ${['nobody', 'manager', 'admin'][who]}: ${answer.statusCode}`,
              );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('never answer 500 to nonsense in the query string, on any GET route', async () => {
    const routes = routesOf(t.app.printRoutes({ commonPrefix: false })).filter((r) =>
      r.methods.includes('GET'),
    );
    expect(routes.length).toBeGreaterThan(100);
    // Wrong types, impossible dates, out-of-range numbers, a NUL byte, an object key.
    const nonsense = new URLSearchParams({
      page: 'abc',
      limit: '-5',
      offset: '-1',
      sort: 'zzz',
      cursor: '%%',
      from: '2026-13-45',
      to: 'x',
      view: 'nope',
      status: 'x',
      type: 'x',
      period: 'x',
      year: 'x',
      q: 'a\u0000b',
      notice: 'constructor',
      saved: '__proto__',
    }).toString();
    const failures: string[] = [];
    for (const { path } of routes) {
      const url = `${path.replace(/:[A-Za-z]+/g, 'x')}?${nonsense}`;
      const answers = path.startsWith('/api/')
        ? await Promise.all(
            [managerToken, adminToken].map((token) =>
              t.app.inject({ method: 'GET', url, headers: bearer(token) }),
            ),
          )
        : [
            await t.app.inject({ method: 'GET', url }),
            await manager.get(url),
            await admin.get(url),
          ];
      for (const answer of answers)
        if (answer.statusCode >= 500) failures.push(`${path}: ${answer.statusCode}`);
    }
    expect(failures).toEqual([]);
  });
});
