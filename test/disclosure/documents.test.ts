import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, signInPage, type TestUser } from '../helpers/auth.js';
import {
  expectAccessible,
  launchBrowser,
  newPage,
  serve,
  signInBrowser,
  visit,
} from '../helpers/browser.js';
import { multipart, PDF, PNG, postMultipart, type Part } from '../helpers/multipart.js';
import { actorOf, openCase } from '../replies/fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;
let cwToken: string;
let mgrToken: string;

const CANARY_NAME = 'Perpetua Hollowcombe';
const CANARY_EMAIL = 'perpetua.canary@example.net';

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  cwToken = await t.token(caseworker);
  mgrToken = await t.token(manager);
});

const api = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  token = cwToken,
) => t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });

const pdf = (label: string) => Buffer.concat([PDF, Buffer.from(`% ${label}\n`)]);
const file = (filename: string, data: Buffer, contentType = 'application/pdf'): Part => ({
  name: 'file',
  filename,
  contentType,
  data,
});

function upload(entryId: string, parts: Part[], token = cwToken) {
  const body = multipart(parts);
  return t.app.inject({
    method: 'POST',
    url: `/api/disclosure/${entryId}/documents`,
    headers: { ...bearer(token), 'content-type': body.contentType },
    payload: body.payload,
  });
}

