import { AppError } from '../platform/errors.js';

/** Intake's domain errors (the contact form, the contact API and inbound email), with stable codes. */

/** What a raw email must be, said on the `body` field of both ways in (service and API). */
const RAW_EMAIL_FIELD = { body: 'Send the raw email (RFC 822)' };

export const emptyMessage = (message = 'The message is empty') =>
  new AppError(400, 'intake.empty_message', message, RAW_EMAIL_FIELD);

export const messageTooLarge = () =>
  new AppError(413, 'too_large', 'The message is larger than 10 MiB');

export const IDEMPOTENCY_KEY_REUSED = 'idempotency.key_reused';

/** The same Idempotency-Key came back with a different submission. */
export const idempotencyKeyReused = () =>
  new AppError(
    422,
    IDEMPOTENCY_KEY_REUSED,
    'This submission has already been sent with different details',
  );
