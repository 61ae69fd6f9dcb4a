import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCAN_SWEEP_EVERY_MS, scanSweepJob } from '../../workers/jobs/scan-sweep.js';
import { jobIds } from '../../workers/queues.js';
import { bearer, type PageSession, type TestUser } from '../helpers/auth.js';
import { useTestApp } from '../helpers/fixture.js';
import { besideApp, FakeClamd } from '../helpers/clamd-fake.js';
import { multipart, PDF, PNG, type Part } from '../helpers/multipart.js';
import { makeCase } from '../correspondence/fixtures.js';
import { actorOf, openCase } from '../replies/fixtures.js';
import type { WorkerRunner } from '../../workers/runner.js';

const START = '2026-11-23T10:00:00Z';
const MINUTE = 60_000;

const clamd = new FakeClamd();
const t = useTestApp({ now: START, ...besideApp(clamd) });
let caseworker: TestUser;
let manager: TestUser;
let cwToken: string;
let cwPage: PageSession;
let mgrPage: PageSession;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
});

/**
 * Each test signs in afresh: the fixed clock only moves forward, and a test that ran before
 * may have moved it past the sessions' idle timeout.
 */
async function signInAfresh() {
  cwToken = await t.freshToken(caseworker);
  cwPage = await t.freshPage(caseworker);
  mgrPage = await t.freshPage(manager);
}

let runner: WorkerRunner | undefined;
afterEach(async () => {
  await runner?.stop(2000);
  runner = undefined;
});

async function post(url: string, parts: Part[]) {
  const body = multipart(parts);
  const r = await t.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(cwToken), 'content-type': body.contentType },
    payload: body.payload,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<{ items: Array<{ id: string; scanStatus: string }> }>().items[0]!;
}

/** A draft disclosure entry on an answered FOI case. */
async function draftEntry() {
  const c = await openCase(t.app, caseworker, {
    contact: { name: 'Sweep Requester', email: 'sweep.requester@example.net' },
  });
  await t.app.services.replies.send(actorOf(caseworker), c.id, {
    subject: 'Your request',
    body: 'Here is the answer.',
    channel: 'post',
  });
  const draft = await t.app.inject({
    method: 'POST',
    url: `/api/cases/${c.id}/disclosure`,
    headers: bearer(cwToken),
  });
  expect(draft.statusCode, draft.body).toBe(201);
  return draft.json<{ id: string }>();
}

/** The scan job of each upload "used up its retries": published, never processed. */
const loseOutboxJobs = () =>
  t.db
    .sql`update outbox set published_at = ${t.clock.now().toISOString()} where published_at is null`;

const sweep = () =>
  scanSweepJob.process(
    {},
    {
      db: t.db.db,
      services: t.app.services,
      queues: t.queues,
      clock: t.clock,
      log: () => undefined,
    },
  ) as Promise<{ stale: number; requeued: number }>;

async function rescanJobs() {
  const jobs = await t.queues
    .queue('attachment-scan')
    .getJobs(['waiting', 'active', 'delayed', 'completed', 'failed']);
  return jobs.filter((j) => j.id?.startsWith('rescan-')).map((j) => j.id!);
}

async function status(table: 'case_attachments' | 'disclosure_documents', id: string) {
  const [row] = await t.db.sql<{ scan_status: string }[]>`
    select scan_status from ${t.db.sql(table)} where id = ${id}`;
  return row!.scan_status;
}

/**
 * This test's own held files: a case attachment and a disclosure log document, both pending
 * their virus check, their scan jobs lost.
 */
async function heldFiles() {
  const c = await makeCase(t.app, caseworker);
  const attachmentId = (
    await post(`/api/cases/${c.id}/attachments`, [
      { name: 'file', filename: 'scan.png', contentType: 'image/png', data: PNG },
    ])
  ).id;
  const entry = await draftEntry();
  const documentId = (
    await post(`/api/disclosure/${entry.id}/documents`, [
      { name: 'file', filename: 'redacted.pdf', contentType: 'application/pdf', data: PDF },
    ])
  ).id;
  await loseOutboxJobs();
  return { caseId: c.id, attachmentId, entryId: entry.id, documentId };
}

