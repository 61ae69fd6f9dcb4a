import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { type PageSession } from '../helpers/auth.js';
import { fieldParts, PNG, postMultipart } from '../helpers/multipart.js';

const t = useTestApp();
let page: PageSession;

beforeAll(async () => {
  page = await t.page(await t.user('caseworker'));
});

const fields = {
  type: 'general',
  channel: 'letter',
  'receivedAt-day': '20',
  'receivedAt-month': '11',
  'receivedAt-year': '2026',
  subject: 'Seven scanned pages about the bypass',
  body: 'The letter runs to seven pages.\nEvery page was scanned separately.',
  contactName: 'Many Pages',
};

const files = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    name: 'file',
    filename: `page-${i + 1}.png`,
    contentType: 'image/png',
    data: PNG,
  }));

async function caseCount() {
  const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from cases`;
  return row!.n;
}

describe('staff new-case page with more files than the transport used to allow', () => {
  it.each([7, 20])(
    '%i files get our own 5-file field error, with the typed form kept and nothing saved',
    async (count) => {
      const before = await caseCount();
      const response = await postMultipart(t.app, page, '/casework/new', [
        ...fieldParts(fields),
        ...files(count),
      ]);
      expect(response.statusCode).toBe(413);
      // The page itself, not the generic "too large" page: field error, error summary, text.
      expect(response.headers['content-type']).toMatch(/^text\/html/);
      expect(response.body).toContain('Select up to 5 files at a time');
      expect(response.body).toContain('href="#file"');
      expect(response.body).toContain(`value="${fields.subject}"`);
      expect(response.body).toContain('Every page was scanned separately.');
      expect(response.body).toContain('value="Many Pages"');
      expect(await caseCount()).toBe(before);
    },
  );

  it('past the transport limit (20) the request is still refused outright', async () => {
    const response = await postMultipart(t.app, page, '/casework/new', [
      ...fieldParts(fields),
      ...files(21),
    ]);
    expect(response.statusCode).toBe(413);
    expect(response.body).not.toContain(`value="${fields.subject}"`);
  });
});
