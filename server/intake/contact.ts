/**
 * The public contact form and `POST /api/public/contact` (docs/rules/correspondence.md §2).
 * A submission becomes a case through `createCase`, which also queues the one
 * acknowledgement; an idempotency key stored in the same transaction makes a repeat
 * return the first answer (docs/rules/reliability.md §5).
 */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { idempotencyKeys } from '../../db/schema/index.js';
import type { CaseGateway } from '../correspondence/gateway.js';
import type { CaseType } from '../correspondence/workflow.js';
import type { Clock } from '../lib/clock.js';
import { londonDateOf } from '../lib/dates.js';
import { headerSafe } from '../mail/header-safe.js';
import type { Actor } from '../platform/audit.js';
import { AppError, validationError, type FieldErrors } from '../platform/errors.js';
import { idempotencyKeyReused } from './errors.js';

/** What a member of the public can ask about, in the order the form offers it. */
export const PUBLIC_TYPES = [
  'general',
  'suggestion',
  'complaint',
  'compliment',
  'foi',
  'sar',
] as const satisfies readonly CaseType[];
export type PublicType = (typeof PUBLIC_TYPES)[number];

export const PUBLIC_TYPE_LABELS: Record<PublicType, { text: string; hint?: string }> = {
  general: { text: 'A general question' },
  suggestion: { text: 'A suggestion' },
  complaint: {
    text: 'A complaint',
    hint: 'About the service from this office or its staff',
  },
  compliment: { text: 'A compliment' },
  foi: {
    text: 'A request for information (freedom of information)',
    hint: 'Ask for information this office holds',
  },
  sar: {
    text: 'A request for your own personal data (subject access request)',
    hint: 'Ask for a copy of the personal information we hold about you',
  },
};

export const CONTACT_LIMITS = { name: 200, email: 254, phone: 40, subject: 200, message: 20_000 };

export interface ContactSubmission {
  name?: string;
  email?: string;
  phone?: string;
  type?: string;
  subject?: string;
  message?: string;
}

/** What the confirmation shows, stored as the idempotency key's response. */
export interface ContactReceipt {
  reference: string;
  type: PublicType;
  receivedOn: string;
  dueDate: string | null;
  /** Whether an acknowledgement was queued (at most 3 a day go to one address). */
  acknowledged: boolean;
  /** True when this answer is a replay of an earlier submission. */
  replayed: boolean;
}

/** A repeat within this long returns the first answer; older keys are swept. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_SWEEP_BATCH = 1000;

export interface IdempotencyScope {
  /** `contact-form` or `contact-api`: the same key in each is a different submission. */
  scope: string;
  key: string;
}

