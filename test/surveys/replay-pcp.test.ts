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
import { createSurvey, managerToken, respond } from './helpers.js';

/** docs/rules/surveys.md §9 (S17): 3,489 POSTs to the public link, 50 at a time. */
const t = useTestApp();
let token: string;
let surveyId: string;
interface Results {
  responses: number;
  questions: Array<{
    key: string;
    base: number;
    notAnswered: number;
    options: Array<{
      key: string;
      label: string;
      count: number;
      percent: number;
      rank: number | null;
    }>;
  }>;
}
let results: Results;

beforeAll(async () => {
  token = await managerToken(t);
  surveyId = await createSurvey(t, token, PCP_SURVEY);
  const all = pcpResponses();
  for (let i = 0; i < all.length; i += 50) {
    const statuses = await Promise.all(
      all
        .slice(i, i + 50)
        .map((answers) => respond(t, surveyId, { answers }).then((r) => r.statusCode)),
    );
    expect(statuses.every((s) => s === 201)).toBe(true);
  }
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/surveys/${surveyId}/results`,
    headers: bearer(token),
  });
  results = response.json<Results>();
}, 600_000);

const question = (key: string) => results.questions.find((q) => q.key === key)!;
const topFive = (key: string) =>
  question(key)
    .options.filter((o) => o.rank !== null)
    .sort((a, b) => a.rank! - b.rank!)
    .slice(0, 5)
    .map((o) => o.label);

describe('S17: replaying the 2017 Police and Crime Plan consultation', () => {
  it('counts 3,489 responses', () => {
    expect(results.responses).toBe(RESPONDENTS);
  });

  it('gives the plan\'s "crimes of most concern" top five, in order', () => {
    expect(topFive('crimes')).toEqual(PLAN_CRIMES_TOP5);
  });

  it('gives the plan\'s "police priorities" top five, in order', () => {
    expect(topFive('priorities')).toEqual(PLAN_PRIORITIES_TOP5);
  });

  it("matches §9's counts, percentages and bases for both questions", () => {
    for (const key of ['crimes', 'priorities'] as const) {
      const q = question(key);
      expect(q.base).toBe(EXPECTED[key].base);
      expect(q.notAnswered).toBe(EXPECTED[key].notAnswered);
      const sorted = [...q.options]
        .filter((o) => o.rank !== null)
        .sort((a, b) => a.rank! - b.rank!);
      expect(sorted.slice(0, 6).map((o) => [o.label, o.count, o.percent])).toEqual(
        EXPECTED[key].top,
      );
    }
    expect(question('crimes').options.find((o) => o.key === 'none')!.count).toBe(
      EXPECTED.crimes.none,
    );
  });

  it('cross-tab by area: columns sum to the totals; Peterborough ranks anti-social behaviour first', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/surveys/${surveyId}/crosstab?question=crimes&by=area`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    const tab = response.json<{
      columns: Array<{ key: string; base: number }>;
      rows: Array<{ key: string; total: number; cells: Array<{ count: number }> }>;
    }>();
    const crimes = question('crimes');
    for (const row of tab.rows) {
      const sum = row.cells.reduce((s, c) => s + c.count, 0);
      expect(sum).toBe(crimes.options.find((o) => o.key === row.key)!.count);
    }
    expect(tab.columns.reduce((s, c) => s + c.base, 0)).toBe(EXPECTED.crimes.base);
    const pboro = tab.columns.findIndex((c) => c.key === 'peterborough');
    const top = [...tab.rows].sort((a, b) => b.cells[pboro]!.count - a.cells[pboro]!.count)[0]!;
    expect(top.key).toBe('asb');
  });

  it('exports 3,489 CSV rows whose column sums match the results', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/surveys/${surveyId}/responses.csv`,
      headers: bearer(token),
    });
    expect(response.statusCode).toBe(200);
    const lines = response.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const header = lines[0]!.split(',');
    expect(lines.length - 1).toBe(RESPONDENTS);
    const col = header.indexOf('crimes:burglary');
    const ones = lines.slice(1).filter((l) => l.split(',')[col] === '1').length;
    expect(ones).toBe(1842);
    expect(header.some((h) => /time|date|submitted/i.test(h))).toBe(false);
  });
});
