import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerRunner } from '../../workers/runner.js';
import { bearer, type PageSession, type TestUser } from '../helpers/auth.js';
import { useTestApp } from '../helpers/fixture.js';
import { besideApp, EICAR, FakeClamd } from '../helpers/clamd-fake.js';
import { multipart, PDF, type Part } from '../helpers/multipart.js';
import { actorOf, openCase } from '../replies/fixtures.js';

const clamd = new FakeClamd();
const t = useTestApp(besideApp(clamd));
let caseworker: TestUser;
let manager: TestUser;
let cwToken: string;
let mgrToken: string;
let managerPage: PageSession;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  cwToken = await t.token(caseworker);
  mgrToken = await t.token(manager);
  managerPage = await t.page(manager);
});

// A test that needs workers starts its own and stops them: none relies on another's.
let runner: WorkerRunner | undefined;
const startWorkers = async () => (runner = await t.startWorkers());
afterEach(async () => {
  await runner?.stop(2000);
  runner = undefined;
});

const api = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  token = cwToken,
) => t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

const pdf = (label: string) => Buffer.concat([PDF, Buffer.from(`% ${label}\n`)]);
/** A PDF by its magic bytes (so the upload is accepted) carrying the EICAR test string. */
const PDF_WITH_EICAR = Buffer.concat([PDF, EICAR]);
const file = (filename: string, data: Buffer): Part => ({
  name: 'file',
  filename,
  contentType: 'application/pdf',
  data,
});

type Doc = { id: string; filename: string; scanStatus: string; downloadable: boolean };

