import { beforeAll, describe, expect, it } from 'vitest';
import { asOwner } from '../helpers/app.js';
import { useTestApp } from '../helpers/fixture.js';
import type { PageSession, TestUser } from '../helpers/auth.js';
import { fieldParts, multipart, PDF, PNG, postMultipart, type Part } from '../helpers/multipart.js';

// No CLAMD_URL: the embedded development default, files are "not virus-checked".
const t = useTestApp();
let caseworker: TestUser;
let page: PageSession;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  page = await t.page(caseworker);
});

let n = 0;
function form(overrides: Record<string, string> = {}) {
  n += 1;
  return {
    type: 'general',
    channel: 'letter',
    'receivedAt-day': '20',
    'receivedAt-month': '11',
    'receivedAt-year': '2026',
    subject: `Speeding on Station Road ${n}`,
    body: 'Cars race past the school every morning.\nPlease put a camera there.',
    contactName: `Letter Writer ${n}`,
    contactPostcode: `EX${n} 1AA`,
    topics: ['communities'],
    ...overrides,
  };
}

const submit = (fields: Record<string, string | string[]>, files: Part[] = []) =>
  postMultipart(t.app, page, '/casework/new', [...fieldParts(fields), ...files]);

async function counts() {
  const [row] = await t.db.sql<{ cases: number; files: number; contacts: number }[]>`
    select (select count(*)::int from cases) as cases,
           (select count(*)::int from case_attachments) as files,
           (select count(*)::int from contacts) as contacts`;
  return row!;
}

const file = (filename: string, data: Buffer, contentType = 'application/octet-stream') => ({
  name: 'file',
  filename,
  contentType,
  data,
});

