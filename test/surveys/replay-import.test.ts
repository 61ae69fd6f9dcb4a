import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer } from '../helpers/auth.js';
import {
  EXPECTED,
  PCP_SURVEY,
  PLAN_CRIMES_TOP5,
  PLAN_PRIORITIES_TOP5,
  RESPONDENTS,
  pcpResponses,
} from './fixtures/pcp-2017.js';
import { countRows, createSurvey, managerToken } from './helpers.js';

/** docs/rules/surveys.md §9 path (b): the 3,489 responses as one CSV file, imported idempotently. */
const t = useTestApp();
let token: string;
let surveyId: string;
const KEYS = ['crimes', 'priorities', 'area', 'comments'];
const toCsv = (rows: Array<Record<string, string | string[]>>) =>
  stringify([
    KEYS,
    ...rows.map((r) => KEYS.map((k) => (Array.isArray(r[k]) ? r[k].join(';') : (r[k] ?? '')))),
  ]);
const csv = toCsv(pcpResponses());

interface Receipt {
  id: string;
  rows: number;
  replayed: boolean;
}
interface Results {
  responses: number;
  questions: Array<{
    key: string;
    base: number;
    options: Array<{ label: string; count: number; percent: number; rank: number | null }>;
  }>;
}
const importCsv = (id: string, body: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/surveys/${id}/imports`,
    headers: { ...bearer(token), 'content-type': 'text/csv' },
    payload: body,
  });
let first: Receipt;

beforeAll(async () => {
  token = await managerToken(t);
  surveyId = await createSurvey(t, token, PCP_SURVEY);
  const response = await importCsv(surveyId, csv);
  expect(response.statusCode, response.body.slice(0, 500)).toBe(201);
  first = response.json<Receipt>();
}, 300_000);

const results = async () => {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/surveys/${surveyId}/results`,
    headers: bearer(token),
  });
  return response.json<Results>();
};
const topFive = (r: Results, key: string) =>
  r.questions
    .find((q) => q.key === key)!
    .options.filter((o) => o.rank !== null)
    .sort((a, b) => a.rank! - b.rank!)
    .slice(0, 5)
    .map((o) => o.label);

describe('S17 (b): importing the 2017 Police and Crime Plan responses as CSV', () => {
  it("imports 3,489 responses whose top fives match the Plan's, in order", async () => {
    expect(first).toMatchObject({ rows: RESPONDENTS, replayed: false });
    const r = await results();
    expect(r.responses).toBe(RESPONDENTS);
    expect(topFive(r, 'crimes')).toEqual(PLAN_CRIMES_TOP5);
    expect(topFive(r, 'priorities')).toEqual(PLAN_PRIORITIES_TOP5);
    expect(r.questions.find((q) => q.key === 'crimes')!.base).toBe(EXPECTED.crimes.base);
    expect(r.questions.find((q) => q.key === 'priorities')!.base).toBe(EXPECTED.priorities.base);
  });

  it('the same file again returns the first import and creates nothing', async () => {
    const answersBefore = await countRows(t, 'survey_answers', surveyId);
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/surveys/${surveyId}/imports`,
      headers: bearer(token),
      payload: { csv },
    });
    expect(again.statusCode).toBe(200);
    expect(again.json<Receipt>()).toMatchObject({
      id: first.id,
      rows: RESPONDENTS,
      replayed: true,
    });
    expect(await countRows(t, 'survey_responses', surveyId)).toBe(RESPONDENTS);
    expect(await countRows(t, 'survey_answers', surveyId)).toBe(answersBefore);
    expect(await countRows(t, 'survey_imports', surveyId)).toBe(1);
  });

  it('a bad row rejects the file, naming the row and the question; nothing is stored', async () => {
    const other = await createSurvey(t, token, { ...PCP_SURVEY, title: 'PCP import errors' });
    const rows = pcpResponses().slice(0, 5);
    rows[2] = { ...rows[2], crimes: ['burglary', 'shoplifting-on-mars'] };
    const response = await importCsv(other, toCsv(rows));
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: { code: string; fields: Record<string, string> } }>().error;
    expect(body.code).toBe('surveys.invalid_import');
    expect(body.fields).toEqual({
      'row-4-crimes':
        'Row 4, question "crimes": "shoplifting-on-mars" is not an option of "Which types of crime are you most concerned about?"',
    });
    expect(await countRows(t, 'survey_responses', other)).toBe(0);
    expect(await countRows(t, 'survey_imports', other)).toBe(0);
  });
});
