import { Type } from '@sinclair/typebox';
import { CONTACT_LIMITS, PUBLIC_TYPES } from './contact.js';
import { Nullable } from '../platform/schemas.js';

/** `POST /api/public/contact` (docs/rules/api.md). Lengths as docs/rules/security.md §5. */
export const PublicContactBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: CONTACT_LIMITS.name }),
    email: Type.String({ minLength: 1, maxLength: CONTACT_LIMITS.email }),
    phone: Type.Optional(Type.String({ maxLength: CONTACT_LIMITS.phone })),
    type: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...PUBLIC_TYPES] })),
    subject: Type.String({ minLength: 1, maxLength: CONTACT_LIMITS.subject }),
    message: Type.String({ minLength: 1, maxLength: CONTACT_LIMITS.message }),
  },
  { additionalProperties: false },
);

/** Printable ASCII, as in the IETF Idempotency-Key draft; a UUID is the usual choice. */
export const IdempotencyHeaders = Type.Object(
  {
    'idempotency-key': Type.Optional(
      Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' }),
    ),
  },
  { additionalProperties: true },
);

export const PublicContactResult = Type.Object({
  reference: Type.String(),
  dueDate: Nullable(Type.String()),
});

/**
 * The form as posted. Lengths here only bound the request (the body limit is 64 KiB);
 * the friendly limits ("20,000 characters or fewer") are checked after, so the page can
 * name every problem and keep what was typed.
 */
export const ContactForm = Type.Object(
  {
    _csrf: Type.Optional(Type.String({ maxLength: 200 })),
    idempotencyKey: Type.Optional(Type.String({ maxLength: 100 })),
    /** The honeypot: hidden from people, filled by bots. */
    website: Type.Optional(Type.String({ maxLength: 2000 })),
    name: Type.Optional(Type.String({ maxLength: 2000 })),
    email: Type.Optional(Type.String({ maxLength: 2000 })),
    phone: Type.Optional(Type.String({ maxLength: 2000 })),
    type: Type.Optional(Type.String({ maxLength: 100 })),
    subject: Type.Optional(Type.String({ maxLength: 2000 })),
    message: Type.Optional(Type.String({ maxLength: 60_000 })),
  },
  { additionalProperties: false },
);

export const InboundEmailResult = Type.Object({
  caseId: Nullable(Type.String()),
  reference: Nullable(Type.String()),
  created: Type.Boolean(),
  duplicate: Type.Boolean(),
  automated: Type.Boolean(),
  threadedBy: Nullable(Type.String()),
  inboundId: Type.String(),
});
