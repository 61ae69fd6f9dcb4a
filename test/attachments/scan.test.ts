import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClamdUnavailableError, scanBuffer } from '../../server/attachments/clamd.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { bearer, type PageSession, type TestUser } from '../helpers/auth.js';
import { useTestApp } from '../helpers/fixture.js';
import { besideApp, EICAR, FakeClamd } from '../helpers/clamd-fake.js';
import { fieldParts, multipart, PNG, postMultipart, type Part } from '../helpers/multipart.js';
import { makeCase } from '../correspondence/fixtures.js';
import type { WorkerRunner } from '../../workers/runner.js';

/** A PNG (by its magic bytes, so the upload is accepted) carrying the EICAR test string. */
const PNG_WITH_EICAR = Buffer.concat([PNG, EICAR]);

const clamd = new FakeClamd();
const t = useTestApp(besideApp(clamd));
let caseworker: TestUser;
let page: PageSession;
let token: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  page = await t.page(caseworker);
  token = await t.token(caseworker);
});

// A test that needs workers starts its own and stops them: none relies on another's.
let runner: WorkerRunner | undefined;
const startWorkers = async () => (runner = await t.startWorkers());
afterEach(async () => {
  await runner?.stop(2000);
  runner = undefined;
});

async function upload(caseId: string, files: Part[]) {
  const body = multipart(files);
  const response = await t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/attachments`,
    headers: { ...bearer(token), 'content-type': body.contentType },
    payload: body.payload,
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ items: Array<{ id: string; scanStatus: string }> }>().items;
}

const download = (caseId: string, attachmentId: string) =>
  t.app.inject({
    method: 'GET',
    url: `/api/cases/${caseId}/attachments/${attachmentId}`,
    headers: bearer(token),
  });

async function scanStatus(attachmentId: string) {
  const [row] = await t.db.sql<{ scan_status: string; scan_signature: string | null }[]>`
    select scan_status, scan_signature from case_attachments where id = ${attachmentId}`;
  return row!;
}

/** Waits for the attachment's state (asserted, not slept for), then returns its row. */
async function waitForStatus(attachmentId: string, wanted: string, timeoutMs = 15_000) {
  await expect
    .poll(async () => (await scanStatus(attachmentId)).scan_status, {
      timeout: timeoutMs,
      interval: 100,
    })
    .toBe(wanted);
  return scanStatus(attachmentId);
}

async function scanJobId(attachmentId: string) {
  const [row] = await t.db.sql<{ id: number }[]>`
    select id from outbox
    where topic = 'attachment-scan' and payload->>'attachmentId' = ${attachmentId}`;
  return row ? `outbox-${row.id}` : undefined;
}

describe('the clamd INSTREAM client', () => {
  it('streams a file larger than one chunk and reads OK; EICAR is FOUND with its signature', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(300 * 1024, 7)]);
    const before = clamd.scanned.length;
    await expect(scanBuffer(clamd.url, big)).resolves.toEqual({ clean: true });
    // Every byte arrived, in order, through the 4-byte length framing.
    expect(clamd.scanned[before]!.equals(big)).toBe(true);
    await expect(scanBuffer(clamd.url, PNG_WITH_EICAR)).resolves.toEqual({
      clean: false,
      signature: 'Eicar-Test-Signature',
    });
  });

  it('a closed port is "unavailable", never a verdict', async () => {
    const down = await new FakeClamd().start();
    const url = down.url;
    await down.stop();
    await expect(scanBuffer(url, PNG, { timeoutMs: 2000 })).rejects.toBeInstanceOf(
      ClamdUnavailableError,
    );
  });
});

describe('CLAMD_URL configuration', () => {
  it('is read as tcp://host:port and refused in any other form', () => {
    expect(loadConfig({ CLAMD_URL: 'tcp://clamd:3310' }).clamdUrl).toBe('tcp://clamd:3310');
    expect(loadConfig({}).clamdUrl).toBeUndefined();
    for (const bad of ['http://clamd:3310', 'tcp://clamd', 'clamd:3310']) {
      expect(() => loadConfig({ CLAMD_URL: bad })).toThrow(ConfigError);
    }
  });
});

describe('security checklist 24 (scanning): unscanned or EICAR file not downloadable', () => {
  it('a new upload is pending, its scan job is in the outbox, and it cannot be downloaded', async () => {
    // No workers yet: nothing has scanned it.
    const c = await makeCase(t.app, caseworker);
    const [item] = await upload(c.id, [
      { name: 'file', filename: 'letter.png', contentType: 'image/png', data: PNG },
    ]);
    expect(item!.scanStatus).toBe('pending');
    expect(await scanJobId(item!.id)).toMatch(/^outbox-\d+$/);

    const api = await download(c.id, item!.id);
    expect(api.statusCode).toBe(409);
    expect(api.json().error.code).toBe('correspondence.attachment_scan_pending');
    expect(api.rawPayload.includes(PNG)).toBe(false);

    const casePage = await page.get(`/casework/${c.id}`);
    expect(casePage.body).toContain('data-scan-status="pending"');
    expect(casePage.body).toContain('Being virus-checked');
    expect(casePage.body).not.toContain(`/casework/${c.id}/attachments/${item!.id}"`);
    const pageDownload = await page.get(`/casework/${c.id}/attachments/${item!.id}`);
    expect(pageDownload.statusCode).toBe(409);
    expect(pageDownload.headers['content-disposition']).toBeUndefined();
  });

  it('staff entry with a scanned letter queues its scan in the same transaction', async () => {
    const response = await postMultipart(
      t.app,
      page,
      '/casework/new',
      [
        ...fieldParts({
          type: 'general',
          channel: 'letter',
          'receivedAt-day': '20',
          'receivedAt-month': '11',
          'receivedAt-year': '2026',
          subject: 'Scanned letter about parking',
          body: 'See the scanned letter.',
          contactName: 'Scan Person',
        }),
        { name: 'file', filename: 'scan.png', contentType: 'image/png', data: PNG },
      ],
      '/casework/new',
    );
    expect(response.statusCode).toBe(303);
    const caseId = /\/casework\/([0-9a-f-]{36})/.exec(response.headers.location as string)![1]!;
    const [row] = await t.db.sql<{ id: string; scan_status: string }[]>`
      select id, scan_status from case_attachments where case_id = ${caseId}`;
    expect(row!.scan_status).toBe('pending');
    expect(await scanJobId(row!.id)).toBeDefined();
  });

  it('after the job a clean file downloads; EICAR is infected, blocked, on the timeline and emailed', async () => {
    await startWorkers();
    const c = await makeCase(t.app, caseworker);
    const [clean, infected] = await upload(c.id, [
      { name: 'file', filename: 'fine.png', contentType: 'image/png', data: PNG },
      { name: 'file', filename: 'eicar.png', contentType: 'image/png', data: PNG_WITH_EICAR },
    ]);
    await waitForStatus(clean!.id, 'clean');
    const bad = await waitForStatus(infected!.id, 'infected');
    expect(bad.scan_signature).toBe('Eicar-Test-Signature');

    const ok = await download(c.id, clean!.id);
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload.equals(PNG)).toBe(true);

    const blocked = await download(c.id, infected!.id);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error).toMatchObject({
      code: 'correspondence.attachment_infected',
      message: 'This file contains a virus and has been blocked. It cannot be downloaded.',
    });
    const pageBlocked = await page.get(`/casework/${c.id}/attachments/${infected!.id}`);
    expect(pageBlocked.statusCode).toBe(403);
    expect(pageBlocked.rawPayload.includes(EICAR)).toBe(false);

    const casePage = await page.get(`/casework/${c.id}`);
    expect(casePage.body).toContain('data-scan-status="clean"');
    expect(casePage.body).toContain('data-scan-status="infected"');
    expect(casePage.body).toContain('Virus found in an attachment');
    expect(casePage.body).toContain(`/casework/${c.id}/attachments/${clean!.id}"`);
    expect(casePage.body).not.toContain(`/casework/${c.id}/attachments/${infected!.id}"`);

    const events = await t.db.sql<{ kind: string; data: { signature: string } }[]>`
      select kind, data from case_events where case_id = ${c.id} and kind = 'attachment_infected'`;
    expect(events).toHaveLength(1);
    expect(events[0]!.data.signature).toBe('Eicar-Test-Signature');
    const audits = await t.db.sql<{ action: string }[]>`
      select action from audit_events where subject_id = ${infected!.id} order by at, id`;
    expect(audits.map((a) => a.action)).toContain('case.attachment.infected');

    // Other emails (acknowledgements) may arrive first: wait for this one, by its recipient.
    const alertFor = () =>
      t.mailbox.messages.find(
        (m) =>
          m.envelopeTo.includes(caseworker.email) && /^Virus found/.test(m.parsed.subject ?? ''),
      );
    await expect.poll(alertFor).toBeDefined();
    const alert = alertFor();
    expect(alert!.parsed.subject).toMatch(
      /^Virus found in a file you uploaded \[OPCC-\d{4}-\d{5}\]$/,
    );
    expect(alert!.parsed.text).toContain('eicar.png');
    expect(alert!.parsed.text).toContain('Eicar-Test-Signature');

    // A second delivery of the job changes nothing (at-least-once).
    await expect(t.app.services.attachmentScan.scan(infected!.id)).resolves.toEqual({
      status: 'infected',
    });
    expect((await scanStatus(infected!.id)).scan_status).toBe('infected');
  });

  it('with clamd down the job fails and retries; the file stays held until clamd is back', async () => {
    await startWorkers();
    const port = clamd.port;
    await clamd.stop();
    const c = await makeCase(t.app, caseworker);
    const [item] = await upload(c.id, [
      { name: 'file', filename: 'later.png', contentType: 'image/png', data: PNG },
    ]);
    const jobId = (await scanJobId(item!.id))!;
    const queue = t.queues.queue('attachment-scan');
    // The job has run and failed once (backing off), whatever the timing.
    await expect
      .poll(async () => (await queue.getJob(jobId))?.attemptsMade ?? 0, {
        timeout: 15_000,
        interval: 100,
      })
      .toBeGreaterThanOrEqual(1);
    const job = await queue.getJob(jobId);
    expect(job!.failedReason).toMatch(/clamd/);
    expect(await job!.getState()).toBe('delayed'); // waiting to retry, not given up
    expect((await scanStatus(item!.id)).scan_status).toBe('pending');
    expect((await download(c.id, item!.id)).statusCode).toBe(409);

    await clamd.start(port);
    await waitForStatus(item!.id, 'clean', 20_000);
    expect((await download(c.id, item!.id)).statusCode).toBe(200);
  });
});