/** A draft entry on an answered FOI case whose requester is the canary. */
async function draftEntry() {
  const c = await openCase(t.app, caseworker, {
    contact: { name: CANARY_NAME, email: CANARY_EMAIL },
  });
  await t.app.services.replies.send(actorOf(caseworker), c.id, {
    subject: 'Your request',
    body: 'Here is the answer.',
    channel: 'post',
  });
  const draft = await api('POST', `/api/cases/${c.id}/disclosure`);
  expect(draft.statusCode, draft.body).toBe(201);
  const saved = await api('PUT', `/api/disclosure/${draft.json().id}`, {
    title: 'Speed cameras on the A38',
    requestText: 'How many speed cameras operated on the A38 in 2025?',
    summary: 'Four cameras operated. The redacted camera log is attached.',
    outcome: 'granted',
    exemptions: [],
    responseDate: '2026-11-23',
    topics: [],
    personalDataRemoved: true,
    version: draft.json().version,
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return { case: c, entry: saved.json<{ id: string; version: number; reference: string }>() };
}

async function entryNow(id: string) {
  return (await api('GET', `/api/disclosure/${id}`)).json<{ status: string; version: number }>();
}
async function approve(id: string) {
  const r = await api(
    'POST',
    `/api/disclosure/${id}/approve`,
    { version: (await entryNow(id)).version },
    mgrToken,
  );
  expect(r.statusCode, r.body).toBe(200);
}
async function publish(id: string) {
  const r = await api(
    'POST',
    `/api/disclosure/${id}/publish`,
    { version: (await entryNow(id)).version },
    mgrToken,
  );
  expect(r.statusCode, r.body).toBe(200);
}

describe('uploading redacted documents', () => {
  it('takes PDFs, checked by their bytes, and lists them with name, type and size', async () => {
    const { entry } = await draftEntry();
    const r = await upload(entry.id, [
      file('camera-log-redacted.pdf', pdf('one')),
      file('../../etc/letter.PDF', pdf('two')),
    ]);
    expect(r.statusCode, r.body).toBe(201);
    const items = r.json().items;
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      filename: 'camera-log-redacted.pdf',
      contentType: 'application/pdf',
      typeLabel: 'PDF',
      size: pdf('one').length,
    });
    expect(items[1].filename).toBe('letter.PDF');
    const listed = await api('GET', `/api/disclosure/${entry.id}/documents`);
    expect(listed.json().items.map((d: { filename: string }) => d.filename)).toEqual([
      'camera-log-redacted.pdf',
      'letter.PDF',
    ]);
  });

  it('refuses anything that is not a PDF (whatever its name), too large, too many, or named after the requester', async () => {
    const { entry } = await draftEntry();
    const png = await upload(entry.id, [file('looks-like.pdf', PNG)]);
    expect(png.statusCode).toBe(415);
    expect(png.json().error).toMatchObject({
      code: 'disclosure.document_type',
      message: 'looks-like.pdf must be a PDF',
    });
    const text = await upload(entry.id, [
      file('notes.pdf', Buffer.from('just some text, not a PDF'), 'application/pdf'),
    ]);
    expect(text.statusCode).toBe(415);

    const big = Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]);
    const tooBig = await upload(entry.id, [file('huge.pdf', big)]);
    expect(tooBig.statusCode).toBe(413);

    const six = await upload(
      entry.id,
      Array.from({ length: 6 }, (_, i) => file(`doc-${i}.pdf`, pdf(String(i)))),
    );
    expect(six.statusCode).toBe(413);
    expect(six.json().error.code).toBe('disclosure.too_many_documents');

    const named = await upload(entry.id, [file(`Letter to ${CANARY_NAME}.pdf`, pdf('named'))]);
    expect(named.statusCode).toBe(422);
    expect(named.json().error.code).toBe('disclosure.personal_data');

    // Nothing was stored by any refusal; five is the most an entry can hold.
    expect((await api('GET', `/api/disclosure/${entry.id}/documents`)).json().items).toEqual([]);
    const four = await upload(
      entry.id,
      Array.from({ length: 4 }, (_, i) => file(`part-${i}.pdf`, pdf(`p${i}`))),
    );
    expect(four.statusCode).toBe(201);
    const more = await upload(entry.id, [file('a.pdf', pdf('a')), file('b.pdf', pdf('b'))]);
    expect(more.statusCode).toBe(413);
    expect(more.json().error.message).toMatch(/up to 5 documents: it has 4/);
  });

  it('a document added to an approved entry sends it back to draft; a published entry is not changed', async () => {
    const { entry } = await draftEntry();
    await approve(entry.id);
    expect((await entryNow(entry.id)).status).toBe('approved');
    expect((await upload(entry.id, [file('late.pdf', pdf('late'))])).statusCode).toBe(201);
    expect((await entryNow(entry.id)).status).toBe('draft');
    await approve(entry.id);
    await publish(entry.id);
    const refused = await upload(entry.id, [file('after.pdf', pdf('after'))]);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.code).toBe('disclosure.not_editable');
    const docs = (await api('GET', `/api/disclosure/${entry.id}/documents`)).json().items;
    const removal = await api('DELETE', `/api/disclosure/${entry.id}/documents/${docs[0].id}`);
    expect(removal.statusCode).toBe(422);
  });

  it('the staff page uploads with its CSRF token, and removes a document', async () => {
    const { entry, case: c } = await draftEntry();
    const session = await signInPage(t.app, caseworker);
    const url = `/disclosure-entries/${entry.id}`;
    const posted = await postMultipart(
      t.app,
      session,
      `${url}/documents`,
      [file('page-upload.pdf', pdf('page'))],
      url,
    );
    expect(posted.statusCode, posted.body).toBe(303);
    const page = await session.get(`${url}?notice=documents`);
    expect(page.body).toContain('page-upload.pdf');
    expect(page.body).toMatch(/PDF, \d+ bytes/);

    const wrong = await postMultipart(
      t.app,
      session,
      `${url}/documents`,
      [file('photo.pdf', PNG, 'image/png')],
      url,
    );
    expect(wrong.statusCode).toBe(415);
    expect(wrong.body).toContain('govuk-error-summary');
    expect(wrong.body).toContain('photo.pdf must be a PDF');

    // Without the token the upload is refused.
    const body = multipart([file('no-token.pdf', pdf('x'))]);
    const forged = await t.app.inject({
      method: 'POST',
      url: `${url}/documents`,
      headers: { cookie: session.jar.header(), 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(forged.statusCode).toBe(403);

    const [doc] = (await api('GET', `/api/disclosure/${entry.id}/documents`)).json().items;
    const download = await session.get(`${url}/documents/${doc.id}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toMatch(/^attachment;/);
    const removed = await session.post(`${url}/documents/${doc.id}/remove`, {}, url);
    expect(removed.statusCode).toBe(303);
    expect((await api('GET', `/api/disclosure/${entry.id}/documents`)).json().items).toEqual([]);

    const kinds = await t.db.sql<{ kind: string }[]>`
      select kind from case_events where case_id = ${c.id} and kind like 'disclosure_document%' order by id`;
    expect(kinds.map((k) => k.kind)).toEqual([
      'disclosure_document_added',
      'disclosure_document_removed',
    ]);
  });
});

describe('the public entry page and its documents', () => {
  it('lists and serves documents only as downloads, with no requester data; 404 before publication, 410 once withdrawn', async () => {
    const { entry } = await draftEntry();
    const bytes = pdf('public');
    const added = await upload(entry.id, [file('camera-log-redacted.pdf', bytes)]);
    const doc = added.json().items[0];
    const publicUrl = `/disclosure-log/${entry.reference}/documents/${doc.id}`;

    // Not public until published.
    expect((await t.app.inject({ url: publicUrl })).statusCode).toBe(404);
    await approve(entry.id);
    await publish(entry.id);

    const page = await t.app.inject({ url: `/disclosure-log/${entry.reference}` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`href="${publicUrl}"`);
    expect(page.body).toMatch(/camera-log-redacted\.pdf<\/a> \(PDF, \d+ bytes\)/);
    for (const canary of [CANARY_NAME, CANARY_EMAIL]) expect(page.body).not.toContain(canary);

    const download = await t.app.inject({ url: publicUrl });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(bytes)).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="camera-log-redacted.pdf"; filename*=UTF-8''camera-log-redacted.pdf`,
    );
    expect(download.headers['content-security-policy']).toBe('sandbox');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['set-cookie']).toBeUndefined();
    for (const value of Object.values(download.headers))
      for (const canary of [CANARY_NAME, CANARY_EMAIL]) expect(String(value)).not.toContain(canary);

    // Another entry's document id, or a made-up one, is 404 under this reference.
    const other = await draftEntry();
    const otherDoc = (await upload(other.entry.id, [file('other.pdf', pdf('other'))])).json()
      .items[0];
    expect(
      (
        await t.app.inject({
          url: `/disclosure-log/${entry.reference}/documents/${otherDoc.id}`,
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await t.app.inject({ url: `/disclosure-log/${entry.reference}/documents/not-a-uuid` }))
        .statusCode,
    ).toBe(404);

    const withdrawn = await api(
      'POST',
      `/api/disclosure/${entry.id}/withdraw`,
      { version: (await entryNow(entry.id)).version, reason: 'Published in error' },
      mgrToken,
    );
    expect(withdrawn.statusCode).toBe(200);
    const gone = await t.app.inject({ url: publicUrl });
    expect(gone.statusCode).toBe(410);
    expect(gone.headers['content-disposition']).toBeUndefined();
    expect(gone.rawPayload.includes(bytes)).toBe(false);
  });
});

describe('in a browser', () => {
  let browser: Browser | undefined;
  let served: string | undefined;
  /** The app on a real port, started once for both journeys. */
  const baseUrl = async () => (served ??= await serve(t));
  afterAll(async () => browser?.close());

  it('the public entry page with a document passes axe (WCAG 2.2 AA)', async () => {
    const { entry } = await draftEntry();
    await upload(entry.id, [file('camera-log-redacted.pdf', pdf('browser'))]);
    await approve(entry.id);
    await publish(entry.id);
    const base = await baseUrl();
    browser ??= await launchBrowser();
    const page = await newPage(browser);
    const response = await page.goto(`${base}/disclosure-log/${entry.reference}`);
    expect(response?.status()).toBe(200);
    const link = page.getByRole('link', { name: 'camera-log-redacted.pdf' });
    expect(await link.count()).toBe(1);
    expect(await link.getAttribute('download')).not.toBeNull();
    await expectAccessible(page);
  });

  it('the staff entry page uploads a document through its form and passes axe', async () => {
    const { entry } = await draftEntry();
    const base = await baseUrl();
    browser ??= await launchBrowser();
    const page = await newPage(browser);
    await signInBrowser(page, base, caseworker);
    await visit(page, `${base}/disclosure-entries/${entry.id}`);
    await page.getByLabel('Add redacted documents').setInputFiles({
      name: 'minutes-redacted.pdf',
      mimeType: 'application/pdf',
      buffer: pdf('browser upload'),
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForURL(/notice=documents/);
    expect(await page.getByRole('link', { name: /minutes-redacted\.pdf/ }).count()).toBe(1);
    await expectAccessible(page);
  });
});
