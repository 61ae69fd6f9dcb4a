import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const userRole = pgEnum('user_role', ['caseworker', 'manager', 'admin']);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    jobTitle: text('job_title'),
    role: userRole('role').notNull(),
    /** Null for an invited user until they follow the activation link. */
    passwordHash: text('password_hash'),
    /** Bumped on sign-out-everywhere, password or role change, disabling: old tokens die. */
    tokenVersion: integer('token_version').notNull().default(1),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    /** TOTP seed under AES-256-GCM (`iv.tag.ciphertext`, base64url); null until enrolled. */
    mfaSecret: text('mfa_secret'),
    /** A seed offered at enrolment, kept until the first code proves the app holds it. */
    mfaPendingSecret: text('mfa_pending_secret'),
    mfaEnabledAt: timestamp('mfa_enabled_at', { withTimezone: true }),
    /** The last accepted TOTP time step: a code at or below it is a replay (RFC 6238 §5.2). */
    mfaLastStep: bigint('mfa_last_step', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Case-insensitive uniqueness: Jo@Example.org and jo@example.org are one account.
    uniqueIndex('users_email_lower_uq').on(sql`lower(${t.email})`),
  ],
);
export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;

/** One row per signed-in browser or API token; revocation is a column, not a cache. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    audience: text('audience', { enum: ['web', 'api'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** Last re-authentication (password and code) and the reason given (§1 "R", 5 minutes). */
    reauthAt: timestamp('reauth_at', { withTimezone: true }),
    reauthJustification: text('reauth_justification'),
    /** Sign-in order, even within one clock tick: the oldest session is the one ended. */
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);
export type SessionRow = typeof sessions.$inferSelect;
export type NewSessionRow = typeof sessions.$inferInsert;

/** Failed sign-ins, counted per account and per IP over a sliding window. */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    emailNorm: text('email_norm').notNull(),
    ip: text('ip').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('login_failures_email_idx').on(t.emailNorm, t.at),
    index('login_failures_ip_idx').on(t.ip, t.at),
  ],
);

/** Ten single-use recovery codes per enrolment, argon2id-hashed like passwords. */
export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('mfa_recovery_codes_user_idx').on(t.userId)],
);

/**
 * Activation (invite, 24 h) and password reset (1 h) links: only SHA-256 of the 256-bit
 * token is kept; the email re-derives the token when it is sent. Single use.
 */
export const userTokens = pgTable(
  'user_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['invite', 'reset'] }).notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('user_tokens_hash_uq').on(t.tokenHash),
    index('user_tokens_user_idx').on(t.userId),
  ],
);
