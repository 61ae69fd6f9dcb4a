import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer } from '../helpers/auth.js';
import { countRows, createSurvey, managerToken, respond } from './helpers.js';

const t = useTestApp();
let token: string;
let surveyId: string;
beforeAll(async () => {
  token = await managerToken(t);
  surveyId = await createSurvey(t, token);
});

const valid = {
  crimes: ['burglary', 'asb'],
  contact: 'phone',
  order: ['justice', 'visible'],
  trust: 'agree',
  area: 'fenland',
  comments: 'More patrols please',
};

async function expectRefused(answers: Record<string, unknown>, question: string, text: RegExp) {
  const before = await countRows(t, 'survey_responses', surveyId);
  const beforeAnswers = await countRows(t, 'survey_answers', surveyId);
  const response = await respond(t, surveyId, { answers });
  expect(response.statusCode).toBe(400);
  const body = response.json<{ error: { code: string; fields: Record<string, string> } }>();
  expect(body.error.fields[question]).toMatch(text);
  expect(await countRows(t, 'survey_responses', surveyId)).toBe(before);
  expect(await countRows(t, 'survey_answers', surveyId)).toBe(beforeAnswers);
}

describe('POST /api/public/surveys/:id/responses', () => {
  it('stores a valid anonymous response: 201, a row per option, ranks, no invitation or time', async () => {
    const response = await respond(t, surveyId, { answers: valid });
    expect(response.statusCode).toBe(201);
    const rows = await t.db.sql<
      { invitation_id: string | null; submitted_at: Date | null; channel: string }[]
    >`
      select invitation_id, submitted_at, channel from survey_responses where survey_id = ${surveyId}`;
    expect(rows).toEqual([{ invitation_id: null, submitted_at: null, channel: 'link' }]);
    const ranks = await t.db.sql<{ key: string; rank: number }[]>`
      select o.key, a.rank from survey_answers a join survey_options o on o.id = a.option_id
      where a.rank is not null order by a.rank`;
    expect(ranks).toEqual([
      { key: 'justice', rank: 1 },
      { key: 'visible', rank: 2 },
    ]);
    expect(await countRows(t, 'survey_answers', surveyId)).toBe(8);
  });

  it('refuses a choice over the maximum with 400 naming the question; nothing stored', async () => {
    await expectRefused(
      { ...valid, crimes: ['burglary', 'asb', 'roads', 'cyber'] },
      'crimes',
      /up to 3/,
    );
  });

  it('refuses an unknown option with 400 naming the question; nothing stored', async () => {
    await expectRefused({ ...valid, contact: 'pigeon' }, 'contact', /"pigeon" is not an option/);
  });

  it('refuses a missing required answer with 400 naming the question; nothing stored', async () => {
    const { contact: _omitted, ...rest } = valid;
    await expectRefused(rest, 'contact', /Answer "How would you contact the police\?"/);
  });

  it('refuses "None of these" with another option (exclusive)', async () => {
    await expectRefused({ ...valid, crimes: ['none', 'burglary'] }, 'crimes', /not both/);
  });

  it('refuses an answer to a question that does not exist', async () => {
    await expectRefused({ ...valid, shoe_size: '9' }, 'shoe_size', /not a question/);
  });

  it('refuses a ranking naming one option twice, and a ranking longer than K', async () => {
    await expectRefused({ ...valid, order: ['justice', 'justice'] }, 'order', /once/);
    await expectRefused({ ...valid, order: ['justice', 'visible', 'roads'] }, 'order', /up to 2/);
  });

  it('refuses text over 2,000 characters and strips control characters', async () => {
    await expectRefused({ ...valid, comments: 'x'.repeat(2001) }, 'comments', /2,000 characters/);
    const ok = await respond(t, surveyId, { answers: { ...valid, comments: 'a\u0000b\u0007c' } });
    expect(ok.statusCode).toBe(201);
    const [row] = await t.db.sql<{ text: string }[]>`
      select a.text from survey_answers a where a.text like 'a%c'`;
    expect(row!.text).toBe('abc');
  });

  it('answers 422 after the close date, and 422 before it opens', async () => {
    const later = await createSurvey(t, token, { closesAt: '2026-11-30T12:00:00Z' });
    t.clock.set('2026-11-30T12:00:00Z');
    try {
      const response = await respond(t, later, { answers: valid });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.code).toBe('surveys.closed');
    } finally {
      t.clock.set('2026-11-23T10:00:00Z');
    }
    const future = await createSurvey(t, token, { opensAt: '2026-12-01T00:00:00Z' });
    expect((await respond(t, future, { answers: valid })).statusCode).toBe(422);
    expect(await countRows(t, 'survey_responses', later)).toBe(0);
  });

  it('does not know a survey that has not been launched (404)', async () => {
    const draft = await createSurvey(t, token, { open: false });
    expect((await respond(t, draft, { answers: valid })).statusCode).toBe(404);
  });
});

