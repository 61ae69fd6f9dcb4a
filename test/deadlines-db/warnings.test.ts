/**
 * Warnings (docs/rules/deadlines.md §6, §8 "Warnings"): a fixed clock steps hour by hour through three
 * weeks; the sla-scan processor runs at each step and real BullMQ workers run
 * deadline-notify (and the email job). A worker is stopped and replaced mid-run, and a
 * notify that dies after writing its email rolls back. Each case gets each warning once,
 * only 09:00–17:00 on working days, none after closing or while the clock is stopped;
 * reruns send nothing more; an extension brings fresh stages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createDeadlinesService } from '../../server/deadlines/service.js';
import { buildCalendars, parseGovUkBankHolidays } from '../../server/lib/calendar.js';
import { isWithinWorkingHours } from '../../server/lib/deadline-rules.js';
import { slaScanJob } from '../../workers/jobs/sla-scan.js';
import type { JobContext } from '../../workers/jobs/types.js';
import type { WorkerRunner } from '../../workers/runner.js';
import { readFileSync } from 'node:fs';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, signInPage, type TestUser } from '../helpers/auth.js';

const holidays = parseGovUkBankHolidays(
  JSON.parse(readFileSync(new URL('../../db/data/bank-holidays.json', import.meta.url), 'utf8')),
);
const ew = buildCalendars(holidays).england_wales;

const t = useTestApp({ now: '2026-11-20T12:00:00Z' });
let worker: TestUser;
let manager: TestUser;
let token: string;
let ctx: JobContext;

beforeAll(async () => {
  worker = await t.user('caseworker');
  manager = await t.user('manager');
  token = await t.token(worker);
  ctx = { db: t.db.db, services: t.app.services, queues: t.queues, clock: t.clock, log: () => {} };
});

/** A fresh token each time: the fixed clock moves past a token's expiry. */
const api = async (method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) => {
  token = await apiToken(t.app, worker);
  return t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
};

/**
 * An FOI received Wed 4 Nov 2026 is due Thu 3 Dec (30 Nov is St Andrew's Day, a UK-wide
 * FOI non-working day); assigned to `worker` and acknowledged by email.
 */
async function foiCase(label: string) {
  const created = await api('POST', '/api/cases', {
    type: 'foi',
    channel: 'email',
    receivedAt: '2026-11-04T10:00:00Z',
    subject: `Request ${label}`,
    body: 'Please send me the policy.',
    contact: { name: `Requester ${label}`, email: `${label}@example.org` },
    assigneeId: worker.id,
  });
  expect(created.statusCode, created.body).toBe(201);
  expect(created.json().dueDate).toBe('2026-12-03');
  return created.json<{ id: string }>().id;
}

/** Waits until the notify queue holds no job that is still to run. */
async function drained() {
  await expect
    .poll(() =>
      t.queues.queue('deadline-notify').getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
    )
    .toEqual({ waiting: 0, active: 0, delayed: 0, prioritized: 0 });
}

async function scanAndSend() {
  const result = (await slaScanJob.process({}, ctx)) as { queued: number };
  if (result.queued > 0) await drained();
  return result;
}

interface Sent {
  case_id: string;
  kind: string;
  generation: number;
  stage: string;
  sent_at: Date;
  email_id: string;
}
const sentRows = async () =>
  (
    (await t.db.sql`select subject_id as case_id, kind, generation, stage, sent_at, email_id
    from deadline_notifications where status = 'sent' order by sent_at`) as unknown as Sent[]
  ).map((row) => ({ ...row, sent_at: new Date(row.sent_at) }));

