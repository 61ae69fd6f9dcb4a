import type { FastifyInstance } from 'fastify';
import { CookieJar, csrfFrom } from '../helpers/auth.js';

let ipCounter = 10;
/** A fresh client IP, so each test has its own rate-limit bucket. */
export const nextIp = () => `198.51.100.${(ipCounter += 1)}`;

/** A browser on the public form: GET for the CSRF token and idempotency key, then POST. */
export class FormSession {
  readonly jar = new CookieJar();
  constructor(
    private readonly app: FastifyInstance,
    readonly ip: string = nextIp(),
  ) {}

  async get(url = '/contact') {
    const response = await this.app.inject({
      method: 'GET',
      url,
      remoteAddress: this.ip,
      headers: { cookie: this.jar.header() },
    });
    this.jar.store(response);
    return response;
  }

  /** Opens the form and returns its hidden fields. */
  async open() {
    const page = await this.get('/contact');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(page.body)?.[1];
    if (!key) throw new Error('no idempotency key on the form');
    return { csrf: csrfFrom(page.body), idempotencyKey: key, page };
  }

  async post(fields: Record<string, string>, url = '/contact') {
    const body = new URLSearchParams(fields);
    const response = await this.app.inject({
      method: 'POST',
      url,
      remoteAddress: this.ip,
      headers: { cookie: this.jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
    this.jar.store(response);
    return response;
  }

  /** Opens the form and sends it with these answers (plus its own hidden fields). */
  async submit(fields: Record<string, string>) {
    const { csrf, idempotencyKey } = await this.open();
    const response = await this.post({ _csrf: csrf, idempotencyKey, website: '', ...fields });
    return { response, idempotencyKey, csrf };
  }
}

export const goodAnswers = (overrides: Record<string, string> = {}) => ({
  name: 'Priya Shah',
  email: 'priya.shah@example.org',
  phone: '',
  type: 'general',
  subject: 'Speeding on Station Road',
  message: 'Cars speed past the primary school every morning. Can anything be done?',
  ...overrides,
});

export interface RawEmail {
  from?: string;
  to?: string;
  subject?: string;
  /** null: no Message-ID header at all. */
  messageId?: string | null;
  date?: string;
  inReplyTo?: string;
  references?: string;
  headers?: Record<string, string>;
  body?: string;
}

let mailCounter = 0;
/** A raw RFC 822 message with CRLF line ends. */
export function rawEmail(spec: RawEmail = {}): string {
  mailCounter += 1;
  const lines = [
    `From: ${spec.from ?? 'Jo Bloggs <jo.bloggs@example.org>'}`,
    `To: ${spec.to ?? 'casework@opcc.example.gov.uk'}`,
    `Subject: ${spec.subject ?? `Noise from the late bar ${mailCounter}`}`,
    `Date: ${spec.date ?? 'Mon, 23 Nov 2026 09:30:00 +0000'}`,
  ];
  if (spec.messageId !== null)
    lines.push(
      `Message-ID: ${spec.messageId ?? `<m${mailCounter}.${Date.now()}@mail.example.org>`}`,
    );
  if (spec.inReplyTo) lines.push(`In-Reply-To: ${spec.inReplyTo}`);
  if (spec.references) lines.push(`References: ${spec.references}`);
  for (const [name, value] of Object.entries(spec.headers ?? {})) lines.push(`${name}: ${value}`);
  lines.push('MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '');
  lines.push(spec.body ?? 'The bar on the corner plays loud music until 3am every weekend.');
  return lines.join('\r\n') + '\r\n';
}
