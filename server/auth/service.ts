import type { Db, DbOrTx } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { AppError } from '../platform/errors.js';
import {
  INVALID_CODE,
  INVALID_CREDENTIALS,
  MFA_ENROLMENT_REQUIRED,
  MFA_REQUIRED,
  throttled,
} from './errors.js';
import {
  normaliseEmail,
  type UserAccounts as UsersRepository,
  type UserRow,
} from '../users/gateway.js';
import type { MfaService } from './mfa.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';
import {
  THROTTLE,
  SESSION_ABSOLUTE_MS,
  MAX_SESSIONS_PER_USER,
  SESSION_IDLE_MS,
  TOKEN_TTL_S,
  type Audience,
  type StaffIdentity,
  type TokenClaims,
} from './session-rules.js';

// The session rules live in session-rules.ts (platform/auth.ts reads them without the service).
export {
  THROTTLE,
  SESSION_ABSOLUTE_MS,
  MAX_SESSIONS_PER_USER,
  SESSION_IDLE_MS,
  TOKEN_TTL_S,
  REISSUE_WITHIN_MS,
  REAUTH_WINDOW_MS,
  type Audience,
  type StaffIdentity,
  type TokenClaims,
} from './session-rules.js';

/** Last-seen is written at most once a minute per session (idle limit ±1 minute). */
const TOUCH_EVERY_MS = 60_000;

export const REAUTH_PASSWORD = new AppError(
  401,
  'auth.reauth_invalid',
  'Enter your correct password',
  {
    password: 'Enter your correct password',
  },
);
export const REAUTH_CODE_MISSING = new AppError(
  401,
  'auth.mfa_required',
  'Enter the code from your authenticator app',
  { code: 'Enter the code from your authenticator app' },
);

/** The second step must follow the password within 5 minutes (§3). */
export const MFA_STEP_MS = 5 * 60_000;

export interface SignInInput {
  email: string;
  password: string;
  ip: string;
  audience: Audience;
  requestId: string;
  /** API only: a TOTP or recovery code, in the same request as the password. */
  otp?: string;
  /** Pages: where to go once the second step is done (a checked local path). */
  returnTo?: string;
}
export interface SessionResult {
  kind: 'session';
  token: string;
  /** The token's own expiry (15 minutes, §3). */
  expiresAt: Date;
  /** The session's absolute end (10 hours): refreshes never go past it. */
  sessionExpiresAt: Date;
  user: UserRow;
}

/** A token's lifetime: 15 minutes, never past the session's absolute end. */
export function tokenLifetimeS(now: Date, sessionEndsAt: Date): number {
  return Math.max(
    0,
    Math.min(TOKEN_TTL_S, Math.floor((sessionEndsAt.getTime() - now.getTime()) / 1000)),
  );
}
export type SignInResult =
  SessionResult | { kind: 'mfa'; need: 'verify' | 'enrol'; pendingToken: string; user: UserRow };

const actorOf = (user: UserRow | undefined, input: { ip: string; requestId: string }): Actor => ({
  id: user?.id ?? null,
  role: user?.role ?? null,
  requestId: input.requestId,
  ip: input.ip,
});

