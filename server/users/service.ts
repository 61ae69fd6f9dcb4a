import type { Db, DbOrTx } from '../../db/client.js';
import type { UserRow } from '../../db/schema/index.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { notFound, validationError } from '../platform/errors.js';
import type { BreachCheck } from '../auth/breached.js';
import { hashPassword, passwordRefusal } from '../auth/passwords.js';
import type { UsersRepository } from './repository.js';
import { normaliseEmail, ROLES, type Role } from './types.js';
import { ownAccount, ownRole, userNotFound } from './errors.js';

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  /** Absent: the user is invited by email and chooses a password through the link. */
  password?: string;
  jobTitle?: string;
}

/** What pages and the API may see of a user: never the hash or the token version. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  jobTitle: string | null;
  role: Role;
  disabled: boolean;
  mfaEnabled: boolean;
  createdAt: string;
}

export const toUserView = (row: UserRow): UserView => ({
  id: row.id,
  email: row.email,
  name: row.name,
  jobTitle: row.jobTitle,
  role: row.role,
  disabled: row.disabledAt !== null,
  mfaEnabled: row.mfaEnabledAt !== null,
  createdAt: row.createdAt.toISOString(),
});

// No NUL either: PostgreSQL text cannot hold it.
const EMAIL = /^[^\s@<>()",;:\0]+@[^\s@<>()",;:\0]+\.[^\s@<>()",;:\0]+$/;

export function createUsersService(deps: {
  db: Db;
  repo: UsersRepository;
  audit: AuditLog;
  clock: Clock;
  /** Queues the activation email for a user added without a password. */
  invite?: (tx: DbOrTx, user: UserRow) => Promise<void>;
  /** The Pwned Passwords range check (docs/rules/security.md §2); absent: none. */
  breached?: BreachCheck;
}) {
  const { db, repo, audit } = deps;

  async function check(input: NewUser) {
    const fields: Record<string, string> = {};
    if (!EMAIL.test(input.email.trim()))
      fields.email = 'Enter an email address in the correct format, like name@example.org';
    if (!input.name.trim()) fields.name = 'Enter a name';
    if (!ROLES.includes(input.role)) fields.role = 'Select a role';
    if (input.password !== undefined) {
      const problem = await passwordRefusal(
        input.password,
        { name: input.name, email: input.email },
        deps.breached,
      );
      if (problem) fields.password = problem;
    } else if (!deps.invite) fields.password = 'Enter a password';
    if (Object.keys(fields).length > 0) throw validationError(fields);
  }

  return {
    async create(actor: Actor, input: NewUser): Promise<UserView> {
      await check(input);
      const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
      return db.transaction(async (tx) => {
        const row = await repo.insert(tx, {
          email: normaliseEmail(input.email),
          name: input.name.trim(),
          role: input.role,
          jobTitle: input.jobTitle?.trim() || null,
          passwordHash,
        });
        await audit.record(tx, actor, {
          action: passwordHash ? 'user.create' : 'user.invite',
          subjectType: 'user',
          subjectId: row.id,
        });
        if (!passwordHash) await deps.invite?.(tx, row);
        return toUserView(row);
      });
    },

    async list(): Promise<UserView[]> {
      return (await repo.list(db)).map(toUserView);
    },

    async get(id: string): Promise<UserView> {
      const row = await repo.findById(db, id);
      if (!row) throw userNotFound();
      return toUserView(row);
    },

    async changeRole(actor: Actor, id: string, role: Role): Promise<UserView> {
      if (!ROLES.includes(role)) throw validationError({ role: 'Select a role' });
      if (actor.id === id) throw ownRole();
      const view = await db.transaction(async (tx) => {
        const row = await repo.update(tx, id, { role }, true);
        if (!row) throw userNotFound();
        await audit.record(tx, actor, {
          action: `user.role.${role}`,
          subjectType: 'user',
          subjectId: id,
        });
        return toUserView(row);
      });
      repo.forgetSessions(); // again after the commit: see SESSION_CACHE_MS
      return view;
    },

    async setDisabled(actor: Actor, id: string, disabled: boolean): Promise<UserView> {
      if (actor.id === id && disabled) throw ownAccount();
      const view = await db.transaction(async (tx) => {
        const row = await repo.update(
          tx,
          id,
          { disabledAt: disabled ? deps.clock.now() : null },
          true,
        );
        if (!row) throw userNotFound();
        await audit.record(tx, actor, {
          action: disabled ? 'user.disable' : 'user.enable',
          subjectType: 'user',
          subjectId: id,
        });
        return toUserView(row);
      });
      repo.forgetSessions(); // again after the commit: see SESSION_CACHE_MS
      return view;
    },

    /** A user's live sessions for the admin page, newest first. */
    async sessions(id: string) {
      const rows = await repo.activeSessions(db, id, deps.clock.now());
      return rows.map((row) => ({
        id: row.id,
        audience: row.audience === 'web' ? 'Browser' : 'API token',
        createdAt: row.createdAt.toISOString(),
        lastSeenAt: row.lastSeenAt.toISOString(),
      }));
    },

    /** An admin ends one session (§1: ending sessions); it is refused at its next request. */
    async endSession(actor: Actor, userId: string, sessionId: string): Promise<void> {
      const live = await repo.activeSessions(db, userId, deps.clock.now());
      if (!live.some((row) => row.id === sessionId)) throw notFound('Session not found');
      await db.transaction(async (tx) => {
        await repo.revokeSessions(tx, [sessionId], deps.clock.now());
        await audit.record(tx, actor, {
          action: 'user.session_ended',
          subjectType: 'user',
          subjectId: userId,
        });
      });
      repo.forgetSessions(); // again after the commit: see SESSION_CACHE_MS
    },

    async changePassword(actor: Actor, id: string, password: string): Promise<void> {
      const user = await repo.findById(db, id);
      if (!user) throw userNotFound();
      const problem = await passwordRefusal(
        password,
        { name: user.name, email: user.email },
        deps.breached,
      );
      if (problem) throw validationError({ password: problem });
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        await repo.update(tx, id, { passwordHash }, true);
        await audit.record(tx, actor, {
          action: 'user.password',
          subjectType: 'user',
          subjectId: id,
        });
      });
      repo.forgetSessions(); // again after the commit: see SESSION_CACHE_MS
    },

    /** Accounts whose password the system set and nobody changed (docs/rules/security.md §9 #6). */
    defaultAccounts: () => repo.defaultAccounts(db),

    /**
     * `admin:create`: the first admin, with no password: `activationLink` issues the one-time
     * link the command prints, leading to the usual activation (password, then MFA set-up).
     * Refused while another usable admin exists (they invite people from the Users page).
     * `disableDefaultAccounts` also disables every default account, audited.
     */
    async createFirstAdmin(
      input: { email: string; name: string; disableDefaultAccounts?: boolean },
      activationLink: (tx: DbOrTx, user: UserRow) => Promise<string>,
    ): Promise<{ user: UserView; link: string; disabled: string[] }> {
      const actor: Actor = { id: null, role: 'system', requestId: null };
      const defaults = await repo.defaultAccounts(db);
      const defaultIds = new Set(defaults.map((row) => row.id));
      const admins = (await repo.list(db)).filter(
        (row) => row.role === 'admin' && !row.disabledAt && !defaultIds.has(row.id),
      );
      if (admins.length > 0)
        throw validationError({
          email: `An admin exists already (${admins.map((row) => row.email).join(', ')}): they add people from the Users page`,
        });
      await check({ email: input.email, name: input.name, role: 'admin' });
      const result = await db.transaction(async (tx) => {
        const row = await repo.insert(tx, {
          email: normaliseEmail(input.email),
          name: input.name.trim(),
          role: 'admin',
          jobTitle: null,
          passwordHash: null,
        });
        await audit.record(tx, actor, {
          action: 'user.invite',
          subjectType: 'user',
          subjectId: row.id,
        });
        const disabled: string[] = [];
        if (input.disableDefaultAccounts) {
          for (const account of defaults) {
            await repo.update(tx, account.id, { disabledAt: deps.clock.now() }, true);
            await audit.record(tx, actor, {
              action: 'user.disable',
              subjectType: 'user',
              subjectId: account.id,
            });
            disabled.push(account.email);
          }
        }
        return { user: toUserView(row), link: await activationLink(tx, row), disabled };
      });
      repo.forgetSessions();
      return result;
    },

    /**
     * The first admin: from ADMIN_EMAIL/ADMIN_PASSWORD, or with a random password that the
     * caller prints once. Does nothing once any user exists. Development and test only:
     * production never generates one (the account would be a default account, §9 #6).
     */
    async ensureFirstAdmin(
      email: string | undefined,
      password: string | undefined,
    ): Promise<{ email: string; password?: string } | undefined> {
      if ((await repo.count(db)) > 0) return undefined;
      const { randomBytes } = await import('node:crypto');
      const generated = password === undefined;
      const chosen = password ?? randomBytes(18).toString('base64url');
      const adminEmail = email ?? 'admin@opcc.example.gov.uk';
      await this.create(
        { id: null, role: 'system', requestId: null },
        { email: adminEmail, name: 'Administrator', role: 'admin', password: chosen },
      );
      return { email: adminEmail, ...(generated ? { password: chosen } : {}) };
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