// No NUL: PostgreSQL text cannot hold it (the address is stored and looked up as typed).
const EMAIL = /^[^\s@<>()",;:\0]+@[^\s@<>()",;:\0]+\.[^\s@<>()",;:\0]+$/;
const PHONE = /^[+\d][\d\s().-]{4,30}$/;
// eslint-disable-next-line no-control-regex -- PostgreSQL text cannot hold NUL; other controls are kept
const NUL = /\u0000/g;

/**
 * Trimmed, header-safe values. Names and subjects lose CR, LF and control characters
 * (docs/rules/security.md §5: they may end up in mail headers); the message keeps its line breaks.
 */
export function normaliseSubmission(input: ContactSubmission) {
  return {
    name: headerSafe(input.name ?? ''),
    email: (input.email ?? '').trim(),
    phone: headerSafe(input.phone ?? ''),
    type: (input.type ?? '').trim(),
    subject: headerSafe(input.subject ?? ''),
    message: (input.message ?? '').replace(NUL, '').replace(/\r\n?/g, '\n'),
  };
}
export type NormalisedSubmission = ReturnType<typeof normaliseSubmission>;

/** Every problem at once, in the order of the form, worded for the GOV.UK error summary. */
export function contactProblems(value: NormalisedSubmission, requireType: boolean): FieldErrors {
  const fields: FieldErrors = {};
  if (!value.name) fields.name = 'Enter your full name';
  else if (value.name.length > CONTACT_LIMITS.name)
    fields.name = `Full name must be ${CONTACT_LIMITS.name} characters or fewer`;
  if (!value.email) fields.email = 'Enter your email address';
  else if (value.email.length > CONTACT_LIMITS.email || !EMAIL.test(value.email))
    fields.email = 'Enter an email address in the correct format, like name@example.com';
  if (value.phone && (value.phone.length > CONTACT_LIMITS.phone || !PHONE.test(value.phone)))
    fields.phone =
      'Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192';
  if (!value.type) {
    if (requireType) fields.type = 'Select what your message is about';
  } else if (!(PUBLIC_TYPES as readonly string[]).includes(value.type))
    fields.type = 'Select what your message is about';
  if (!value.subject) fields.subject = 'Enter a subject';
  else if (value.subject.length > CONTACT_LIMITS.subject)
    fields.subject = `Subject must be ${CONTACT_LIMITS.subject} characters or fewer`;
  if (!value.message.trim()) fields.message = 'Enter your message';
  else if (value.message.length > CONTACT_LIMITS.message)
    fields.message = `Your message must be ${CONTACT_LIMITS.message.toLocaleString('en-GB')} characters or fewer`;
  return fields;
}

/** An Idempotency-Key's row: a key is unique within its scope (form or API), not across. */
const keyRow = (idempotency: IdempotencyScope) =>
  and(eq(idempotencyKeys.scope, idempotency.scope), eq(idempotencyKeys.key, idempotency.key));

/** createCase's field names → the form's. */
const CASE_FIELDS: Record<string, string> = {
  'contact.name': 'name',
  'contact.email': 'email',
  'contact.phone': 'phone',
  body: 'message',
};

export function createContactService(deps: { db: Db; clock: Clock; cases: CaseGateway }) {
  const { db, clock, cases } = deps;

  const requestHash = (value: NormalisedSubmission) =>
    createHash('sha256')
      .update(
        JSON.stringify([
          value.name,
          value.email.toLowerCase(),
          value.phone,
          value.type || 'general',
          value.subject,
          value.message,
        ]),
      )
      .digest('hex');

  /**
   * Records a submission as a case (channel `web`) and returns what the confirmation
   * shows. With a key, the key row is inserted first in the same transaction: a repeat
   * with the same answers returns the first receipt; different answers get 422.
   */
  async function submit(
    actor: Actor,
    input: ContactSubmission,
    idempotency: IdempotencyScope | null,
    opts: { requireType?: boolean } = {},
  ): Promise<ContactReceipt> {
    const value = normaliseSubmission(input);
    const problems = contactProblems(value, opts.requireType ?? false);
    if (Object.keys(problems).length > 0) throw validationError(problems);
    const type = (value.type || 'general') as PublicType;
    const hash = requestHash(value);

    try {
      return await db.transaction(async (tx) => {
        const now = clock.now();
        if (idempotency) {
          const [claimed] = await tx
            .insert(idempotencyKeys)
            .values({ ...idempotency, requestHash: hash, response: {}, createdAt: now })
            .onConflictDoNothing()
            .returning({ key: idempotencyKeys.key });
          if (!claimed) {
            // Committed by an earlier (or a concurrent, now finished) request.
            const [first] = await tx.select().from(idempotencyKeys).where(keyRow(idempotency));
            if (!first || first.requestHash !== hash) throw idempotencyKeyReused();
            return { ...(first.response as unknown as ContactReceipt), replayed: true };
          }
        }
        const created = await cases.createCase(
          actor,
          {
            type,
            channel: 'web',
            receivedAt: now,
            subject: value.subject,
            body: value.message,
            contact: { name: value.name, email: value.email, phone: value.phone || null },
            ...(idempotency ? { source: { type: idempotency.scope, id: idempotency.key } } : {}),
          },
          { tx },
        );
        const receipt: ContactReceipt = {
          reference: created.reference,
          type,
          receivedOn: londonDateOf(now),
          dueDate: created.dueDate,
          acknowledged: created.acknowledgementEmailId !== null,
          replayed: created.duplicate,
        };
        if (idempotency)
          await tx
            .update(idempotencyKeys)
            .set({ response: { ...receipt, replayed: false } })
            .where(keyRow(idempotency));
        return receipt;
      });
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 400 && error.fields) {
        const fields: FieldErrors = {};
        for (const [field, message] of Object.entries(error.fields))
          fields[CASE_FIELDS[field] ?? field] ??= message;
        throw validationError(fields);
      }
      throw error;
    }
  }

  /**
   * Deletes keys older than 24 h, oldest first, `batchSize` at a time, each batch its own
   * short statement (rows a concurrent request holds are skipped, not waited for). Stops
   * after `maxBatches`; the next run carries on.
   */
  async function sweepExpiredKeys(
    opts: { batchSize?: number; maxBatches?: number } = {},
  ): Promise<{ deleted: number; batches: number; cutoff: string }> {
    const batchSize = opts.batchSize ?? IDEMPOTENCY_SWEEP_BATCH;
    const maxBatches = opts.maxBatches ?? 100;
    const cutoff = new Date(clock.now().getTime() - IDEMPOTENCY_KEY_TTL_MS);
    let deleted = 0;
    let batches = 0;
    while (batches < maxBatches) {
      const rows = await db
        .delete(idempotencyKeys)
        .where(
          sql`(${idempotencyKeys.scope}, ${idempotencyKeys.key}) in (
            select scope, key from idempotency_keys where created_at < ${cutoff.toISOString()}::timestamptz
            order by created_at limit ${batchSize} for update skip locked)`,
        )
        .returning({ key: idempotencyKeys.key });
      batches += 1;
      deleted += rows.length;
      if (rows.length < batchSize) break;
    }
    return { deleted, batches, cutoff: cutoff.toISOString() };
  }

  return { submit, sweepExpiredKeys };
}
export type ContactService = ReturnType<typeof createContactService>;