describe('files whose scan job gave up', () => {
  it('stay pending until the sweep; it re-queues those older than 30 minutes, once per window', async () => {
    await signInAfresh();
    const { attachmentId, documentId } = await heldFiles();

    // 29 minutes on: still within the first job's own retries, left alone.
    t.clock.advance(29 * MINUTE);
    expect(await sweep()).toEqual({ stale: 0, requeued: 0 });
    expect(await rescanJobs()).toEqual([]);

    // 31 minutes on: both files, each under its deterministic id for this window.
    t.clock.advance(2 * MINUTE);
    const window = Math.floor(t.clock.now().getTime() / SCAN_SWEEP_EVERY_MS);
    expect(await sweep()).toEqual({ stale: 2, requeued: 2 });
    const ids = [
      jobIds.rescan('case_attachment', attachmentId, window),
      jobIds.rescan('disclosure_document', documentId, window),
    ];
    expect((await rescanJobs()).sort()).toEqual([...ids].sort());
    const job = await t.queues.queue('attachment-scan').getJob(ids[1]!);
    expect(job!.data).toEqual({ attachmentId: documentId, kind: 'disclosure_document' });

    // A second sweep in the same window (another worker, a restart) adds nothing.
    t.clock.advance(5 * MINUTE);
    expect(await sweep()).toEqual({ stale: 2, requeued: 0 });
    expect(await rescanJobs()).toHaveLength(2);

    // Next window, the previous re-scan is still waiting: not queued a second time.
    t.clock.advance(SCAN_SWEEP_EVERY_MS);
    expect(await sweep()).toEqual({ stale: 2, requeued: 0 });
    expect(await rescanJobs()).toHaveLength(2);
    expect(await status('case_attachments', attachmentId)).toBe('pending');
  });

  it('shows a manager "Scan again" next to a pending file; a caseworker neither sees nor may use it', async () => {
    await signInAfresh();
    const { caseId, attachmentId } = await heldFiles();
    const action = `/casework/${caseId}/attachments/${attachmentId}/rescan`;
    const mgrView = await mgrPage.get(`/casework/${caseId}`);
    expect(mgrView.body).toContain(`action="${action}"`);
    expect(mgrView.body).toContain('Scan again');
    const cwView = await cwPage.get(`/casework/${caseId}`);
    expect(cwView.body).not.toContain(`action="${action}"`);
    expect((await cwPage.post(action, {}, `/casework/${caseId}`)).statusCode).toBe(403);

    const before = await t.db.sql`select id from outbox where topic = 'attachment-scan'`;
    const pressed = await mgrPage.post(action, {}, `/casework/${caseId}`);
    expect(pressed.statusCode).toBe(303);
    expect(pressed.headers.location).toBe(`/casework/${caseId}?notice=rescan#attachments-heading`);
    const queued = await t.db.sql<{ payload: unknown }[]>`
      select payload from outbox where topic = 'attachment-scan' order by id desc limit 1`;
    expect((await t.db.sql`select id from outbox where topic = 'attachment-scan'`).length).toBe(
      before.length + 1,
    );
    expect(queued[0]!.payload).toEqual({ attachmentId, kind: 'case_attachment' });
    const audits = await t.db.sql<{ action: string }[]>`
      select action from audit_events where subject_id = ${attachmentId}`;
    expect(audits.map((a) => a.action)).toContain('case.attachment.rescan');
  });

  it('offers the same "Scan again" on a disclosure log document still held', async () => {
    await signInAfresh();
    const { entryId, documentId } = await heldFiles();
    const page = `/disclosure-entries/${entryId}`;
    const action = `${page}/documents/${documentId}/rescan`;
    expect((await mgrPage.get(page)).body).toContain(`action="${action}"`);
    expect((await cwPage.get(page)).body).not.toContain(`action="${action}"`);
    expect((await cwPage.post(action, {}, page)).statusCode).toBe(403);

    const before = await t.db.sql`select id from outbox where topic = 'attachment-scan'`;
    const pressed = await mgrPage.post(action, {}, page);
    expect(pressed.statusCode).toBe(303);
    expect(pressed.headers.location).toBe(`${page}?notice=rescan#documents`);
    const after = await t.db.sql<{ payload: unknown }[]>`
      select payload from outbox where topic = 'attachment-scan' order by id desc`;
    expect(after.length).toBe(before.length + 1);
    expect(after[0]!.payload).toEqual({ attachmentId: documentId, kind: 'disclosure_document' });
    const audits = await t.db.sql<{ action: string }[]>`
      select action from audit_events where subject_id = ${documentId}`;
    expect(audits.map((a) => a.action)).toContain('disclosure.document.rescan');
  });

  it('the re-queued jobs scan the files; then nothing is stale and Scan again is refused', async () => {
    await signInAfresh();
    const { caseId, attachmentId, entryId, documentId } = await heldFiles();
    t.clock.advance(31 * MINUTE);
    const window = Math.floor(t.clock.now().getTime() / SCAN_SWEEP_EVERY_MS);
    // Held files of the tests before are stale too, and may have been re-queued already.
    expect((await sweep()).stale).toBeGreaterThanOrEqual(2);
    expect(await rescanJobs()).toEqual(
      expect.arrayContaining([
        jobIds.rescan('case_attachment', attachmentId, window),
        jobIds.rescan('disclosure_document', documentId, window),
      ]),
    );
    runner = await t.startWorkers();
    await signInAfresh(); // 31 minutes idle: past the sessions' idle timeout
    await expect
      .poll(
        async () => [
          await status('case_attachments', attachmentId),
          await status('disclosure_documents', documentId),
        ],
        { timeout: 15_000, interval: 100 },
      )
      .toEqual(['clean', 'clean']);
    expect(await status('case_attachments', attachmentId)).toBe('clean');
    expect(await status('disclosure_documents', documentId)).toBe('clean');
    // The tests before left files held too; the workers scan those as well.
    await expect.poll(sweep).toEqual({ stale: 0, requeued: 0 });

    const view = await mgrPage.get(`/casework/${caseId}`);
    expect(view.body).not.toContain('Scan again');
    const refused = await mgrPage.post(
      `/casework/${caseId}/attachments/${attachmentId}/rescan`,
      {},
      `/casework/${caseId}`,
    );
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('scan.png is not waiting for a virus check');

    const entryPage = `/disclosure-entries/${entryId}`;
    expect((await mgrPage.get(entryPage)).body).not.toContain('Scan again');
    const documentRefused = await mgrPage.post(
      `${entryPage}/documents/${documentId}/rescan`,
      {},
      entryPage,
    );
    expect(documentRefused.statusCode).toBe(422);
    expect(documentRefused.body).toContain('redacted.pdf is not waiting for a virus check');
  });
});
