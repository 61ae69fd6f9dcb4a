import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import {
  apiToken,
  bearer,
  csrfFrom,
  signInPage,
  type PageSession,
  type TestUser,
} from '../helpers/auth.js';
import { multipart, PNG, type Part } from '../helpers/multipart.js';
import { actorOf, makeCase } from './fixtures.js';

const HTML = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');

const t = useTestApp();
let caseworker: TestUser;
let outsider: TestUser;
let manager: TestUser;
let page: PageSession;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  outsider = await t.user('caseworker');
  manager = await t.user('manager');
  page = await t.page(caseworker);
});

/** One API token per user for the whole file: a person keeps at most three sessions, so
 *  signing in afresh for every request would end the caseworker's page session. */
const tokens = new Map<string, Promise<string>>();
function tokenOf(user: TestUser): Promise<string> {
  let token = tokens.get(user.email);
  if (!token) tokens.set(user.email, (token = apiToken(t.app, user)));
  return token;
}

/** Posts the case page's upload form with a real CSRF token. */
async function uploadOnPage(caseId: string, files: Part[], session = page) {
  const form = await session.get(`/casework/${caseId}`);
  const body = multipart([{ name: '_csrf', value: csrfFrom(form.body) }, ...files]);
  const response = await t.app.inject({
    method: 'POST',
    url: `/casework/${caseId}/attachments`,
    headers: { cookie: session.jar.header(), 'content-type': body.contentType },
    payload: body.payload,
  });
  session.jar.store(response);
  return response;
}

async function uploadByApi(user: TestUser, caseId: string, files: Part[]) {
  const body = multipart(files);
  return t.app.inject({
    method: 'POST',
    url: `/api/cases/${caseId}/attachments`,
    headers: { ...bearer(await tokenOf(user)), 'content-type': body.contentType },
    payload: body.payload,
  });
}

