import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { AppError } from '../platform/errors.js';
import { normaliseEmail, type Role, type UsersRepository } from '../users/repository.js';
import { hashPassword, needsRehash, verifyPassword } from './passwords.js';

export type Audience = 'web' | 'api';

export interface StaffIdentity {
  id: string;
  sid: string;
  name: string;
  email: string;
  role: Role;
  audience: Audience;
}

/** NCSC: lock after about 10 tries. Counted per account and, more loosely, per IP. */
export const THROTTLE = { windowMs: 15 * 60_000, perAccount: 10, perIp: 30 };
export const SESSION_ABSOLUTE_MS = 8 * 3600_000;
export const SESSION_IDLE_MS = 30 * 60_000;
const TOUCH_EVERY_MS = 60_000;

export const INVALID_CREDENTIALS = new AppError(
  401,
  'auth.invalid_credentials',
  'Enter a correct email address and password',
);

export interface TokenClaims {
  sub: string;
  sid: string;
  ver: number;
  aud: Audience;
}

export function createAuthService(deps: {
  db: Db;
  repo: UsersRepository;
  audit: AuditLog;
  clock: Clock;
  sign: (claims: TokenClaims, expiresInSeconds: number) => string;
}) {
  const { db, repo, audit, clock } = deps;
  // Unknown users are checked against a dummy hash so the reply time reveals nothing.
  const dummyHash = hashPassword('not-a-real-password-for-timing-only');
  const sessionWithUser = repo.prepareSessionWithUser(db);

  return {
    async signIn(input: {
      email: string;
      password: string;
      ip: string;
      audience: Audience;
      requestId: string;
    }) {
      const now = clock.now();
      const emailNorm = normaliseEmail(input.email);
      const failures = await repo.failuresSince(
        db,
        new Date(now.getTime() - THROTTLE.windowMs),
        emailNorm,
        input.ip,
      );
      if (failures.byAccount >= THROTTLE.perAccount || failures.byIp >= THROTTLE.perIp) {
        throw new AppError(
          429,
          'auth.throttled',
          'Too many failed sign-in attempts. Wait 15 minutes and try again.',
        );
      }
      const user = await repo.findByEmail(db, emailNorm);
      const ok = user
        ? await verifyPassword(user.passwordHash, input.password)
        : (await verifyPassword(await dummyHash, input.password), false);
      const actor: Actor = {
        id: user?.id ?? null,
        role: user?.role ?? null,
        requestId: input.requestId,
        ip: input.ip,
      };
      if (!user || !ok || user.disabledAt) {
        await db.transaction(async (tx) => {
          await repo.recordFailure(tx, emailNorm, input.ip, now);
          await audit.record(tx, actor, {
            action: 'auth.sign_in_failed',
            subjectType: 'user',
            subjectId: user?.id ?? null,
          });
        });
        throw INVALID_CREDENTIALS;
      }
      if (needsRehash(user.passwordHash)) {
        await repo.update(db, user.id, { passwordHash: await hashPassword(input.password) }, false);
      }
      const expiresAt = new Date(now.getTime() + SESSION_ABSOLUTE_MS);
      const session = await db.transaction(async (tx) => {
        const row = await repo.createSession(tx, {
          userId: user.id,
          audience: input.audience,
          createdAt: now,
          lastSeenAt: now,
          expiresAt,
        });
        await audit.record(tx, actor, {
          action: 'auth.sign_in',
          subjectType: 'user',
          subjectId: user.id,
        });
        return row;
      });
      const token = deps.sign(
        { sub: user.id, sid: session.id, ver: user.tokenVersion, aud: input.audience },
        SESSION_ABSOLUTE_MS / 1000,
      );
      return { token, expiresAt, user };
    },

    /** Checks a verified token against the database: revocation, idle time, version, disabling. */
    async resolve(claims: TokenClaims): Promise<StaffIdentity | undefined> {
      const row = await sessionWithUser(claims.sid);
      if (!row || row.user.id !== claims.sub) return undefined;
      const { session, user } = row;
      const now = clock.now().getTime();
      if (session.revokedAt || session.audience !== claims.aud) return undefined;
      if (session.expiresAt.getTime() <= now) return undefined;
      if (session.audience === 'web' && session.lastSeenAt.getTime() + SESSION_IDLE_MS <= now)
        return undefined;
      if (user.disabledAt || user.tokenVersion !== claims.ver) return undefined;
      if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS)
        await repo.touchSession(db, session.id, new Date(now));
      return {
        id: user.id,
        sid: session.id,
        name: user.name,
        email: user.email,
        role: user.role,
        audience: session.audience,
      };
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
