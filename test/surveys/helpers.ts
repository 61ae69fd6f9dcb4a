import { fork } from 'node:child_process';
import { expect, vi } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { apiToken, bearer, createUser } from '../helpers/auth.js';

let ipCounter = 0;
/** A different documentation-range address per request, so the per-IP limit never bites. */
export const nextIp = () => {
  ipCounter += 1;
  return `198.51.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
};

export async function managerToken(t: TestApp): Promise<string> {
  const manager = await createUser(t.app, 'manager');
  return apiToken(t.app, manager);
}

export const sampleQuestions = [
  {
    key: 'crimes',
    kind: 'multiple',
    label: 'Which crimes concern you most?',
    maxChoices: 3,
    options: [
      { key: 'burglary', label: 'House burglary' },
      { key: 'asb', label: 'General anti-social behaviour' },
      { key: 'roads', label: 'Road safety' },
      { key: 'cyber', label: 'Cybercrime' },
      { key: 'none', label: 'None of these', behaviour: 'exclusive' },
    ],
  },
  {
    key: 'contact',
    kind: 'single',
    label: 'How would you contact the police?',
    required: true,
    options: [
      { key: 'phone', label: 'By phone' },
      { key: 'online', label: 'Online' },
    ],
  },
  {
    key: 'order',
    kind: 'ranking',
    label: 'Rank these priorities',
    maxChoices: 2,
    options: [
      { key: 'visible', label: 'Visible policing' },
      { key: 'justice', label: 'Justice' },
      { key: 'roads', label: 'Roads' },
    ],
  },
  { key: 'trust', kind: 'likert', label: 'I trust the police in my area' },
  { key: 'area', kind: 'area', label: 'Where do you live?' },
  { key: 'comments', kind: 'text', label: 'Anything else?' },
  { key: 'equality_age', kind: 'equality', label: '' },
];

export interface SurveyOptions {
  anonymous?: boolean;
  opensAt?: string;
  closesAt?: string;
  questions?: unknown[];
  open?: boolean;
  title?: string;
}

/** Creates (and by default opens) a survey through the API; returns its id. */
export async function createSurvey(t: TestApp, token: string, options: SurveyOptions = {}) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/surveys',
    headers: bearer(token),
    payload: {
      title: options.title ?? 'Policing priorities',
      opensAt: options.opensAt ?? '2026-11-01T00:00:00Z',
      closesAt: options.closesAt ?? '2026-12-31T23:59:00Z',
      anonymous: options.anonymous ?? true,
      questions: options.questions ?? sampleQuestions,
    },
  });
  if (response.statusCode !== 201)
    throw new Error(`create: ${response.statusCode} ${response.body}`);
  const { id } = response.json<{ id: string }>();
  if (options.open !== false) {
    const opened = await t.app.inject({
      method: 'POST',
      url: `/api/surveys/${id}/open`,
      headers: bearer(token),
    });
    if (opened.statusCode !== 200) throw new Error(`open: ${opened.statusCode} ${opened.body}`);
  }
  return id;
}

export function respond(t: TestApp, surveyId: string, payload: unknown, ip = nextIp()) {
  return t.app.inject({
    method: 'POST',
    url: `/api/public/surveys/${surveyId}/responses`,
    remoteAddress: ip,
    payload: payload as object,
  });
}

export async function countRows(t: TestApp, table: string, surveyId: string): Promise<number> {
  const [row] = await t.db.sql.unsafe<{ n: number }[]>(
    table === 'survey_answers'
      ? `select count(*)::int as n from survey_answers a join survey_responses r on r.id = a.response_id where r.survey_id = $1`
      : `select count(*)::int as n from ${table} where survey_id = $1`,
    [surveyId],
  );
  return row!.n;
}

/**
 * `n` contacts with emails `<prefix>-<i>@example.org`, consent to surveys given, in one list.
 * Written in SQL: 10,000 rows in one statement (the contacts domain has no bulk import yet).
 */
export async function seedAudience(
  t: { db: { sql: import('postgres').Sql } },
  n: number,
  prefix: string,
  options: { consent?: boolean } = {},
) {
  const sql = t.db.sql;
  const [list] = await sql<{ id: string }[]>`
    insert into contact_lists (name) values (${`${prefix} list`}) returning id`;
  const contacts = await sql<{ id: string; email: string }[]>`
    insert into contacts (name, email, email_norm)
    select 'Resident ' || i, ${prefix} || '-' || i || '@example.org', ${prefix} || '-' || i || '@example.org'
    from generate_series(1, ${n}) as i returning id, email`;
  await sql`insert into contact_list_members (list_id, contact_id)
            select ${list!.id}, unnest(${sql.array(contacts.map((c) => c.id))}::uuid[])`;
  if (options.consent !== false)
    await sql`insert into contact_consents (contact_id, purpose, source, given_at)
              select unnest(${sql.array(contacts.map((c) => c.id))}::uuid[]), 'surveys', 'test', now()`;
  return { listId: list!.id, contacts };
}

/**
 * Forks test/surveys/fixtures/worker-child.ts (the real workers in their own process, so a
 * test can SIGKILL them) against the test app's database, Redis prefix and the given sink.
 * `pipe: true` collects its stdout (with CHILD_LOG=1, the workers' log lines).
 */
export function forkWorkerChild(
  t: TestApp,
  smtpUrl: string,
  env: Record<string, string>,
  options: { pipe?: boolean } = {},
) {
  const proc = fork(new URL('./fixtures/worker-child.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: t.databaseUrl,
      REDIS_URL: t.config.redisUrl!,
      QUEUE_PREFIX: t.config.queuePrefix,
      SMTP_URL: smtpUrl,
      JWT_SECRET: t.config.jwtSecret,
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', options.pipe ? 'pipe' : 'inherit', 'inherit', 'ipc'],
  });
  let output = '';
  proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    proc.on('exit', (code, signal) => resolve(signal ?? code)),
  );
  return { proc, exited, output: () => output };
}

/**
 * Waits until every delivery has settled (sent, or failed for good): nothing queued, retrying
 * or being sent. For a file's beforeAll, where expect.poll is not allowed: vi.waitFor retries
 * the same assertion until `timeoutMs`.
 */
export async function deliveriesSettled(t: TestApp, timeoutMs: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const [open] = await t.db.sql<{ n: number }[]>`
        select count(*)::int as n from survey_deliveries
        where state in ('queued', 'retry', 'sending')`;
      expect(open!.n).toBe(0);
    },
    { timeout: timeoutMs, interval: 100 },
  );
}
