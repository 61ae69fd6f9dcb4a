import argon2 from 'argon2';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { mfaRecoveryCodes, users } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { notFound } from '../platform/errors.js';
import { mfaNotStarted, setupCodeWrong } from './errors.js';
import type { Role, UserAccounts as UsersRepository, UserRow } from '../users/gateway.js';
import { ARGON2_OPTIONS } from './passwords.js';
import {
  newRecoveryCodes,
  newTotpSecret,
  normaliseRecoveryCode,
  openSecret,
  otpauthUri,
  sealSecret,
  totpStep,
} from './totp.js';

/** What a signed-in password still needs: a code, an enrolment first, or nothing. */
export type MfaNeed = 'verify' | 'enrol' | 'none';

/**
 * TOTP (RFC 6238) second factor for staff: seeds sealed with AES-256-GCM, replayed or old
 * steps refused, ten argon2id-hashed single-use recovery codes.
 */
export function createMfaService(deps: {
  db: Db;
  repo: UsersRepository;
  audit: AuditLog;
  clock: Clock;
  key: Buffer;
  issuer: string;
  requiredRoles: readonly Role[];
}) {
  const { db, repo, audit, clock, key } = deps;

  async function user(id: string): Promise<UserRow> {
    const row = await repo.findById(db, id);
    if (!row) throw notFound('User not found');
    return row;
  }

  /** Stores the step only if it is newer than the last: two racing requests cannot share one. */
  async function claimStep(userId: string, step: number): Promise<boolean> {
    const rows = await db
      .update(users)
      .set({ mfaLastStep: step })
      .where(and(eq(users.id, userId), or(isNull(users.mfaLastStep), lt(users.mfaLastStep, step))))
      .returning({ id: users.id });
    return rows.length === 1;
  }

  async function useRecoveryCode(actor: Actor, userId: string, typed: string): Promise<boolean> {
    const code = normaliseRecoveryCode(typed);
    if (!code) return false;
    const unused = await db
      .select()
      .from(mfaRecoveryCodes)
      .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
    for (const row of unused) {
      if (!(await argon2.verify(row.codeHash, code))) continue;
      return db.transaction(async (tx) => {
        const used = await tx
          .update(mfaRecoveryCodes)
          .set({ usedAt: clock.now() })
          .where(and(eq(mfaRecoveryCodes.id, row.id), isNull(mfaRecoveryCodes.usedAt)))
          .returning({ id: mfaRecoveryCodes.id });
        if (used.length === 0) return false; // spent by a racing request
        await audit.record(tx, actor, {
          action: 'auth.mfa_recovery_code_used',
          subjectType: 'user',
          subjectId: userId,
        });
        return true;
      });
    }
    return false;
  }

  return {
    need(row: UserRow): MfaNeed {
      if (row.mfaEnabledAt && row.mfaSecret) return 'verify';
      return deps.requiredRoles.includes(row.role) ? 'enrol' : 'none';
    },

    /** The seed to show at enrolment: the same one until confirmed, so a reload keeps the QR. */
    async begin(userId: string): Promise<{ secret: string; uri: string }> {
      const row = await user(userId);
      let secret = row.mfaPendingSecret ? openSecret(key, row.mfaPendingSecret) : undefined;
      if (!secret) {
        secret = newTotpSecret();
        await db
          .update(users)
          .set({ mfaPendingSecret: sealSecret(key, secret) })
          .where(eq(users.id, userId));
      }
      return { secret, uri: otpauthUri(deps.issuer, row.email, secret) };
    },

    /**
     * The first code proves the app holds the seed: it becomes the live one, old sessions end
     * (token version bumped, §3) and ten new recovery codes are returned, shown only once.
     */
    async confirm(actor: Actor, userId: string, code: string): Promise<string[]> {
      const row = await user(userId);
      if (!row.mfaPendingSecret) throw mfaNotStarted();
      const step = await totpStep(openSecret(key, row.mfaPendingSecret), code, clock.now(), null);
      if (step === undefined) throw setupCodeWrong();
      const codes = newRecoveryCodes();
      const hashes = await Promise.all(codes.map((c) => argon2.hash(c, ARGON2_OPTIONS)));
      await db.transaction(async (tx) => {
        await repo.update(
          tx,
          userId,
          {
            mfaSecret: row.mfaPendingSecret,
            mfaPendingSecret: null,
            mfaEnabledAt: clock.now(),
            mfaLastStep: step,
          },
          true,
        );
        await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
        await tx.insert(mfaRecoveryCodes).values(hashes.map((codeHash) => ({ userId, codeHash })));
        await audit.record(tx, actor, {
          action: row.mfaEnabledAt ? 'auth.mfa_replaced' : 'auth.mfa_enrolled',
          subjectType: 'user',
          subjectId: userId,
        });
      });
      repo.forgetSessions(); // again after the commit: see SESSION_CACHE_MS
      return codes;
    },

    /** A TOTP code (newer than the last accepted step) or an unused recovery code. */
    async check(actor: Actor, row: UserRow, code: string): Promise<'totp' | 'recovery' | false> {
      if (!row.mfaSecret) return false;
      const step = await totpStep(
        openSecret(key, row.mfaSecret),
        code,
        clock.now(),
        row.mfaLastStep,
      );
      if (step !== undefined) return (await claimStep(row.id, step)) ? 'totp' : false;
      return (await useRecoveryCode(actor, row.id, code)) ? 'recovery' : false;
    },

    async status(userId: string): Promise<{ enrolled: boolean; codesLeft: number }> {
      const row = await user(userId);
      const [left] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(mfaRecoveryCodes)
        .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
      return { enrolled: row.mfaEnabledAt !== null, codesLeft: left?.n ?? 0 };
    },

    /** An admin's reset: the user enrols again at next sign-in; their sessions end. */
    async reset(actor: Actor, userId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const row = await repo.update(
          tx,
          userId,
          { mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null },
          true,
        );
        if (!row) throw notFound('User not found');
        await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
        await audit.record(tx, actor, {
          action: 'user.mfa_reset',
          subjectType: 'user',
          subjectId: userId,
        });
      });
      repo.forgetSessions(); // again after the commit: see SESSION_CACHE_MS
    },
  };
}
export type MfaService = ReturnType<typeof createMfaService>;
