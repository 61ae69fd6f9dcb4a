import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../../db/client.js';
import { devMailbox } from '../../db/schema/index.js';

export interface MailTransport {
  kind: 'smtp' | 'dev-mailbox';
  transporter: Transporter;
  close(): void;
}

interface StreamedMail {
  message: {
    createReadStream(): NodeJS.ReadableStream;
    getEnvelope(): { to: string[] };
    messageId(): string;
  };
  data: { subject?: string };
}

/**
 * With SMTP_URL, a pooled SMTP transport. Without, a transport that "delivers" the real
 * RFC 822 message into the development mailbox table, so staff can read exactly what
 * would have been sent, attachments included.
 */
export function createMailTransport(
  smtpUrl: string | undefined,
  db: Db,
  options: {
    /** SMTP_REQUIRE_TLS: STARTTLS is mandatory (a server not offering it fails the send). */
    requireTLS?: boolean;
  } = {},
): MailTransport {
  if (smtpUrl) {
    // The URL's own options apply first; requireTLS is refused in it when set here (config).
    const transporter = nodemailer.createTransport(
      options.requireTLS ? { url: smtpUrl, requireTLS: true } : smtpUrl,
    );
    return { kind: 'smtp', transporter, close: () => transporter.close() };
  }
  const devTransport = {
    name: 'dev-mailbox',
    version: '1',
    send(mail: StreamedMail, callback: (error: Error | null, info?: unknown) => void) {
      const chunks: Buffer[] = [];
      const stream = mail.message.createReadStream();
      stream.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
      stream.on('error', (error: Error) => callback(error));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelope = mail.message.getEnvelope();
        const messageId = mail.message.messageId();
        db.insert(devMailbox)
          .values({
            messageId,
            envelopeTo: envelope.to.join(', '),
            subject: mail.data.subject ?? '',
            raw,
          })
          .then(() =>
            callback(null, { messageId, envelope, response: '250 stored in development mailbox' }),
          )
          .catch((error: Error) => callback(error));
      });
    },
  };
  const transporter = nodemailer.createTransport(devTransport as never);
  return { kind: 'dev-mailbox', transporter, close: () => transporter.close() };
}