describe('staff entry with scanned attachments', () => {
  it('saves the case and its files in one submission; they are not virus-checked here', async () => {
    const fields = form();
    const response = await submit(fields, [
      file('C:\\scans\\letter page 1.png', PNG, 'image/png'),
      file('enclosure.pdf', PDF, 'application/pdf'),
    ]);
    expect(response.statusCode).toBe(303);
    const caseId = /^\/casework\/([0-9a-f-]{36})\?notice=created$/.exec(
      response.headers.location as string,
    )![1]!;

    const rows = await t.db.sql<
      { filename: string; content_type: string; scan_status: string; data: Buffer }[]
    >`select filename, content_type, scan_status, data from case_attachments
      where case_id = ${caseId} order by filename`;
    expect(rows.map((r) => [r.filename, r.content_type, r.scan_status])).toEqual([
      ['enclosure.pdf', 'application/pdf', 'not_scanned'],
      ['letter page 1.png', 'image/png', 'not_scanned'],
    ]);
    expect(rows[1]!.data.equals(PNG)).toBe(true);
    // No clamd: nothing is queued for scanning.
    const [jobs] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from outbox where topic = 'attachment-scan'`;
    expect(jobs!.n).toBe(0);

    const [kase] = await t.db.sql<{ subject: string; topics: string[] }[]>`
      select subject, topics from cases where id = ${caseId}`;
    expect(kase).toMatchObject({ subject: fields.subject, topics: ['communities'] });
    const events = await t.db.sql<{ kind: string }[]>`
      select kind from case_events where case_id = ${caseId} order by id`;
    expect(events.map((e) => e.kind)).toEqual(['created', 'attachment_added', 'attachment_added']);

    const casePage = await page.get(`/casework/${caseId}`);
    expect(casePage.body).toContain('data-scan-status="not_scanned"');
    expect(casePage.body).toContain('Warning: not virus-checked');
    const link = new RegExp(`href="(/casework/${caseId}/attachments/[0-9a-f-]{36})"`).exec(
      casePage.body,
    );
    const download = await page.get(link![1]!);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toMatch(/^attachment; /);
  });

  it('keeps a body longer than the multipart default field size (the whole text is saved)', async () => {
    const body = `${'A long letter. '.repeat(1200)}End.`; // ~18,000 characters
    const response = await submit(form({ body }), [file('p.png', PNG, 'image/png')]);
    expect(response.statusCode).toBe(303);
    const caseId = /\/casework\/([0-9a-f-]{36})/.exec(response.headers.location as string)![1]!;
    const [row] = await t.db.sql<{ body: string }[]>`select body from cases where id = ${caseId}`;
    expect(row!.body).toBe(body);
  });

  it('a file of the wrong type is a 415 field error; what was typed stays and nothing is saved', async () => {
    const before = await counts();
    const fields = form({ contactEmail: 'writer@example.org' });
    const response = await submit(fields, [
      file('good.png', PNG, 'image/png'),
      file('letter.pdf', Buffer.from('<html><script>alert(1)</script></html>'), 'application/pdf'),
    ]);
    expect(response.statusCode).toBe(415);
    expect(response.body).toContain('govuk-error-summary');
    expect(response.body).toContain('href="#file"');
    expect(response.body).toContain('letter.pdf must be a PDF, PNG, JPEG or Word (DOCX) file');
    expect(response.body).toContain('govuk-file-upload--error');
    expect(response.body).toContain(`value="${fields.subject}"`);
    expect(response.body).toContain('value="writer@example.org"');
    expect(response.body).toContain('Cars race past the school every morning.');
    expect(response.body).toMatch(/value="communities" checked/);
    expect(await counts()).toEqual(before);
  });

  it('a missing subject and a bad file are reported together (400)', async () => {
    const before = await counts();
    const response = await submit(form({ subject: '' }), [
      file('notes.txt', Buffer.from('plain text'), 'text/plain'),
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('href="#subject"');
    expect(response.body).toContain('href="#file"');
    expect(await counts()).toEqual(before);
  });

  it('a file over 10 MB is a 413; six files are too many; the form is kept each time', async () => {
    const before = await counts();
    const fields = form();
    const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024 + 1)]);
    const tooBig = await submit(fields, [file('huge.png', big, 'image/png')]);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.body).toContain('huge.png must be smaller than 10 MB');
    expect(tooBig.body).toContain(`value="${fields.subject}"`);

    const six = Array.from({ length: 6 }, (_, i) => file(`p${i}.png`, PNG, 'image/png'));
    const tooMany = await submit(fields, six);
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.body).toContain('Select up to 5 files at a time');
    expect(tooMany.body).toContain(`value="${fields.subject}"`);
    expect(await counts()).toEqual(before);
  });

  it('when the form is shown again for another reason, it asks for the good files again', async () => {
    const response = await submit(form({ 'receivedAt-day': '31', 'receivedAt-month': '2' }), [
      file('scan.png', PNG, 'image/png'),
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Select the files again before you save: scan.png');
  });

  it('a failure while storing a file rolls back the case and its new contact too', async () => {
    // A real database failure part-way through (after the case row is written).
    await asOwner(
      t.databaseUrl,
      `
      create function test_refuse_attachment() returns trigger language plpgsql as $$
      begin
        if new.filename = 'explode.png' then raise exception 'disk full (test)'; end if;
        return new;
      end $$;
      create trigger test_refuse_attachment before insert on case_attachments
        for each row execute function test_refuse_attachment();`,
    );
    try {
      const before = await counts();
      const response = await submit(form(), [
        file('first.png', PNG, 'image/png'),
        file('explode.png', PNG, 'image/png'),
      ]);
      expect(response.statusCode).toBe(500);
      expect(await counts()).toEqual(before);
    } finally {
      await asOwner(
        t.databaseUrl,
        `
        drop trigger test_refuse_attachment on case_attachments;
        drop function test_refuse_attachment();`,
      );
    }
  });

  it('refuses a multipart submission without the CSRF token', async () => {
    const before = await counts();
    const body = multipart([...fieldParts(form()), file('p.png', PNG, 'image/png')]);
    const response = await t.app.inject({
      method: 'POST',
      url: '/casework/new',
      headers: { cookie: page.jar.header(), 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(response.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });
});