export function createAuthService(deps: {
  db: Db;
  repo: UsersRepository;
  audit: AuditLog;
  clock: Clock;
  mfa: MfaService;
  sign: (claims: TokenClaims, expiresInSeconds: number) => string;
  /** Tells the account's owner of a lock, in the failure's transaction (an email). */
  onLocked?: (tx: DbOrTx, userId: string) => Promise<void>;
}) {
  const { db, repo, audit, clock } = deps;
  // Unknown users are checked against a dummy hash so the reply time reveals nothing.
  const dummyHash = hashPassword('not-a-real-password-for-timing-only');
  const sessionWithUser = repo.prepareSessionWithUser(db);
  const { mfa } = deps;

  async function throttle(emailNorm: string, ip: string) {
    const since = new Date(clock.now().getTime() - THROTTLE.windowMs);
    const failures = await repo.failuresSince(db, since, emailNorm, ip);
    if (failures.byAccount >= THROTTLE.perAccount || failures.byIp >= THROTTLE.perIp) {
      throw throttled();
    }
  }

  /**
   * Wrong passwords and wrong codes count alike towards the lock (§2 throttling). The
   * failure that locks an account emails its owner, once per lock.
   */
  async function fail(emailNorm: string, actor: Actor, userId: string | null, action: string) {
    const now = clock.now();
    await db.transaction(async (tx) => {
      await repo.recordFailure(tx, emailNorm, actor.ip ?? '', now);
      await audit.record(tx, actor, {
        action,
        subjectType: 'user',
        subjectId: userId,
        username: emailNorm,
      });
      if (!userId || !deps.onLocked) return;
      const since = new Date(now.getTime() - THROTTLE.windowMs);
      const { byAccount } = await repo.failuresSince(tx, since, emailNorm, '');
      if (byAccount !== THROTTLE.perAccount) return;
      await audit.record(tx, actor, {
        action: 'auth.locked',
        subjectType: 'user',
        subjectId: userId,
      });
      await deps.onLocked(tx, userId);
    });
  }

  async function startSession(
    user: UserRow,
    audience: Audience,
    actor: Actor,
    now: Date,
  ): Promise<SessionResult> {
    const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
    const session = await db.transaction(async (tx) => {
      const row = await repo.createSession(tx, {
        userId: user.id,
        audience,
        createdAt: now,
        lastSeenAt: now,
        expiresAt,
      });
      // The newest three live on; older ones end now (§3, §9 #11).
      const live = await repo.activeSessions(tx, user.id, now);
      const ended = live.filter((s) => s.id !== row.id).slice(MAX_SESSIONS_PER_USER - 1);
      await repo.revokeSessions(
        tx,
        ended.map((s) => s.id),
        now,
      );
      await audit.record(tx, actor, {
        action: 'auth.sign_in',
        subjectType: 'user',
        subjectId: user.id,
      });
      return row;
    });
    const lifetime = tokenLifetimeS(now, expiresAt);
    const token = deps.sign(
      { sub: user.id, sid: session.id, ver: user.tokenVersion, aud: audience },
      lifetime,
    );
    return {
      kind: 'session',
      token,
      expiresAt: new Date(now.getTime() + lifetime * 1000),
      sessionExpiresAt: expiresAt,
      user,
    };
  }

  return {
    async signIn(input: SignInInput): Promise<SignInResult> {
      const now = clock.now();
      // PostgreSQL text cannot hold NUL (a query with one fails): such an address matches no
      // account and gets the unknown user's refusal; its failure is counted under U+FFFD.
      const unmatchable = input.email.includes('\u0000');
      const emailNorm = normaliseEmail(input.email.replaceAll('\u0000', '\uFFFD'));
      await throttle(emailNorm, input.ip);
      const user = unmatchable ? undefined : await repo.findByEmail(db, emailNorm);
      // An invited user with no password yet is checked against the dummy hash too.
      const ok = user?.passwordHash
        ? await verifyPassword(user.passwordHash, input.password)
        : (await verifyPassword(await dummyHash, input.password), false);
      const actor = actorOf(user, input);
      if (!user?.passwordHash || !ok || user.disabledAt) {
        await fail(emailNorm, actor, user?.id ?? null, 'auth.sign_in_failed');
        throw INVALID_CREDENTIALS;
      }
      if (needsRehash(user.passwordHash)) {
        await repo.update(db, user.id, { passwordHash: await hashPassword(input.password) }, false);
      }
      const need = mfa.need(user);
      if (input.audience === 'api') {
        // The API has no enrolment screens: staff enrol through the pages first.
        if (need === 'enrol') throw MFA_ENROLMENT_REQUIRED;
        if (need === 'verify') {
          if (!input.otp) throw MFA_REQUIRED;
          if (!(await mfa.check(actor, user, input.otp))) {
            await fail(emailNorm, actor, user.id, 'auth.mfa_failed');
            throw INVALID_CODE;
          }
        }
        return startSession(user, 'api', actor, now);
      }
      if (need === 'none') return startSession(user, 'web', actor, now);
      // Password accepted, second step pending: a 5-minute token that opens no session.
      const pendingToken = deps.sign(
        {
          sub: user.id,
          sid: '',
          ver: user.tokenVersion,
          aud: 'mfa',
          ...(input.returnTo ? { ret: input.returnTo } : {}),
        },
        MFA_STEP_MS / 1000,
      );
      return { kind: 'mfa', need, pendingToken, user };
    },

    /** The user behind a pending MFA token, if it still stands (same token version, enabled). */
    async pendingUser(claims: { sub: string; ver: number }): Promise<UserRow | undefined> {
      const user = await repo.findById(db, claims.sub);
      if (!user || user.disabledAt || user.tokenVersion !== claims.ver) return undefined;
      return user;
    },

    /** Second step of a page sign-in: a TOTP or recovery code opens the session. */
    async completeMfa(user: UserRow, input: { code: string; ip: string; requestId: string }) {
      const emailNorm = normaliseEmail(user.email);
      await throttle(emailNorm, input.ip);
      const actor = actorOf(user, input);
      if (!(await mfa.check(actor, user, input.code))) {
        await fail(emailNorm, actor, user.id, 'auth.mfa_failed');
        throw INVALID_CODE;
      }
      return startSession(user, 'web', actor, clock.now());
    },

    /** Enrolment at first sign-in: the confirmed code opens the session; codes shown once. */
    async completeEnrolment(user: UserRow, input: { code: string; ip: string; requestId: string }) {
      const emailNorm = normaliseEmail(user.email);
      await throttle(emailNorm, input.ip);
      const actor = actorOf(user, input);
      let codes: string[];
      try {
        codes = await mfa.confirm(actor, user.id, input.code);
      } catch (error) {
        if (error instanceof AppError && error.code === 'auth.mfa_invalid')
          await fail(emailNorm, actor, user.id, 'auth.mfa_failed');
        throw error;
      }
      const fresh = (await repo.findById(db, user.id))!;
      const session = await startSession(fresh, 'web', actor, clock.now());
      return { ...session, recoveryCodes: codes };
    },

    /**
     * Checks a verified token against the database: revocation, absolute end, idle time
     * (pages and API alike, §3), version, disabling. Last-seen is written at most once a
     * minute per session.
     */
    async resolve(claims: TokenClaims): Promise<StaffIdentity | undefined> {
      const row = await sessionWithUser(claims.sid);
      if (!row || row.user.id !== claims.sub) return undefined;
      const { session, user } = row;
      const now = clock.now().getTime();
      if (session.revokedAt || session.audience !== claims.aud) return undefined;
      if (session.expiresAt.getTime() <= now) return undefined;
      if (session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now) return undefined;
      if (user.disabledAt || user.tokenVersion !== claims.ver) return undefined;
      if (now - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS)
        await repo.touchSession(db, session.id, new Date(now));
      return {
        id: user.id,
        sid: session.id,
        name: user.name,
        email: user.email,
        role: user.role,
        audience: session.audience,
        tokenVersion: user.tokenVersion,
        sessionEndsAt: session.expiresAt,
        reauth:
          session.reauthAt && session.reauthJustification
            ? { at: session.reauthAt, justification: session.reauthJustification }
            : null,
      };
    },

    /**
     * A fresh 15-minute token for the same session (same `sid`, same version), never past
     * the session's absolute end; the caller has just resolved the current one.
     */
    reissue(identity: StaffIdentity): { token: string; expiresAt: Date } {
      const now = clock.now();
      const lifetime = tokenLifetimeS(now, identity.sessionEndsAt);
      const token = deps.sign(
        { sub: identity.id, sid: identity.sid, ver: identity.tokenVersion, aud: identity.audience },
        lifetime,
      );
      return { token, expiresAt: new Date(now.getTime() + lifetime * 1000) };
    },

    /**
     * Re-authentication for the actions the role table marks R (§1) and account changes
     * (§9 #12): the password again and, once enrolled, a code; failures count towards the
     * sign-in lock. Stamps the session with the time and the reason given, audited.
     */
    async reauthenticate(
      identity: StaffIdentity,
      input: {
        password: string;
        code?: string | undefined;
        justification: string;
        ip: string;
        requestId: string;
      },
    ): Promise<void> {
      const user = await repo.findById(db, identity.id);
      if (!user?.passwordHash) throw INVALID_CREDENTIALS;
      const emailNorm = normaliseEmail(user.email);
      await throttle(emailNorm, input.ip);
      const actor = actorOf(user, input);
      if (!(await verifyPassword(user.passwordHash, input.password))) {
        await fail(emailNorm, actor, user.id, 'auth.reauth_failed');
        throw REAUTH_PASSWORD;
      }
      if (mfa.need(user) === 'verify') {
        if (!input.code) throw REAUTH_CODE_MISSING;
        if (!(await mfa.check(actor, user, input.code))) {
          await fail(emailNorm, actor, user.id, 'auth.reauth_failed');
          throw INVALID_CODE;
        }
      }
      await db.transaction(async (tx) => {
        await repo.stampReauth(tx, identity.sid, clock.now(), input.justification);
        await audit.record(tx, actor, {
          action: 'auth.reauthenticated',
          subjectType: 'user',
          subjectId: user.id,
          justification: input.justification,
        });
      });
      repo.forgetSessions();
    },

    async signOut(identity: StaffIdentity, requestId: string) {
      await db.transaction(async (tx) => {
        await repo.revokeSession(tx, identity.sid, clock.now());
        await audit.record(
          tx,
          { id: identity.id, role: identity.role, requestId },
          { action: 'auth.sign_out', subjectType: 'user', subjectId: identity.id },
        );
      });
      repo.forgetSessions();
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