describe('attachments on a case', () => {
  it('uploads a PNG on the case page; it downloads byte-identical, only as an attachment', async () => {
    const c = await makeCase(t.app, caseworker);
    const response = await uploadOnPage(c.id, [
      {
        name: 'file',
        filename: 'C:\\Users\\me\\street lamp.png',
        contentType: 'image/png',
        data: PNG,
      },
    ]);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/casework/${c.id}?notice=attachments#attachments`);

    const casePage = await page.get(`/casework/${c.id}`);
    expect(casePage.body).toContain('Attachment added');
    const link = /href="(\/casework\/[0-9a-f-]{36}\/attachments\/[0-9a-f-]{36})"/.exec(
      casePage.body,
    );
    expect(link).not.toBeNull();
    expect(casePage.body).toContain('>street lamp.png<');

    const download = await page.get(link![1]!);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(PNG)).toBe(true);
    expect(download.headers['content-type']).toBe('image/png');
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="/);
    expect(download.headers['content-security-policy']).toBe('sandbox');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    expect(download.headers['cache-control']).toBe('no-store');

    const detail = await t.app.services.correspondence.get(actorOf(caseworker), c.id);
    expect(detail.attachments).toHaveLength(1);
    expect(detail.attachments[0]).toMatchObject({ contentType: 'image/png', size: PNG.length });
    expect(detail.timeline.filter((e) => e.kind === 'attachment_added')).toHaveLength(1);
    const [row] = await t.db.sql<{ sha256: string }[]>`
      select sha256 from case_attachments where case_id = ${c.id}`;
    expect(row!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const audits = await t.db.sql<{ action: string }[]>`
      select action from audit_events where subject_id = ${detail.attachments[0]!.id} order by at`;
    expect(audits.map((a) => a.action)).toEqual([
      'case.attachment.add',
      'case.attachment.download',
    ]);
  });

  it('the API takes multipart and returns 201; the download is the same bytes', async () => {
    const c = await makeCase(t.app, caseworker);
    const created = await uploadByApi(caseworker, c.id, [
      { name: 'file', filename: 'scan.png', contentType: 'image/png', data: PNG },
    ]);
    expect(created.statusCode).toBe(201);
    const [item] = created.json<{ items: Array<{ id: string; filename: string }> }>().items;
    expect(item!.filename).toBe('scan.png');
    const download = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${c.id}/attachments/${item!.id}`,
      headers: bearer(await tokenOf(caseworker)),
    });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(PNG)).toBe(true);
    expect(download.headers['content-disposition']).toBe(
      `attachment; filename="scan.png"; filename*=UTF-8''scan.png`,
    );
    expect(download.headers['content-security-policy']).toBe('sandbox');
  });

  it('security checklist 24: HTML renamed .pdf gets 415 and the error summary', async () => {
    const c = await makeCase(t.app, caseworker);
    const response = await uploadOnPage(c.id, [
      { name: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: HTML },
    ]);
    expect(response.statusCode).toBe(415);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('href="#file"');
    expect(response.body).toContain('report.pdf must be a PDF, PNG, JPEG or Word (DOCX) file');
    const api = await uploadByApi(caseworker, c.id, [
      { name: 'file', filename: 'report.pdf', contentType: 'application/pdf', data: HTML },
    ]);
    expect(api.statusCode).toBe(415);
    expect(api.json().error.code).toBe('correspondence.attachment_type');
    const [count] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from case_attachments where case_id = ${c.id}`;
    expect(count!.n).toBe(0);
  });

  it('security checklist 24: an oversized (11 MiB) upload gets 413', async () => {
    const c = await makeCase(t.app, caseworker);
    const big = Buffer.concat([PNG, Buffer.alloc(11 * 1024 * 1024)]);
    const response = await uploadOnPage(c.id, [
      { name: 'file', filename: 'huge.png', contentType: 'image/png', data: big },
    ]);
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain('huge.png must be smaller than 10 MB');
    const api = await uploadByApi(caseworker, c.id, [
      { name: 'file', filename: 'huge.png', contentType: 'image/png', data: big },
    ]);
    expect(api.statusCode).toBe(413);
  });

  it('refuses more than 5 files, and an empty form asks for a file', async () => {
    const c = await makeCase(t.app, caseworker);
    const six = Array.from({ length: 6 }, (_, i) => ({
      name: 'file',
      filename: `p${i}.png`,
      contentType: 'image/png',
      data: PNG,
    }));
    const response = await uploadOnPage(c.id, six);
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain('Select up to 5 files at a time');
    const empty = await uploadOnPage(c.id, [
      {
        name: 'file',
        filename: '',
        contentType: 'application/octet-stream',
        data: Buffer.alloc(0),
      },
    ]);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Select a file to upload');
  });

  it('refuses a multipart form without its CSRF token', async () => {
    const c = await makeCase(t.app, caseworker);
    const body = multipart([
      { name: 'file', filename: 'a.png', contentType: 'image/png', data: PNG },
    ]);
    const response = await t.app.inject({
      method: 'POST',
      url: `/casework/${c.id}/attachments`,
      headers: { cookie: page.jar.header(), 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(response.statusCode).toBe(403);
    const forged = multipart([
      { name: '_csrf', value: 'forged' },
      { name: 'file', filename: 'a.png', contentType: 'image/png', data: PNG },
    ]);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/casework/${c.id}/attachments`,
      headers: { cookie: page.jar.header(), 'content-type': forged.contentType },
      payload: forged.payload,
    });
    expect(refused.statusCode).toBe(403);
  });

  it('is a 404 for an unassigned caseworker on a restricted case', async () => {
    const c = await makeCase(t.app, caseworker, { assigneeId: caseworker.id });
    const created = await uploadByApi(caseworker, c.id, [
      { name: 'file', filename: 'secret.png', contentType: 'image/png', data: PNG },
    ]);
    const [item] = created.json<{ items: Array<{ id: string }> }>().items;
    await t.app.services.correspondence.setRestricted(actorOf(manager), c.id, {
      restricted: true,
      version: 1,
    });
    const hidden = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${c.id}/attachments/${item!.id}`,
      headers: bearer(await tokenOf(outsider)),
    });
    expect(hidden.statusCode).toBe(404);
    const outsiderPage = await signInPage(t.app, outsider);
    const hiddenPage = await outsiderPage.get(`/casework/${c.id}/attachments/${item!.id}`);
    expect(hiddenPage.statusCode).toBe(404);
    expect(hiddenPage.rawPayload.includes(PNG)).toBe(false);
    const upload = await uploadByApi(outsider, c.id, [
      { name: 'file', filename: 'x.png', contentType: 'image/png', data: PNG },
    ]);
    expect(upload.statusCode).toBe(404);
    // The assignee and a manager still can.
    const mine = await page.get(`/casework/${c.id}/attachments/${item!.id}`);
    expect(mine.statusCode).toBe(200);
    const managerApi = await t.app.inject({
      method: 'GET',
      url: `/api/cases/${c.id}/attachments/${item!.id}`,
      headers: bearer(await tokenOf(manager)),
    });
    expect(managerApi.statusCode).toBe(200);
    // An attachment is only found through its own case.
    const other = await makeCase(t.app, caseworker);
    const crossed = await page.get(`/casework/${other.id}/attachments/${item!.id}`);
    expect(crossed.statusCode).toBe(404);
  });
});
