/**
 * Files sent with a reply (issue #15 item 5): a case's files go with an email reply as real
 * attachments, under the download rules. A file still being virus-checked (or found
 * infected) is not offered and is refused if asked for; files go only by email.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { signInPage, type TestUser } from '../helpers/auth.js';
import { PNG } from '../helpers/multipart.js';
import { actorOf, openCase } from './fixtures.js';

const t = useTestApp(); // no virus scanner here: files are stored "not virus-checked"
let caseworker: TestUser;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
});

async function caseWithFile(filename: string) {
  const c = await openCase(t.app, caseworker);
  const [file] = await t.app.services.correspondence.addAttachments(actorOf(caseworker), c.id, [
    { filename, data: PNG },
  ]);
  return { c, file: file! };
}

describe('reply attachments', () => {
  it('sends a case file with an email reply, as an attachment of that email', async () => {
    const { c, file } = await caseWithFile('street lamp.png');
    const session = await signInPage(t.app, caseworker);
    const compose = await session.get(`/casework/${c.id}/reply`);
    expect(compose.body).toContain('Files to send with an email (optional)');
    expect(compose.body).toContain(`value="${file.id}"`);
    const sent = await session.post(
      `/casework/${c.id}/reply`,
      {
        subject: 'Your request',
        body: 'The photograph you asked for is attached.',
        channel: 'email',
        responds: 'no',
        attachmentIds: file.id,
      },
      `/casework/${c.id}/reply`,
    );
    expect(sent.statusCode).toBe(303);
    const [email] = await t.db.sql<{ attachments: Array<Record<string, string>> }[]>`
      select e.attachments from email_messages e
      join outbound_messages o on o.email_id = e.id where o.case_id = ${c.id}`;
    expect(email!.attachments).toEqual([
      { filename: 'street lamp.png', contentType: 'image/png', content: PNG.toString('base64') },
    ]);
    // Delivered as a MIME attachment.
    await t.relay();
    const emailId = (
      await t.db.sql<{ email_id: string }[]>`
      select email_id from outbound_messages where case_id = ${c.id}`
    )[0]!.email_id;
    await t.app.services.mail.send(emailId);
    const raw = t.sink.messages.map((m) => m.raw).join('\n');
    expect(raw).toMatch(/Content-Disposition: attachment;\s*filename="street lamp.png"/);
  });

  it('neither offers nor sends a file still being virus-checked', async () => {
    const { c, file } = await caseWithFile('scan.png');
    await t.db.sql`update case_attachments set scan_status = 'pending' where id = ${file.id}`;
    const session = await signInPage(t.app, caseworker);
    const compose = await session.get(`/casework/${c.id}/reply`);
    expect(compose.body).not.toContain(`value="${file.id}"`);
    expect(compose.body).toContain('scan.png');
    const refused = await session.post(
      `/casework/${c.id}/reply`,
      {
        subject: 'Your request',
        body: 'Attached.',
        channel: 'email',
        responds: 'no',
        attachmentIds: file.id,
      },
      `/casework/${c.id}/reply`,
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toContain('being checked for viruses');
    expect((await t.db.sql`select 1 from outbound_messages where case_id = ${c.id}`).length).toBe(
      0,
    );
  });

  it('sends files only by email, and only the case’s own', async () => {
    const { c, file } = await caseWithFile('enclosure.png');
    const other = await caseWithFile('other.png');
    const send = (input: { channel: 'email' | 'post'; attachmentIds: string[] }) =>
      t.app.services.replies.send(actorOf(caseworker), c.id, {
        subject: 'Your request',
        body: 'Enclosed.',
        responds: false,
        ...input,
      });
    await expect(send({ channel: 'post', attachmentIds: [file.id] })).rejects.toMatchObject({
      statusCode: 400,
      fields: { attachmentIds: expect.stringContaining('only be sent with an email') },
    });
    await expect(send({ channel: 'email', attachmentIds: [other.file.id] })).rejects.toMatchObject({
      statusCode: 400,
      fields: { attachmentIds: expect.any(String) },
    });
  });
});
