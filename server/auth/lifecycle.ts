import { createHash, createHmac } from 'node:crypto';
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client.js';
import { userTokens } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import type { MailService } from '../mail/service.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { validationError } from '../platform/errors.js';
import { INVALID_LINK } from './errors.js';
import {
  normaliseEmail,
  type UserAccounts as UsersRepository,
  type UserRow,
} from '../users/gateway.js';
import type { BreachCheck } from './breached.js';
import { hashPassword, passwordRefusal } from './passwords.js';

export type LinkPurpose = 'invite' | 'reset';

/** docs/rules/security.md §2: activation links last 24 hours, reset links 1 hour. */
export const LINK_LIFETIME_MS: Record<LinkPurpose, number> = {
  invite: 24 * 3600_000,
  reset: 3600_000,
};
export const LINK_PATH: Record<LinkPurpose, string> = {
  invite: '/activate',
  reset: '/reset-password',
};
const LINK_MAIL = 'user_link';
const LINK_PLACEHOLDER = '[link]';
export const LINK_TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Invitations, password resets and the lock email. A link's token is an HMAC of its row id
 * (256 bits); only its SHA-256 is stored, and the email derives the token as it is sent, so
 * neither the database nor the email row holds a usable link.
 */
export function createAccountLinks(deps: {
  db: Db;
  repo: UsersRepository;
  audit: AuditLog;
  clock: Clock;
  mail: MailService;
  secret: string;
  publicUrl: string;
  officeName: string;
  /** The Pwned Passwords range check (docs/rules/security.md §2); absent: none. */
  breached?: BreachCheck;
}) {
  const { db, repo, audit, clock, mail } = deps;
  const key = createHmac('sha256', deps.secret).update('opcc account link key').digest();
  const tokenFor = (id: string) =>
    createHmac('sha256', key).update(`user-link:${id}`).digest('base64url');

  mail.onRender(LINK_MAIL, (email) => {
    const [purpose, id] = (email.subjectRef ?? '').split(':') as [LinkPurpose, string];
    const url = `${deps.publicUrl}${LINK_PATH[purpose]}/${tokenFor(id)}`;
    return email.text.replace(LINK_PLACEHOLDER, url);
  });

  async function issue(
    tx: DbOrTx,
    user: UserRow,
    purpose: LinkPurpose,
    send = true,
  ): Promise<string> {
    const now = clock.now();
    // A new link retires the user's earlier unused ones of the same kind.
    await tx
      .update(userTokens)
      .set({ usedAt: now })
      .where(
        and(
          eq(userTokens.userId, user.id),
          eq(userTokens.purpose, purpose),
          isNull(userTokens.usedAt),
        ),
      );
    const id = crypto.randomUUID();
    await tx.insert(userTokens).values({
      id,
      userId: user.id,
      purpose,
      tokenHash: sha256(tokenFor(id)),
      createdAt: now,
      expiresAt: new Date(now.getTime() + LINK_LIFETIME_MS[purpose]),
    });
    const url = `${deps.publicUrl}${LINK_PATH[purpose]}/${tokenFor(id)}`;
    if (!send) return url;
    const text =
      purpose === 'invite'
        ? `Hello ${user.name},\n\nYou have been given an account on the ${deps.officeName} casework system. Set your password here within 24 hours:\n\n${LINK_PLACEHOLDER}\n\nYou will then set up an authenticator app to sign in.\n`
        : `Hello ${user.name},\n\nSomeone asked to reset the password of your ${deps.officeName} casework account. If it was you, choose a new password here within 1 hour:\n\n${LINK_PLACEHOLDER}\n\nIf it was not you, ignore this email: your password has not changed.\n`;
    await mail.queue(tx, {
      to: user.email,
      subject:
        purpose === 'invite' ? 'Set up your casework account' : 'Reset your casework password',
      text,
      subjectType: LINK_MAIL,
      subjectRef: `${purpose}:${id}`,
    });
    return url;
  }

  /** The unused, unexpired link row behind a token, with its user. */
  async function find(purpose: LinkPurpose, token: string) {
    if (!LINK_TOKEN_RE.test(token)) return undefined;
    const [row] = await db
      .select()
      .from(userTokens)
      .where(
        and(
          eq(userTokens.tokenHash, sha256(token)),
          eq(userTokens.purpose, purpose),
          isNull(userTokens.usedAt),
          gt(userTokens.expiresAt, clock.now()),
        ),
      );
    if (!row) return undefined;
    const user = await repo.findById(db, row.userId);
    return user && !user.disabledAt ? { row, user } : undefined;
  }

  return {
    /** Sends the activation link for a user created without a password. */
    invite: async (tx: DbOrTx, user: UserRow) => void (await issue(tx, user, 'invite')),

    /**
     * An activation link handed over directly, not emailed: `admin:create` prints it for the
     * first admin (there is nobody yet to invite them). Same token rules as an emailed one.
     */
    activationLink: (tx: DbOrTx, user: UserRow) => issue(tx, user, 'invite', false),

    /**
     * Always answers the same way, so the form reveals nothing about who has an account.
     * Invited users who never activated get a fresh activation link instead.
     */
    async requestReset(email: string, actor: Actor): Promise<void> {
      // No account's address holds NUL (PostgreSQL text cannot): as for an unknown address.
      if (email.includes('\u0000')) return;
      const user = await repo.findByEmail(db, normaliseEmail(email));
      if (!user || user.disabledAt) return;
      await db.transaction(async (tx) => {
        await issue(tx, user, user.passwordHash ? 'reset' : 'invite');
        await audit.record(tx, actor, {
          action: 'auth.reset_requested',
          subjectType: 'user',
          subjectId: user.id,
        });
      });
    },

    async check(purpose: LinkPurpose, token: string): Promise<boolean> {
      return (await find(purpose, token)) !== undefined;
    },

    /**
     * Sets the password and spends the link in one transaction; a second use, an expired
     * link or a racing request gets 400. Sessions end (token version); MFA is still asked
     * for at the next sign-in: a link never signs anyone in.
     */
    async setPassword(
      purpose: LinkPurpose,
      token: string,
      password: string,
      actor: Actor,
    ): Promise<void> {
      const found = await find(purpose, token);
      if (!found) throw INVALID_LINK;
      const problem = await passwordRefusal(
        password,
        { name: found.user.name, email: found.user.email },
        deps.breached,
      );
      if (problem) throw validationError({ password: problem });
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        const spent = await tx
          .update(userTokens)
          .set({ usedAt: clock.now() })
          .where(and(eq(userTokens.id, found.row.id), isNull(userTokens.usedAt)))
          .returning({ id: userTokens.id });
        if (spent.length === 0) throw INVALID_LINK;
        await repo.update(tx, found.user.id, { passwordHash }, true);
        await audit.record(
          tx,
          { ...actor, id: found.user.id, role: found.user.role },
          {
            action: purpose === 'invite' ? 'auth.activated' : 'auth.password_reset',
            subjectType: 'user',
            subjectId: found.user.id,
          },
        );
      });
      repo.forgetSessions(); // again after the commit: see SESSION_CACHE_MS
    },

    /** The lock email (§2): written in the failure's transaction, sent by the outbox. */
    async lockNotice(tx: DbOrTx, userId: string): Promise<void> {
      const user = await repo.findById(tx, userId);
      if (!user) return;
      await mail.queue(tx, {
        to: user.email,
        subject: 'Your casework account is locked for 15 minutes',
        text: `Hello ${user.name},\n\nThere were 10 failed attempts to sign in to your ${deps.officeName} casework account, so it is locked for 15 minutes.\n\nIf this was not you, tell your administrator. You can also reset your password from the sign-in page.\n`,
        subjectType: 'user_lock',
        subjectRef: user.id,
      });
    },
  };
}
export type AccountLinks = ReturnType<typeof createAccountLinks>;
