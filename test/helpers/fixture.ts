/**
 * The one shared test-app fixture: `const t = useTestApp(options)` at the top of a test file
 * builds the real app against this file's own database (fixed clock, captured mailbox) before
 * the file's tests and closes it after them.
 *
 * `t` is a TestApp (t.app, t.db, t.clock, t.sink, t.startWorkers(), ...), so the domain
 * fixtures that take one (makeCase(t.app, ...), team(t), api(t)) work unchanged; `t.mailbox`
 * names the captured mailbox. Staff come from `t.user(role)`, and their sign-ins from
 * `t.token(user)` and `t.page(user)`: one API token and one page session per user for the
 * whole file, because a user may hold at most three live sessions (a fourth sign-in ends the
 * oldest, and with it a token a test still holds).
 */
import { afterAll, beforeAll } from 'vitest';
import type { Role } from '../../server/users/types.js';
import { buildTestApp, type TestApp, type TestAppOptions } from './app.js';
import { apiToken, createUser, signInPage, type PageSession, type TestUser } from './auth.js';
import type { MailSink } from './mail-sink.js';

export interface TestFixture extends TestApp {
  /** The captured mailbox: every email the app sent through SMTP. */
  readonly mailbox: MailSink;
  /** A new member of staff with this role (argon2id and all, through the real service). */
  user(role: Role, overrides?: Parameters<typeof createUser>[2]): Promise<TestUser>;
  /** The user's API token, signed in once per file and reused. */
  token(user: TestUser): Promise<string>;
  /** The user's page session (cookies, CSRF), signed in once per file and reused. */
  page(user: TestUser): Promise<PageSession>;
  /** Signs the user's page session in again (after the clock passed the idle timeout). */
  freshPage(user: TestUser): Promise<PageSession>;
  /** Takes a new API token for the user and keeps it as the reused one. */
  freshToken(user: TestUser): Promise<string>;
}

export interface FixtureOptions extends TestAppOptions {
  /** Runs before the app is built (a fake clamd, a proxy) with the options to build it with. */
  before?: () => Promise<Partial<TestAppOptions> | void>;
  /** Runs after the app is closed (stops what `before` started). */
  after?: () => Promise<void>;
}

/** Registers the file's beforeAll/afterAll and returns the app they build. */
export function useTestApp(options: FixtureOptions = {}): TestFixture {
  let built: TestApp | undefined;
  const tokens = new Map<string, Promise<string>>();
  const pages = new Map<string, Promise<PageSession>>();
  const app = (): TestApp => {
    if (!built) throw new Error('the test app is built in beforeAll: use it inside a hook or test');
    return built;
  };

  beforeAll(async () => {
    const { before, after: _after, ...buildOptions } = options;
    const extra = (await before?.()) ?? {};
    built = await buildTestApp({
      ...buildOptions,
      ...extra,
      config: { ...buildOptions.config, ...extra.config },
    });
  });
  afterAll(async () => {
    try {
      await built?.close();
    } finally {
      await options.after?.();
    }
  });

  /** Caches one sign-in per user: a rejected one is dropped so a later call can try again. */
  const once = <T>(cache: Map<string, Promise<T>>, user: TestUser, signIn: () => Promise<T>) => {
    let pending = cache.get(user.id);
    if (!pending) {
      pending = signIn();
      pending.catch(() => cache.delete(user.id));
      cache.set(user.id, pending);
    }
    return pending;
  };

  return {
    get app() {
      return app().app;
    },
    get db() {
      return app().db;
    },
    get databaseUrl() {
      return app().databaseUrl;
    },
    get queues() {
      return app().queues;
    },
    get clock() {
      return app().clock;
    },
    get sink() {
      return app().sink;
    },
    get mailbox() {
      return app().sink;
    },
    get config() {
      return app().config;
    },
    startWorkers: (workerOptions) => app().startWorkers(workerOptions),
    relay: () => app().relay(),
    close: () => app().close(),
    user: (role, overrides) => createUser(app().app, role, overrides),
    token: (user) => once(tokens, user, () => apiToken(app().app, user)),
    page: (user) => once(pages, user, () => signInPage(app().app, user)),
    freshPage: (user) => {
      pages.delete(user.id);
      return once(pages, user, () => signInPage(app().app, user));
    },
    freshToken: (user) => {
      tokens.delete(user.id);
      return once(tokens, user, () => apiToken(app().app, user));
    },
  };
}
