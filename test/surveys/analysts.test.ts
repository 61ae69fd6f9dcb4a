import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, reauthenticate, type TestUser } from '../helpers/auth.js';
import { createSurvey, respond } from './helpers.js';

/**
 * §2, §8: equality (special category) results, cross-tabs and export for survey analysts
 * only; an admin grants and revokes (audited); everyone else's results leave them out.
 */
const t = useTestApp();
let surveyId: string;
let manager: TestUser;
let managerToken: string;
let adminToken: string;
beforeAll(async () => {
  manager = await t.user('manager');
  managerToken = await t.token(manager);
  adminToken = await t.token(await t.user('admin'));
  surveyId = await createSurvey(t, managerToken);
  for (const age of ['25_34', '25_34', '65_plus'])
    expect(
      (
        await respond(t, surveyId, {
          answers: { contact: 'phone', area: 'fenland', equality_age: age },
        })
      ).statusCode,
    ).toBe(201);
});

const get = (url: string, token = managerToken) =>
  t.app.inject({ method: 'GET', url, headers: bearer(token) });
const grant = (userId: string, method: 'PUT' | 'DELETE' = 'PUT', token = adminToken) =>
  t.app.inject({ method, url: `/api/surveys/analysts/${userId}`, headers: bearer(token) });

describe('survey analysts and equality data', () => {
  it('a manager who is not an analyst: results without equality questions; equality endpoints 403', async () => {
    const plain = await get(`/api/surveys/${surveyId}/results`);
    expect(plain.statusCode).toBe(200);
    const keys = plain.json<{ questions: Array<{ key: string }> }>().questions.map((q) => q.key);
    expect(keys).not.toContain('equality_age');
    const csv = await get(`/api/surveys/${surveyId}/responses.csv`);
    expect(csv.body.split('\r\n')[0]).not.toMatch(/equality/);
    // The raw export needs re-authentication first (docs/rules/security.md §1 "R"); then analysts only.
    await reauthenticate(t.app, managerToken, manager);
    for (const url of [
      `/api/surveys/${surveyId}/equality-results`,
      `/api/surveys/${surveyId}/equality-responses.csv`,
      `/api/surveys/${surveyId}/equality-crosstab?question=equality_age&by=area`,
    ]) {
      const refused = await get(url);
      expect(refused.statusCode, url).toBe(403);
      expect(refused.json()).toMatchObject({ error: { code: 'surveys.analysts_only' } });
    }
  });

  it('only an admin grants, and only to a manager', async () => {
    expect((await grant(manager.id, 'PUT', managerToken)).statusCode).toBe(403);
    const caseworker = await t.user('caseworker');
    const wrong = await grant(caseworker.id);
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({ error: { code: 'surveys.analyst_not_manager' } });
    expect((await grant(manager.id)).statusCode).toBe(204);
    const [audit] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from audit_events where action = 'survey.analyst_granted'`;
    expect(audit!.n).toBe(1);
  });

  it('an analyst sees equality results, cross-tabs and export', async () => {
    const results = await get(`/api/surveys/${surveyId}/equality-results`);
    expect(results.statusCode).toBe(200);
    const age = results
      .json<{ questions: Array<{ key: string; options: Array<{ key: string; count: number }> }> }>()
      .questions.find((q) => q.key === 'equality_age')!;
    expect(age.options.find((o) => o.key === '25_34')!.count).toBe(2);
    const cross = await get(
      `/api/surveys/${surveyId}/equality-crosstab?question=equality_age&by=area`,
    );
    expect(cross.statusCode).toBe(200);
    await reauthenticate(t.app, managerToken, manager);
    const csv = await get(`/api/surveys/${surveyId}/equality-responses.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n')[0]).toMatch(/equality_age/);
  });

  it('revoked: 403 again', async () => {
    expect((await grant(manager.id, 'DELETE')).statusCode).toBe(204);
    expect((await get(`/api/surveys/${surveyId}/equality-results`)).statusCode).toBe(403);
  });
});