describe('deadline warnings through a fixed clock', () => {
  let plain: string;
  let closing: string;
  let stopped: string;
  let extended: string;
  let runner: WorkerRunner;

  it('steps through three weeks and sends each stage once, in working hours', async () => {
    plain = await foiCase('plain');
    closing = await foiCase('closing');
    stopped = await foiCase('stopped');
    extended = await foiCase('extended');
    for (const id of [plain, closing, stopped, extended])
      expect(
        (await api('POST', `/api/cases/${id}/transitions`, { to: 'open', version: 1 })).statusCode,
      ).toBe(200);
    // The clock stops for `stopped` before any warning.
    const asked = await api('POST', `/api/cases/${stopped}/events`, {
      kind: 'clarification_requested',
      at: '2026-11-19',
    });
    expect(asked.statusCode, asked.body).toBe(201);

    runner = await t.startWorkers();
    // A notify that dies after writing its email (and attempted_at) rolls everything back.
    const dying = createDeadlinesService({
      db: t.db.db,
      clock: t.clock,
      audit: t.app.services.audit,
      mail: {
        ...t.app.services.mail,
        queue: async (tx, email) => {
          await t.app.services.mail.queue(tx, email);
          throw new Error('worker killed after the email row was written');
        },
      },
      mailDomain: t.config.mailDomain,
      mailFrom: t.config.mailFrom,
      publicUrl: t.config.publicUrl,
      adapters: t.app.services.deadlines.subjectAdapters(),
      regimes: t.app.services.deadlines.regimes,
    });

    const start = new Date('2026-11-23T00:00:00Z').getTime();
    const end = new Date('2026-12-12T00:00:00Z').getTime();
    let killedOnce = false;
    let replaced = false;
    for (let at = start; at < end; at += 3600_000) {
      t.clock.set(new Date(at));
      const iso = new Date(at).toISOString();
      // Before the scan sends it: the early warning for `plain` first meets a dying worker.
      if (!killedOnce && iso === '2026-11-26T09:00:00.000Z') {
        const scan = await t.app.services.deadlines.scan();
        expect(scan.toSend.length).toBeGreaterThan(0);
        await expect(dying.notify(scan.toSend[0]!)).rejects.toThrow('worker killed');
        const [row] = await t.db.sql`select status, attempted_at from deadline_notifications
          where id = ${scan.toSend[0]!}`;
        expect(row).toMatchObject({ status: 'pending', attempted_at: null });
        killedOnce = true;
      }
      // The workers are stopped and replaced by new ones.
      if (!replaced && iso === '2026-12-01T12:00:00.000Z') {
        await runner.stop(2000);
        runner = await t.startWorkers();
        replaced = true;
      }
      // `closing` is closed (via a reply) after its early warning and before it is due.
      if (iso === '2026-11-27T10:00:00.000Z') {
        const r = await api('POST', `/api/cases/${closing}/events`, {
          kind: 'responded',
          at: '2026-11-27',
        });
        expect(r.statusCode, r.body).toBe(201);
        expect(r.json().status).toBe('responded');
      }
      // `extended` gets a PIT extension after its early warning: +5 WD, due Thu 10 Dec.
      if (iso === '2026-11-26T10:00:00.000Z') {
        const r = await api('POST', `/api/cases/${extended}/events`, {
          kind: 'extended',
          at: '2026-11-26',
          data: { kind: 'pit', amount: 5, reason: 'Public interest test' },
        });
        expect(r.statusCode, r.body).toBe(201);
        expect(r.json().dueDate).toBe('2026-12-10');
      }
      await scanAndSend();
    }
    expect(killedOnce && replaced).toBe(true);

    const sent = await sentRows();
    const stagesOf = (id: string, generation?: number) =>
      sent
        .filter((s) => s.case_id === id && s.kind === 'statutory')
        .filter((s) => generation === undefined || s.generation === generation)
        .map((s) => s.stage);
    expect(stagesOf(plain)).toEqual(['early', 'due_today', 'overdue', 'escalated']);
    expect(stagesOf(closing)).toEqual(['early']);
    expect(stagesOf(stopped)).toEqual([]);
    expect(stagesOf(extended, 1)).toEqual(['early']);
    expect(stagesOf(extended, 2)).toEqual(['early', 'due_today', 'overdue']);
    // Nothing for other deadlines (acknowledged by email), nothing twice.
    expect(sent.every((s) => s.kind === 'statutory')).toBe(true);
    for (const s of sent) {
      expect(isWithinWorkingHours(s.sent_at, ew), s.sent_at.toISOString()).toBe(true);
    }
    const plainTimes = sent.filter((s) => s.case_id === plain).map((s) => s.sent_at.toISOString());
    expect(plainTimes).toEqual([
      '2026-11-26T09:00:00.000Z',
      '2026-12-03T09:00:00.000Z',
      '2026-12-04T09:00:00.000Z',
      '2026-12-10T09:00:00.000Z',
    ]);

    // One email row per sent warning, with Message-ID dl-{id}; managers get overdue and escalated.
    const emails = await t.db.sql`select e.message_id, e."to", n.id, n.stage
      from deadline_notifications n join email_messages e on e.id = n.email_id where n.status = 'sent'`;
    expect(emails).toHaveLength(sent.length);
    const dlEmails = await t.db
      .sql`select count(*)::int as n from email_messages where message_id like 'dl-%'`;
    expect(dlEmails[0]!.n).toBe(sent.length);
    for (const e of emails) {
      expect(e.message_id).toBe(`dl-${e.id as string}@${t.config.mailDomain}`);
      expect(e.to).toContain(worker.email);
      if (e.stage === 'overdue' || e.stage === 'escalated') expect(e.to).toContain(manager.email);
      else expect(e.to).not.toContain(manager.email);
    }
    // The email has no requester name or subject.
    const [body] = await t.db
      .sql`select subject, text_body from email_messages where message_id like 'dl-%' limit 1`;
    expect(`${body!.subject as string} ${body!.text_body as string}`).not.toMatch(
      /Requester|Request plain|Please send/,
    );
    // And they reach the SMTP server once each.
    await t.sink.waitFor(sent.length + 4);
    const caught = t.sink.messages.filter((m) => m.messageId?.includes('<dl-'));
    expect(new Set(caught.map((m) => m.messageId)).size).toBe(caught.length);
  }, 300_000);

  it('reruns of the scan and of notify send nothing more', async () => {
    const before = (await sentRows()).length;
    t.clock.set('2026-12-11T10:00:00Z');
    await scanAndSend();
    await scanAndSend();
    const all = await t.db.sql`select id from deadline_notifications`;
    for (const row of all) {
      expect(['noop', 'cancelled']).toContain(
        await t.app.services.deadlines.notify(row.id as string),
      );
    }
    expect((await sentRows()).length).toBe(before);
    await runner.stop(2000);
  });

  it('the home page lists my warnings', async () => {
    t.clock.set('2026-12-11T10:00:00Z');
    const warnings = await t.app.services.deadlines.myWarnings({
      id: worker.id,
      role: 'caseworker',
      requestId: null,
    });
    expect(warnings.map((w) => [w.stage, w.dueOn])).toContainEqual(['escalated', '2026-12-03']);
  });
});

describe('the staff home panel', () => {
  it('shows my warnings with a link to the case', async () => {
    t.clock.set('2026-12-11T10:00:00Z');
    const page = await signInPage(t.app, worker);
    const home = await page.get('/staff');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('My deadline warnings');
    expect(home.body).toContain('Escalated');
  });
});

describe('deadline-digest', () => {
  it('emails each caseworker their cases due within 5 working days, once a day', async () => {
    t.clock.set('2026-12-07T08:30:00Z'); // Monday
    expect((await t.app.services.deadlines.digest()).sent).toBe(1);
    expect((await t.app.services.deadlines.digest()).sent).toBe(0);
    const [row] = await t.db.sql`select "to", text_body from email_messages
      where message_id = ${`digest-${worker.id}-2026-12-07@${t.config.mailDomain}`}`;
    expect(row!.to).toBe(worker.email);
    expect(row!.text_body).toContain('due Thu 10 Dec 2026');
    t.clock.set('2026-12-12T08:30:00Z'); // Saturday: no digest
    expect((await t.app.services.deadlines.digest()).sent).toBe(0);
  });
});
