import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { bearer, type TestUser } from '../helpers/auth.js';
import { makeCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let manager: TestUser;
let cwToken: string;
let mgrToken: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  cwToken = await t.token(caseworker);
  mgrToken = await t.token(manager);
});

const move = (id: string, body: Record<string, unknown>, token = cwToken) =>
  t.app.inject({
    method: 'POST',
    url: `/api/cases/${id}/transitions`,
    headers: bearer(token),
    payload: body,
  });
const getCase = async (id: string, token = cwToken) => {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api/cases/${id}`,
    headers: bearer(token),
  });
  expect(response.statusCode).toBe(200);
  return response.json();
};
const snapshot = async (id: string) => {
  const [row] = await t.db
    .sql`select status, outcome, version, closed_at, responded_at, updated_at from cases where id = ${id}`;
  const [events] = await t.db.sql<
    { n: number }[]
  >`select count(*)::int as n from case_events where case_id = ${id}`;
  return { row, events: events!.n };
};

describe('transitions', () => {
  it('follows §5 from new to closed, each change once on the timeline with its actor', async () => {
    const c = await makeCase(t.app, caseworker, { type: 'foi' });
    let r = await move(c.id, { to: 'open', version: 1 });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'open', version: 2 });
    r = await move(c.id, {
      to: 'awaiting_requester',
      version: 2,
      reason: 'clarification_requested',
    });
    expect(r.statusCode).toBe(200);
    r = await move(c.id, { to: 'open', version: 3, reason: 'clarification_received' });
    expect(r.statusCode).toBe(200);
    r = await move(c.id, { to: 'awaiting_approval', version: 4 });
    expect(r.statusCode).toBe(200);
    r = await move(c.id, { to: 'responded', version: 5 }, mgrToken);
    expect(r.statusCode).toBe(200);
    expect(r.json().respondedOn).toBe('2026-11-23');
    r = await move(c.id, { to: 'closed', version: 6, outcome: 'granted_in_part' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: 'closed', outcome: 'granted_in_part', version: 7 });

    const detail = await getCase(c.id);
    const changes = detail.timeline.filter((e: { kind: string }) => e.kind === 'status_changed');
    expect(
      changes.map((e: { data: { from: string; to: string } }) => `${e.data.from}>${e.data.to}`),
    ).toEqual([
      'new>open',
      'open>awaiting_requester',
      'awaiting_requester>open',
      'open>awaiting_approval',
      'awaiting_approval>responded',
      'responded>closed',
    ]);
    expect(changes.map((e: { actor: { id: string } }) => e.actor.id)).toEqual([
      caseworker.id,
      caseworker.id,
      caseworker.id,
      caseworker.id,
      manager.id,
      caseworker.id,
    ]);
    expect(detail.timeline[0]).toMatchObject({ kind: 'created', actor: { id: caseworker.id } });
    // Every change, once: created + 6 moves, nothing else.
    expect(detail.timeline).toHaveLength(7);
    const [audits] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from audit_events where subject_id = ${c.id} and action like 'case.transition.%'`;
    expect(audits!.n).toBe(6);
  });

  it('refuses a move not in §5 with 422 and changes nothing', async () => {
    const c = await makeCase(t.app, caseworker);
    const before = await snapshot(c.id);
    for (const to of ['responded', 'awaiting_requester', 'awaiting_approval', 'new']) {
      const r = await move(c.id, { to, version: 1, reason: 'clarification_requested' });
      expect(r.statusCode).toBe(422);
      expect(r.json().error.code).toBe('correspondence.invalid_transition');
    }
    expect(await snapshot(c.id)).toEqual(before);
  });

  it('refuses approval for a type that has none (a compliment) with 422', async () => {
    const c = await makeCase(t.app, caseworker, { type: 'compliment' });
    await move(c.id, { to: 'open', version: 1 });
    const r = await move(c.id, { to: 'awaiting_approval', version: 2 });
    expect(r.statusCode).toBe(422);
  });

  it('refuses a stale version with 409 and changes nothing', async () => {
    const c = await makeCase(t.app, caseworker);
    expect((await move(c.id, { to: 'open', version: 1 })).statusCode).toBe(200);
    const before = await snapshot(c.id);
    const stale = await move(c.id, { to: 'closed', version: 1, outcome: 'duplicate' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('correspondence.stale_version');
    expect(await snapshot(c.id)).toEqual(before);
  });

  it('lets exactly one of two concurrent moves from the same version win', async () => {
    const c = await makeCase(t.app, caseworker);
    const results = await Promise.all([
      move(c.id, { to: 'open', version: 1 }),
      move(c.id, { to: 'closed', version: 1, outcome: 'spam' }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    const { events } = await snapshot(c.id);
    expect(events).toBe(2); // created + the winner
  });

  it('requires an outcome to close, from the right list, as a 400 field error', async () => {
    const c = await makeCase(t.app, caseworker);
    const missing = await move(c.id, { to: 'closed', version: 1 });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.fields.outcome).toBeTruthy();
    const wrong = await move(c.id, { to: 'closed', version: 1, outcome: 'granted' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.fields.outcome).toMatch(/Duplicate/);
    const ok = await move(c.id, { to: 'closed', version: 1, outcome: 'duplicate' });
    expect(ok.statusCode).toBe(200);
  });

  it('moves to awaiting the requester only via a clock event reason', async () => {
    const c = await makeCase(t.app, caseworker, { type: 'sar' });
    await move(c.id, { to: 'open', version: 1 });
    const bare = await move(c.id, { to: 'awaiting_requester', version: 2 });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error.fields.reason).toBeTruthy();
    const ok = await move(c.id, { to: 'awaiting_requester', version: 2, reason: 'id_requested' });
    expect(ok.statusCode).toBe(200);
    const close = await move(c.id, {
      to: 'closed',
      version: 3,
      reason: 'fee_not_paid',
      outcome: 'withdrawn',
    });
    expect(close.statusCode).toBe(200);
  });

  it('keeps manager-only moves for managers: reopening a closed case needs a reason', async () => {
    const c = await makeCase(t.app, caseworker);
    await move(c.id, { to: 'closed', version: 1, outcome: 'spam' });
    const byCaseworker = await move(c.id, { to: 'open', version: 2, reason: 'closed by mistake' });
    expect(byCaseworker.statusCode).toBe(403);
    const noReason = await move(c.id, { to: 'open', version: 2 }, mgrToken);
    expect(noReason.statusCode).toBe(400);
    const reopened = await move(
      c.id,
      { to: 'open', version: 2, reason: 'closed by mistake' },
      mgrToken,
    );
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json()).toMatchObject({ status: 'open', outcome: null, closedAt: null });
  });

  it('lets the type be corrected when the case is opened, recomputing the due date', async () => {
    const c = await makeCase(t.app, caseworker, { type: 'general' });
    const r = await move(c.id, { to: 'open', version: 1, type: 'foi' });
    expect(r.statusCode).toBe(200);
    expect(r.json().type).toBe('foi');
    const detail = await getCase(c.id);
    expect(detail.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'type_changed',
      'status_changed',
    ]);
  });

  it('answers 404 for an unknown or malformed id, and 400 for an unknown status', async () => {
    expect(
      (await move('00000000-0000-4000-8000-000000000000', { to: 'open', version: 1 })).statusCode,
    ).toBe(404);
    expect((await move('not-a-uuid', { to: 'open', version: 1 })).statusCode).toBe(404);
    const c = await makeCase(t.app, caseworker);
    const bogus = await move(c.id, { to: 'limbo', version: 1 });
    expect(bogus.statusCode).toBe(400);
    expect(bogus.json().error.fields.to).toBeTruthy();
  });
});

