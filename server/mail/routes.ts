import { Type } from '@sinclair/typebox';
import { simpleParser } from 'mailparser';
import type { Actor } from '../platform/audit.js';
import { apiRoute } from '../platform/api-route.js';
import { ADMINS } from '../platform/auth.js';
import { notFound } from '../platform/errors.js';
import { CsrfField } from '../platform/schemas.js';
import type { MailService } from './service.js';
import { pageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('mail');

const MessageParams = Type.Object(
  { id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
const AttachmentParams = Type.Object(
  { id: Type.String({ format: 'uuid' }), index: Type.Integer({ minimum: 0, maximum: 100 }) },
  { additionalProperties: false },
);

/** Admin pages: the development mailbox (read like a mail client) and the outgoing-mail ledger. */
const TestEmailBody = Type.Object(
  { to: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' }) },
  { additionalProperties: false },
);
const TestEmailForm = Type.Object(
  { _csrf: CsrfField, to: Type.String({ maxLength: 254 }) },
  { additionalProperties: false },
);
const MailboxItem = Type.Object({
  id: Type.String(),
  subject: Type.String(),
  envelopeTo: Type.String(),
  receivedAt: Type.String(),
});

export async function mailRoutes(
  app: App,
  opts: {
    mail: MailService;
    transportKind: string;
    queueTestEmail: (to: string, actor: Actor) => Promise<string>;
  },
) {
  const { mail } = opts;

  // Admins check delivery end to end (outbox, relay, queue, mailer) with one button.
  app.post(
    '/api/admin/test-email',
    api(ADMINS, 'Queue a test email through the outbox', {
      body: TestEmailBody,
      response: { 202: Type.Object({ emailId: Type.String() }) },
    }),
    async (request, reply) =>
      reply
        .code(202)
        .send({ emailId: await opts.queueTestEmail(request.body.to, request.actor()) }),
  );
  app.post(
    '/admin/emails/test',
    pageRoute(ADMINS, { body: TestEmailForm }),
    async (request, reply) => {
      const to = request.body.to.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(to)) {
        const [recent, failed] = await Promise.all([mail.recent(100), mail.failed()]);
        const errors = {
          to: 'Enter an email address in the correct format, like name@example.org',
        };
        const context = { pageTitle: 'Outgoing email', recent, failed, errors, values: { to } };
        return reply.page(
          'mail/views/emails.njk',
          { ...context, transportKind: opts.transportKind },
          400,
        );
      }
      await opts.queueTestEmail(to, request.actor());
      return reply.redirect('/admin/emails', 303);
    },
  );
  app.get(
    '/api/admin/mailbox',
    api(ADMINS, 'Messages in the development mailbox', {
      response: { 200: Type.Object({ items: Type.Array(MailboxItem) }) },
    }),
    async () => ({
      items: (await mail.devMailbox()).map((m) => ({
        ...m,
        receivedAt: m.receivedAt.toISOString(),
      })),
    }),
  );
  app.staffNav.push({ href: '/admin/emails', text: 'Emails', roles: ['admin'] });
  app.staffNav.push({ href: '/admin/mailbox', text: 'Mailbox', roles: ['admin'] });

  app.get('/admin/emails', pageRoute(ADMINS), async (_request, reply) => {
    const [recent, failed] = await Promise.all([mail.recent(100), mail.failed()]);
    return reply.page('mail/views/emails.njk', {
      pageTitle: 'Outgoing email',
      recent,
      failed,
      transportKind: opts.transportKind,
    });
  });

  app.get('/admin/mailbox', pageRoute(ADMINS), async (_request, reply) => {
    const messages = await mail.devMailbox();
    return reply.page('mail/views/mailbox.njk', {
      pageTitle: 'Development mailbox',
      messages,
      transportKind: opts.transportKind,
    });
  });

  /** A message in the development mailbox, parsed, or a 404. */
  const devMessage = async (id: string) => {
    const row = await mail.devMessage(id);
    if (!row) throw notFound('Message not found');
    return { row, parsed: await simpleParser(row.raw) };
  };

  app.get(
    '/admin/mailbox/:id',
    pageRoute(ADMINS, { params: MessageParams }),
    async (request, reply) => {
      const { row, parsed } = await devMessage(request.params.id);
      const addresses = (value: typeof parsed.to) =>
        (Array.isArray(value) ? value : value ? [value] : []).map((a) => a.text).join(', ');
      return reply.page('mail/views/message.njk', {
        pageTitle: parsed.subject ?? '(no subject)',
        message: {
          id: row.id,
          subject: parsed.subject ?? '(no subject)',
          from: addresses(parsed.from),
          to: addresses(parsed.to),
          date: parsed.date ?? row.receivedAt,
          messageId: parsed.messageId,
          inReplyTo: parsed.inReplyTo,
          text: parsed.text ?? '',
          attachments: parsed.attachments.map((a, index) => ({
            index,
            filename: a.filename ?? `attachment-${index}`,
            contentType: a.contentType,
            size: a.size,
          })),
          headers: [...parsed.headers.keys()]
            .filter((k) => k.startsWith('auto-submitted') || k.startsWith('x-auto'))
            .map((k) => ({
              key: k,
              value: JSON.stringify(parsed.headers.get(k)).replace(/^"|"$/g, ''),
            })),
        },
      });
    },
  );

  app.get(
    '/admin/mailbox/:id/attachments/:index',
    pageRoute(ADMINS, { params: AttachmentParams }),
    async (request, reply) => {
      const { parsed } = await devMessage(request.params.id);
      const attachment = parsed.attachments[request.params.index];
      if (!attachment) throw notFound('Attachment not found');
      const filename = (attachment.filename ?? 'attachment').replace(/[^\w.-]+/g, '_');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('content-security-policy', 'sandbox')
        .header('cache-control', 'no-store')
        .send(attachment.content);
    },
  );
}
