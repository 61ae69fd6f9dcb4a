import { beforeAll, expect } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { useTestApp, type FixtureOptions } from '../helpers/fixture.js';
import { apiToken, bearer, createUser, type TestUser } from '../helpers/auth.js';

export interface Team {
  caseworker: TestUser;
  manager: TestUser;
  outsider: TestUser;
  cw: string;
  mgr: string;
  out: string;
}

/** A caseworker and a manager on the access lists of what they create, and an outsider. */
export async function team(t: TestApp): Promise<Team> {
  const caseworker = await createUser(t.app, 'caseworker');
  const manager = await createUser(t.app, 'manager');
  const outsider = await createUser(t.app, 'caseworker');
  return {
    caseworker,
    manager,
    outsider,
    cw: await apiToken(t.app, caseworker),
    mgr: await apiToken(t.app, manager),
    out: await apiToken(t.app, outsider),
  };
}

/**
 * The shared test app (test/helpers/fixture.ts) with this file's team and complaints API:
 * `const { t, u, a } = useComplaintsApp()`; `u` is filled in before the file's tests.
 */
export function useComplaintsApp(options?: FixtureOptions) {
  const t = useTestApp(options);
  const u = {} as Team;
  beforeAll(async () => {
    Object.assign(u, await team(t));
  });
  return { t, u, a: api(t) };
}

export function api(t: TestApp) {
  const call = async (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH',
    url: string,
    token: string,
    payload?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers: bearer(token),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    call,
    create: async (token: string, body: Record<string, unknown> = {}) => {
      const response = await call('POST', '/api/complaints', token, {
        receivedAt: '2026-11-02',
        complainant: { name: 'Alex Complainant', email: 'alex@example.org', phone: '07700 900123' },
        summary: 'The Chief Constable was rude at a public meeting',
        allegations: [
          {
            category: 'individual_behaviours',
            description: 'Rude at the public meeting on 1 November',
          },
        ],
        ...body,
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json<{ id: string; reference: string; status: string }>();
    },
    move: (token: string, id: string, body: Record<string, unknown>) =>
      call('POST', `/api/complaints/${id}/transitions`, token, body),
    get: async (token: string, id: string) => {
      const response = await call('GET', `/api/complaints/${id}`, token);
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    },
    letter: (token: string, id: string, body: Record<string, unknown>) =>
      call('POST', `/api/complaints/${id}/letters`, token, body),
    contact: (token: string, id: string, body: Record<string, unknown>) =>
      call('POST', `/api/complaints/${id}/contacts`, token, body),
    grant: (token: string, id: string, userId: string) =>
      call('POST', `/api/complaints/${id}/access`, token, { userId }),
  };
}

/** Row counts a refused request must leave unchanged (§6.1: no event, timer, letter, outbox row). */
export async function footprint(t: TestApp, id: string) {
  const [row] = await t.db.sql<Record<string, number | string>[]>`
    select (select status from complaints where id = ${id}) as status,
           (select version from complaints where id = ${id}) as version,
           (select count(*)::int from complaint_transitions where complaint_id = ${id}) as transitions,
           (select count(*)::int from case_deadlines where subject_id = ${id}) as timers,
           (select count(*)::int from complaint_contacts where complaint_id = ${id}) as contacts,
           (select count(*)::int from outbox) as outbox,
           (select count(*)::int from email_messages) as emails`;
  return row!;
}