describe('Builder API', () => {
  it('creates a survey with fixed Likert, area and equality options', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/surveys/${surveyId}`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    const survey = response.json<{
      status: string;
      questions: Array<{ key: string; options: Array<{ key: string }> }>;
    }>();
    expect(survey.status).toBe('open');
    const byKey = Object.fromEntries(
      survey.questions.map((q) => [q.key, q.options.map((o) => o.key)]),
    );
    expect(byKey.trust).toContain('dont_know');
    expect(byKey.area).toHaveLength(8);
    expect(byKey.equality_age).toContain('prefer_not');
  });

  it('refuses duplicate keys, a one-option choice and personal questions in an anonymous survey', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/surveys',
      headers: bearer(token),
      payload: {
        title: 'Bad',
        opensAt: '2026-12-01',
        closesAt: '2026-11-01',
        anonymous: true,
        questions: [
          { key: 'a', kind: 'single', label: 'One', options: [{ key: 'x', label: 'X' }] },
          { key: 'a', kind: 'text', label: 'Your email address' },
        ],
      },
    });
    expect(response.statusCode).toBe(400);
    const fields = response.json().error.fields as Record<string, string>;
    expect(fields['questions.0.options']).toMatch(/at least two/);
    expect(fields['questions.1.key']).toMatch(/used by another/);
    expect(fields['questions.1.label']).toMatch(/anonymous/);
    expect(fields.closesAt).toMatch(/after/);
  });

  it('S12: anonymity cannot change after launch (409), and the trigger refuses it in SQL too', async () => {
    const draft = await createSurvey(t, token, { open: false });
    const before = await t.app.inject({
      method: 'PUT',
      url: `/api/surveys/${draft}/anonymity`,
      headers: bearer(token),
      payload: { anonymous: false },
    });
    expect(before.statusCode).toBe(204);
    const after = await t.app.inject({
      method: 'PUT',
      url: `/api/surveys/${surveyId}/anonymity`,
      headers: bearer(token),
      payload: { anonymous: false },
    });
    expect(after.statusCode).toBe(409);
    expect(after.json().error.code).toBe('surveys.locked');
    await expect(
      t.db.sql`update surveys set anonymous = false where id = ${surveyId}`,
    ).rejects.toThrow(/anonymity is fixed/);
    await expect(
      t.db
        .sql`delete from survey_options where question_id in (select id from survey_questions where survey_id = ${surveyId})`,
    ).rejects.toThrow(/fixed/);
    await expect(
      t.db
        .sql`insert into survey_responses (survey_id, anonymous, channel, submitted_at) values (${surveyId}, true, 'link', now())`,
    ).rejects.toThrow(/survey_responses_anonymous_ck/);
  });

  it('opens once: a second open is 409', async () => {
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/surveys/${surveyId}/open`,
      headers: bearer(token),
    });
    expect(again.statusCode).toBe(409);
  });

  it('refuses staff endpoints without a token (401) and to a caseworker (403)', async () => {
    const anonymous = await t.app.inject({
      method: 'GET',
      url: `/api/surveys/${surveyId}/results`,
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
