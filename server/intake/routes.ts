import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { FORM_LIMITS } from '../platform/rate-limits.js';
import { formatDate } from '../lib/format.js';
import { apiRoute, publicApiRoute } from '../platform/api-route.js';
import { ADMINS, publicActor } from '../platform/auth.js';
import { AppError, type FieldErrors } from '../platform/errors.js';
import { emptyMessage, IDEMPOTENCY_KEY_REUSED } from './errors.js';
import {
  CONTACT_LIMITS,
  contactProblems,
  normaliseSubmission,
  PUBLIC_TYPE_LABELS,
  PUBLIC_TYPES,
  type ContactReceipt,
  type ContactSubmission,
} from './contact.js';
import { MAX_INBOUND_BYTES } from './inbound.js';
import {
  ContactForm,
  IdempotencyHeaders,
  InboundEmailResult,
  PublicContactBody,
  PublicContactResult,
} from './schemas.js';
import type { IntakeService } from './service.js';
import { publicPageRoute } from '../platform/page-route.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('intake');

/** The contact form's one bucket, page and API alike: 5 per IP per 10 minutes (docs/rules/security.md §6). */
const CONTACT_RATE_LIMIT = FORM_LIMITS.contact;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const FORM_FIELDS = ['name', 'email', 'phone', 'type', 'subject', 'message'] as const;

/** Posted values as strings, bounded, for re-display (whatever shape a bot sent). */
function formValues(body: unknown): ContactSubmission {
  const raw = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values: Record<string, string> = {};
  for (const field of FORM_FIELDS) {
    const value = Array.isArray(raw[field]) ? (raw[field] as unknown[])[0] : raw[field];
    if (typeof value === 'string') values[field] = value.slice(0, 60_000);
  }
  return values;
}

/** The contact form (GOV.UK, no JavaScript needed), its API twin and the inbound-email endpoint. */
export async function intakeRoutes(app: App, opts: { intake: IntakeService }) {
  const { intake } = opts;

  function renderForm(
    reply: FastifyReply,
    values: ContactSubmission,
    idempotencyKey: string,
    errors?: FieldErrors,
    status = 200,
  ) {
    return reply.page(
      'intake/views/contact.njk',
      {
        pageTitle: 'Contact the Police and Crime Commissioner',
        errors,
        values,
        idempotencyKey,
        limits: CONTACT_LIMITS,
        typeItems: PUBLIC_TYPES.map((value) => ({
          value,
          text: PUBLIC_TYPE_LABELS[value].text,
          ...(PUBLIC_TYPE_LABELS[value].hint
            ? { hint: { text: PUBLIC_TYPE_LABELS[value].hint } }
            : {}),
          checked: values.type === value,
        })),
      },
      status,
    );
  }

  function renderConfirmation(reply: FastifyReply, receipt: ContactReceipt | null) {
    return reply.page('intake/views/confirmation.njk', {
      pageTitle: 'Message sent',
      receipt,
      dueDate: receipt?.dueDate ? formatDate(receipt.dueDate) : null,
    });
  }

  app.get('/contact', publicPageRoute(), async (_request, reply) =>
    renderForm(reply, {}, randomUUID()),
  );

  app.post(
    '/contact',
    {
      ...publicPageRoute({ body: ContactForm }, { rateLimit: CONTACT_RATE_LIMIT }),
      attachValidation: true,
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const values = formValues(request.body);
      const posted = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : '';
      // The key minted when the form rendered; a page without one gets one now.
      const key = UUID_V4.test(posted) ? posted.toLowerCase() : randomUUID();

      if (request.validationError) {
        const errors = contactProblems(normaliseSubmission(values), true);
        if (Object.keys(errors).length === 0)
          errors['contact-form'] = 'Check your answers and send the form again';
        return renderForm(reply, values, key, errors, 400);
      }
      if (typeof body.website === 'string' && body.website.trim() !== '') {
        // The honeypot: thank the bot, record nothing.
        request.log.info({ honeypot: true }, 'contact form honeypot filled');
        return renderConfirmation(reply, null);
      }
      try {
        const receipt = await intake.submitContact(
          publicActor(request),
          values,
          { scope: 'contact-form', key },
          { requireType: true },
        );
        return renderConfirmation(reply, receipt);
      } catch (error) {
        if (error instanceof AppError && error.statusCode === 400 && error.fields)
          return renderForm(reply, values, key, error.fields, 400);
        if (error instanceof AppError && error.code === IDEMPOTENCY_KEY_REUSED)
          return reply.page(
            'intake/views/sent-before.njk',
            { pageTitle: 'Message already sent' },
            422,
          );
        throw error;
      }
    },
  );

  app.post(
    '/api/public/contact',
    publicApiRoute(
      CONTACT_RATE_LIMIT,
      'Send a message to the office (creates a case and emails an acknowledgement)',
      {
        description:
          'Rate-limited per IP. An `Idempotency-Key` header makes a repeat with the same body return the first answer; the same key with a different body gets 422.',
        headers: IdempotencyHeaders,
        body: PublicContactBody,
        response: { 201: PublicContactResult },
      },
    ),
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const receipt = await intake.submitContact(
        publicActor(request),
        request.body,
        key ? { scope: 'contact-api', key } : null,
      );
      if (receipt.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send({ reference: receipt.reference, dueDate: receipt.dueDate });
    },
  );

  // Raw MIME in: its own plugin scope, so only this route reads message/rfc822 and text/plain
  // as bytes, with a 10 MiB limit. Any other content type gets 415.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['message/rfc822', 'text/plain'],
      { parseAs: 'buffer', bodyLimit: MAX_INBOUND_BYTES },
      (_request, payload, done) => done(null, payload),
    );
    scope.post(
      '/api/inbound-email',
      {
        bodyLimit: MAX_INBOUND_BYTES,
        ...api(ADMINS, 'Ingest one raw email (RFC 822) as an integration would deliver it', {
          description:
            'Body: the raw message as `message/rfc822` or `text/plain`, up to 10 MiB. Idempotent by Message-ID (or a hash of From, Date, Subject and body): a second delivery answers `duplicate: true` and changes nothing.',
          response: { 201: InboundEmailResult },
        }),
      },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body) || request.body.length === 0)
          throw emptyMessage('Send the raw email as the body');
        const result = await intake.ingestRawEmail(request.body, {
          via: 'api',
          actor: request.actor(),
        });
        return reply.code(201).send(result);
      },
    );
  });
}