async function upload(entryId: string, parts: Part[]): Promise<Doc[]> {
  const body = multipart(parts);
  const r = await t.app.inject({
    method: 'POST',
    url: `/api/disclosure/${entryId}/documents`,
    headers: { ...bearer(cwToken), 'content-type': body.contentType },
    payload: body.payload,
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json<{ items: Doc[] }>().items;
}

let n = 0;
/** An approved entry on an answered FOI case, ready to publish but for its documents. */
async function approvedEntry() {
  n += 1;
  const c = await openCase(t.app, caseworker, {
    contact: { name: `Requester Scan${n}`, email: `requester.scan${n}@example.net` },
  });
  await t.app.services.replies.send(actorOf(caseworker), c.id, {
    subject: 'Your request',
    body: 'Here is the answer.',
    channel: 'post',
  });
  const draft = await api('POST', `/api/cases/${c.id}/disclosure`);
  expect(draft.statusCode, draft.body).toBe(201);
  const saved = await api('PUT', `/api/disclosure/${draft.json().id}`, {
    title: `Patrol hours in 2025 (${n})`,
    requestText: 'How many patrol hours were there in 2025?',
    summary: 'The redacted rota is attached.',
    outcome: 'granted',
    exemptions: [],
    responseDate: '2026-11-23',
    topics: [],
    personalDataRemoved: true,
    version: draft.json().version,
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return saved.json<{ id: string; reference: string }>();
}

const entryNow = async (id: string) =>
  (await api('GET', `/api/disclosure/${id}`)).json<{ status: string; version: number }>();
const act = async (id: string, action: 'approve' | 'publish') =>
  api(
    'POST',
    `/api/disclosure/${id}/${action}`,
    { version: (await entryNow(id)).version },
    mgrToken,
  );

async function status(documentId: string) {
  const [row] = await t.db.sql<{ scan_status: string; scan_signature: string | null }[]>`
    select scan_status, scan_signature from disclosure_documents where id = ${documentId}`;
  return row!;
}

/** Waits for the document's state (asserted, not slept for), then returns its row. */
async function waitForStatus(documentId: string, wanted: string) {
  await expect.poll(async () => (await status(documentId)).scan_status).toBe(wanted);
  return status(documentId);
}

describe('disclosure documents are held until clamd passes them', () => {
  it('a new document is pending with its scan job in the outbox; it blocks publication', async () => {
    // No workers yet: nothing has scanned it.
    const entry = await approvedEntry();
    const [doc] = await upload(entry.id, [file('rota-redacted.pdf', pdf('rota'))]);
    expect(doc).toMatchObject({ scanStatus: 'pending', downloadable: false });

    // Queued in the upload's transaction, for the shared attachment-scan job, by kind.
    const jobs = await t.db.sql<{ payload: unknown }[]>`
      select payload from outbox where topic = 'attachment-scan'
      and payload->>'attachmentId' = ${doc!.id}`;
    expect(jobs.map((j) => j.payload)).toEqual([
      { attachmentId: doc!.id, kind: 'disclosure_document' },
    ]);

    // Staff: the state is shown, with no download link; a download is 409.
    const staff = await managerPage.get(`/disclosure-entries/${entry.id}`);
    expect(staff.body).toContain('data-scan-status="pending"');
    expect(staff.body).toContain('Being virus-checked');
    expect(staff.body).not.toContain(`/disclosure-entries/${entry.id}/documents/${doc!.id}"`);
    const download = await managerPage.get(`/disclosure-entries/${entry.id}/documents/${doc!.id}`);
    expect(download.statusCode).toBe(409);
    expect(download.rawPayload.includes(PDF)).toBe(false);

    // Adding a document sent the entry back to draft; approving is fine, publishing is not.
    expect((await act(entry.id, 'approve')).statusCode).toBe(200);
    const refused = await act(entry.id, 'publish');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error).toMatchObject({
      code: 'disclosure.documents_not_checked',
      fields: {
        documents: 'Wait for the virus check of rota-redacted.pdf to finish before publishing',
      },
    });
    expect((await entryNow(entry.id)).status).toBe('approved');

    // The staff page's Publish button says the same, next to the documents.
    const page = await managerPage.post(
      `/disclosure-entries/${entry.id}/publish`,
      { version: String((await entryNow(entry.id)).version) },
      `/disclosure-entries/${entry.id}`,
    );
    expect(page.statusCode).toBe(422);
    expect(page.body).toContain('href="#documents"');
    expect(page.body).toContain('id="documents-error"');
    expect(page.body).toContain('Wait for the virus check of rota-redacted.pdf');

    // Not published, so nothing public.
    const publicPage = await t.app.inject({ url: `/disclosure-log/${entry.reference}` });
    expect(publicPage.statusCode).toBe(404);
  });

  it('after the scan a clean document publishes; an infected one is blocked until removed', async () => {
    await startWorkers();
    const entry = await approvedEntry();
    const [clean, infected] = await upload(entry.id, [
      file('minutes-redacted.pdf', pdf('minutes')),
      file('annex.pdf', PDF_WITH_EICAR),
    ]);
    await waitForStatus(clean!.id, 'clean');
    const bad = await waitForStatus(infected!.id, 'infected');
    expect(bad.scan_signature).toBe('Eicar-Test-Signature');

    expect((await act(entry.id, 'approve')).statusCode).toBe(200);
    const refused = await act(entry.id, 'publish');
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields.documents).toMatch(/^Remove annex\.pdf: a virus was found/);
    const blocked = await managerPage.get(
      `/disclosure-entries/${entry.id}/documents/${infected!.id}`,
    );
    expect(blocked.statusCode).toBe(403);
    expect(blocked.rawPayload.includes(EICAR)).toBe(false);

    const staff = await managerPage.get(`/disclosure-entries/${entry.id}`);
    expect(staff.body).toContain('data-scan-status="clean"');
    expect(staff.body).toContain('data-scan-status="infected"');
    expect(staff.body).toContain(`/disclosure-entries/${entry.id}/documents/${clean!.id}"`);
    expect(staff.body).not.toContain(`/disclosure-entries/${entry.id}/documents/${infected!.id}"`);

    // On the case's timeline and in the audit log; the uploader is told.
    const events = await t.db.sql<{ data: { documentId: string; signature: string } }[]>`
      select e.data from case_events e join disclosure_log_entries d on d.case_id = e.case_id
      where d.id = ${entry.id} and e.kind = 'disclosure_document_infected'`;
    expect(events.map((e) => e.data)).toMatchObject([
      { documentId: infected!.id, signature: 'Eicar-Test-Signature' },
    ]);
    const audits = await t.db.sql<{ action: string }[]>`
      select action from audit_events where subject_id = ${infected!.id}`;
    expect(audits.map((a) => a.action)).toContain('disclosure.document.infected');
    const alertOf = () =>
      t.mailbox.messages.find((m) => m.parsed.subject?.startsWith('Virus found in a disclosure'));
    await expect.poll(alertOf).toBeDefined();
    const alert = alertOf();
    expect(alert?.envelopeTo).toContain(caseworker.email);
    expect(alert!.parsed.text).toContain('annex.pdf');

    // Removing it (back to draft), approving again, and it publishes with the clean one.
    const removed = await api('DELETE', `/api/disclosure/${entry.id}/documents/${infected!.id}`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await act(entry.id, 'approve')).statusCode).toBe(200);
    const published = await act(entry.id, 'publish');
    expect(published.statusCode, published.body).toBe(200);

    const publicPage = await t.app.inject({ url: `/disclosure-log/${entry.reference}` });
    expect(publicPage.body).toContain(`/disclosure-log/${entry.reference}/documents/${clean!.id}"`);
    const got = await t.app.inject({
      url: `/disclosure-log/${entry.reference}/documents/${clean!.id}`,
    });
    expect(got.statusCode).toBe(200);
    expect(got.rawPayload.equals(pdf('minutes'))).toBe(true);
  });

  it('on a published entry, a held document is neither listed nor served: 404 pending, 410 infected', async () => {
    // Not reachable through the service (publication is refused); a defence in depth for
    // rows changed behind its back, for instance a file marked pending again by hand.
    await startWorkers();
    const entry = await approvedEntry();
    const [shown, held] = await upload(entry.id, [
      file('shown.pdf', pdf('shown')),
      file('held.pdf', pdf('held')),
    ]);
    await waitForStatus(shown!.id, 'clean');
    await waitForStatus(held!.id, 'clean');
    expect((await act(entry.id, 'approve')).statusCode).toBe(200);
    expect((await act(entry.id, 'publish')).statusCode).toBe(200);
    const url = `/disclosure-log/${entry.reference}/documents/${held!.id}`;

    await t.db.sql`update disclosure_documents set scan_status = 'pending' where id = ${held!.id}`;
    let publicPage = await t.app.inject({ url: `/disclosure-log/${entry.reference}` });
    expect(publicPage.statusCode).toBe(200);
    expect(publicPage.body).toContain('shown.pdf');
    expect(publicPage.body).not.toContain('held.pdf');
    const pending = await t.app.inject({ url });
    expect(pending.statusCode).toBe(404);
    expect(pending.rawPayload.includes(pdf('held'))).toBe(false);

    await t.db.sql`update disclosure_documents set scan_status = 'infected' where id = ${held!.id}`;
    publicPage = await t.app.inject({ url: `/disclosure-log/${entry.reference}` });
    expect(publicPage.body).not.toContain('held.pdf');
    const gone = await t.app.inject({ url });
    expect(gone.statusCode).toBe(410);
    expect(gone.headers['content-disposition']).toBeUndefined();
    expect(gone.body).not.toMatch(/virus/i);
  });
});
