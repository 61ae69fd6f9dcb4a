import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { createUser } from '../helpers/auth.js';
import { createAuditLog } from '../../server/platform/audit.js';

const t = useTestApp();

describe('audit log', () => {
  it('records changes with actor, action, subject and time from the clock', async () => {
    const admin = await createUser(t.app, 'admin');
    const user = await t.app.services.users.create(
      { id: admin.id, role: 'admin', requestId: 'req-1' },
      {
        email: 'audited@opcc.test',
        name: 'Audited',
        role: 'caseworker',
        password: 'a long enough passphrase here',
      },
    );
    const rows = await t.db.sql`select * from audit_events where subject_id = ${user.id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor_id: admin.id,
      actor_role: 'admin',
      action: 'user.create',
      subject_type: 'user',
      request_id: 'req-1',
    });
    expect(new Date(rows[0]!.at as string).toISOString()).toBe(t.clock.now().toISOString());
  });

  it('§9 #27: app-role UPDATE/DELETE/TRUNCATE fails (and the owner is stopped by the trigger)', async () => {
    const [{ n: before }] = (await t.db
      .sql`select count(*)::int as n from audit_events`) as unknown as [{ n: number }];
    expect(before).toBeGreaterThan(0);
    // The application's connection runs as opcc_app, not as the login that owns the tables.
    const [who] = await t.db.sql<{ role: string; session: string }[]>`
      select current_user as role, session_user as session`;
    expect(who!.role).toBe('opcc_app');
    expect(who!.session).not.toBe('opcc_app');
    const denied = /permission denied/;
    await expect(t.db.sql`update audit_events set action = 'rewritten'`).rejects.toThrow(denied);
    await expect(t.db.sql`delete from audit_events`).rejects.toThrow(denied);
    await expect(t.db.sql`truncate audit_events`).rejects.toThrow(denied);
    // Nor may it switch the guard off: only the owner alters a table.
    await expect(
      t.db.sql`alter table audit_events disable trigger audit_events_no_update_delete`,
    ).rejects.toThrow(/must be owner/);
    // It still writes and reads the log.
    await t.db
      .sql`insert into audit_events (at, action, subject_type) values (now(), 'test.insert', 'test')`;
    const [{ n: after }] = (await t.db
      .sql`select count(*)::int as n from audit_events`) as unknown as [{ n: number }];
    expect(after).toBe(before + 1);
    const rewritten = await t.db.sql`select 1 from audit_events where action = 'rewritten'`;
    expect(rewritten).toHaveLength(0);

    // The owner (as migrations connect) has the privileges, and the trigger still refuses.
    const owner = postgres(t.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      await expect(owner`update audit_events set action = 'rewritten'`).rejects.toThrow(
        /append-only/,
      );
      await expect(owner`delete from audit_events`).rejects.toThrow(/append-only/);
      await expect(owner`truncate audit_events`).rejects.toThrow(/append-only/);
    } finally {
      await owner.end();
    }
  });

  it('rolls the audit row back with the change it belongs to', async () => {
    const [{ n: before }] = (await t.db
      .sql`select count(*)::int as n from audit_events`) as unknown as [{ n: number }];
    await expect(
      t.db.db.transaction(async (tx) => {
        await t.app.services.audit.record(
          tx,
          { id: null, role: 'system', requestId: null },
          { action: 'doomed', subjectType: 'test' },
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [{ n: after }] = (await t.db
      .sql`select count(*)::int as n from audit_events`) as unknown as [{ n: number }];
    expect(after).toBe(before);
  });

  it('writes concurrent reads in shared inserts, each row exactly as given', async () => {
    const audit = createAuditLog(t.clock, t.db.db);
    const awkward = ['it\'s "quoted", {braces}', 'back\\slash', 'NULL', '', 'ünïcödé ✓'];
    await Promise.all(
      awkward.map((justification, i) =>
        audit.recordRead(
          { id: null, role: 'system', requestId: `batch-${i}`, ip: '203.0.113.9' },
          { action: 'test.read', subjectType: 'case', subjectId: `s-${i}`, justification },
        ),
      ),
    );
    await audit.recordRead(
      { id: null, role: null, requestId: null },
      { action: 'test.read', subjectType: 'case' },
    );
    const rows = await t.db.sql`
      select request_id, subject_id, justification, actor_role, ip, at from audit_events
      where action = 'test.read' order by id`;
    expect(rows.map((r) => r.justification)).toEqual([...awkward, null]);
    expect(rows.map((r) => r.request_id)).toEqual([...awkward.map((_, i) => `batch-${i}`), null]);
    expect(rows[0]).toMatchObject({ subject_id: 's-0', actor_role: 'system', ip: '203.0.113.9' });
    expect(rows.at(-1)).toMatchObject({ subject_id: null, actor_role: null, ip: null });
    expect(new Date(rows[0]!.at as string).getTime()).toBe(t.clock.now().getTime());
  });
});
