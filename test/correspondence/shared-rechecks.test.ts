import { drizzle } from 'drizzle-orm/postgres-js';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as schema from '../../db/schema/index.js';
import { CALENDAR_RECHECK_MS, createCalendarService } from '../../server/deadlines/calendar.js';
import { createUsersRepository, SESSION_CACHE_MS } from '../../server/users/repository.js';
import { useTestApp } from '../helpers/fixture.js';

/**
 * The session check (reused for SESSION_CACHE_MS) and the calendar version (re-checked every
 * CALENDAR_RECHECK_MS) are read again once, however many requests arrive together, and
 * ahead of the lapse while requests keep coming: under load, every request arriving after
 * the lapse used to send and wait for its own read (bench/README.md, session 8).
 */
const t = useTestApp();
let queries = 0;
let counted: ReturnType<typeof drizzle<typeof schema>>;

beforeAll(async () => {
  counted = drizzle(t.db.sql, { schema, logger: { logQuery: () => (queries += 1) } });
  await t.token(await t.user('caseworker'));
});

afterEach(() => {
  vi.useRealTimers();
});

const aSession = async () =>
  (await t.db.sql<Array<{ id: string }>>`select id from sessions limit 1`)[0]!.id;

/** The calendar re-check runs on `performance.now()`: only it is moved by hand. */
function handClock() {
  vi.useFakeTimers({ toFake: ['performance'] });
  return (ms: number) => vi.advanceTimersByTime(ms);
}

describe('shared re-reads', () => {
  it('reads a lapsed session check once for many requests, and ahead of the lapse', async () => {
    const id = await aSession();
    // The session reuse runs on the app's clock.
    const advance = (ms: number) => t.clock.advance(ms);
    const check = createUsersRepository(t.clock).prepareSessionWithUser(counted);
    queries = 0;
    expect((await check(id))?.session.id).toBe(id);
    expect(queries).toBe(1);
    // Within the reuse: no read.
    await Promise.all(Array.from({ length: 20 }, () => check(id)));
    expect(queries).toBe(1);
    // Lapsed: twenty requests at once share one read.
    advance(SESSION_CACHE_MS + 1);
    const rows = await Promise.all(Array.from({ length: 20 }, () => check(id)));
    expect(rows.every((row) => row?.session.id === id)).toBe(true);
    expect(queries).toBe(2);
    // Near the lapse: answered from the cache at once, one read started behind it.
    advance(SESSION_CACHE_MS - 100);
    await Promise.all(Array.from({ length: 20 }, () => check(id)));
    await expect.poll(() => queries).toBe(3);
    // That read renewed the reuse: no request waits at the old lapse.
    advance(200);
    await check(id);
    expect(queries).toBe(3);
  });

  it('never lets a request join a session read begun before a revocation in this process', async () => {
    const id = await aSession();
    const repo = createUsersRepository(t.clock);
    const check = repo.prepareSessionWithUser(counted);
    queries = 0;
    const early = check(id);
    repo.forgetSessions();
    const late = check(id);
    await Promise.all([early, late]);
    expect(queries).toBe(2);
  });

  it('re-checks the calendar version once for many reads, and ahead of the lapse', async () => {
    const advance = handClock();
    const calendar = createCalendarService({ db: counted, clock: t.clock });
    queries = 0;
    const first = await calendar.current();
    const loadQueries = queries; // the version, then the holidays
    advance(CALENDAR_RECHECK_MS + 1);
    const again = await Promise.all(Array.from({ length: 20 }, () => calendar.current()));
    expect(again.every((loaded) => loaded.version === first.version)).toBe(true);
    expect(queries).toBe(loadQueries + 1);
    advance(CALENDAR_RECHECK_MS - 100);
    await Promise.all(Array.from({ length: 20 }, () => calendar.current()));
    await expect.poll(() => queries).toBe(loadQueries + 2);
    advance(200);
    await calendar.current();
    expect(queries).toBe(loadQueries + 2);
    // A change in this process: the next read does not reuse the check begun before it.
    calendar.changed();
    await calendar.current();
    expect(queries).toBe(loadQueries + 3);
  });
});