describe('notes', () => {
  it('adds an immutable note: on the timeline once, with its author; the database refuses edits', async () => {
    const c = await makeCase(t.app, caseworker);
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/cases/${c.id}/notes`,
      headers: bearer(cwToken),
      payload: { body: 'Called the requester; they will send the crime number.' },
    });
    expect(r.statusCode).toBe(201);
    const note = r.json();
    const detail = await getCase(c.id);
    const added = detail.timeline.filter((e: { kind: string }) => e.kind === 'note_added');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      actor: { id: caseworker.id },
      description: 'Called the requester; they will send the crime number.',
    });
    expect(detail.notes[0]).toMatchObject({ id: note.id, author: { id: caseworker.id } });
    await expect(
      t.db.sql`update case_notes set body = 'rewritten' where id = ${note.id}`,
    ).rejects.toThrow(/immutable/);
    await expect(
      t.db.sql`update case_events set kind = 'x' where case_id = ${c.id}`,
    ).rejects.toThrow(/append-only/);
  });

  it('lets a manager redact a note, leaving a tombstone', async () => {
    const c = await makeCase(t.app, caseworker);
    const actor = { id: caseworker.id, role: 'caseworker', requestId: null };
    const note = await t.app.services.correspondence.addNote(actor, c.id, {
      body: 'Wrong person’s details',
    });
    await expect(
      t.app.services.correspondence.redactNote(actor, c.id, note.id),
    ).rejects.toMatchObject({ statusCode: 403 });
    await t.app.services.correspondence.redactNote(
      { id: manager.id, role: 'manager', requestId: null },
      c.id,
      note.id,
    );
    const detail = await getCase(c.id);
    expect(detail.notes[0]).toMatchObject({ id: note.id, body: '', redacted: true });
    expect(JSON.stringify(detail)).not.toContain('Wrong person');
  });

  it('refuses an empty or over-long note with 400', async () => {
    const c = await makeCase(t.app, caseworker);
    for (const body of ['', 'x'.repeat(20_001)]) {
      const r = await t.app.inject({
        method: 'POST',
        url: `/api/cases/${c.id}/notes`,
        headers: bearer(cwToken),
        payload: { body },
      });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.fields.body).toBeTruthy();
    }
  });
});

describe('reading a case', () => {
  it('returns the case with its deadline and timeline, and audits the read', async () => {
    const c = await makeCase(t.app, caseworker, {
      contact: { name: 'Audit Me', email: 'audit.me@example.org' },
    });
    const detail = await getCase(c.id);
    expect(detail).toMatchObject({
      id: c.id,
      reference: c.reference,
      dueDate: c.dueDate,
      deadline: { dueDate: c.dueDate, calendar: expect.any(String) },
      contact: { name: 'Audit Me', email: 'audit.me@example.org' },
    });
    expect(detail.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      'created',
      'email_queued',
    ]);
    const [audit] = await t.db.sql<{ actor_id: string; person_id: string }[]>`
      select actor_id, person_id from audit_events where action = 'case.view' and subject_id = ${c.id}`;
    expect(audit).toMatchObject({ actor_id: caseworker.id, person_id: c.contactId });
  });
});
