import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, createUser, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase, newCase } from './fixtures.js';

const t = useTestApp();
let caseworker: TestUser;
let token: string;

beforeAll(async () => {
  caseworker = await t.user('caseworker');
  token = await t.token(caseworker);
});

async function countCases(): Promise<number> {
  const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from cases`;
  return row!.n;
}

const post = (payload: unknown) =>
  t.app.inject({
    method: 'POST',
    url: '/api/cases',
    headers: bearer(token),
    payload: payload as object,
  });

const apiBody = (overrides: Record<string, unknown> = {}) => ({
  type: 'foi',
  channel: 'letter',
  receivedAt: '2026-11-20T09:00:00Z',
  subject: 'Numbers of burglaries in 2025',
  body: 'Please tell me how many burglaries were reported in 2025.',
  contact: { name: 'Alex Requester' },
  ...overrides,
});

describe('references', () => {
  it('gives 20 concurrent creations 20 consecutive references of the London year', async () => {
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        makeCase(t.app, caseworker, {
          receivedAt: '2025-06-01T10:00:00Z',
          subject: `Concurrent ${i}`,
        }),
      ),
    );
    const numbers = created
      .map((c) => {
        expect(c.reference).toMatch(/^OPCC-2025-\d{5}$/);
        return Number(c.reference.slice(-5));
      })
      .sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const [counter] = await t.db.sql<
      { last: number }[]
    >`select last from case_reference_counters where year = 2025`;
    expect(counter!.last).toBe(20);
  });

  it('leaves no gap when the creating transaction rolls back', async () => {
    const before = await makeCase(t.app, caseworker, { receivedAt: '2024-05-01T10:00:00Z' });
    expect(before.reference).toBe('OPCC-2024-00001');
    await expect(
      t.db.db.transaction(async (tx) => {
        const doomed = await t.app.services.correspondence.createCase(
          actorOf(caseworker),
          newCase({ receivedAt: '2024-05-02T10:00:00Z' }),
          { tx },
        );
        expect(doomed.reference).toBe('OPCC-2024-00002');
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    const after = await makeCase(t.app, caseworker, { receivedAt: '2024-05-03T10:00:00Z' });
    expect(after.reference).toBe('OPCC-2024-00002');
    const [orphans] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from cases where reference like 'OPCC-2024-%'`;
    expect(orphans!.n).toBe(2);
  });
});

describe('receipt', () => {
  it('receives an email at 2026-03-31T23:30Z on 2026-04-01, counted in April and in 2026', async () => {
    const created = await makeCase(t.app, caseworker, {
      channel: 'email',
      receivedAt: '2026-03-31T23:30:00Z',
    });
    const [row] = await t.db.sql<
      { received_on: string }[]
    >`select received_on::text from cases where id = ${created.id}`;
    expect(row!.received_on).toBe('2026-04-01');
    expect(created.reference).toMatch(/^OPCC-2026-/);
  });

  it('reads a winter instant in GMT: 2026-01-15T23:30Z is still 15 January', async () => {
    const created = await makeCase(t.app, caseworker, { receivedAt: '2026-01-15T23:30:00Z' });
    const detail = await t.app.services.correspondence.get(actorOf(caseworker), created.id);
    expect(detail.receivedOn).toBe('2026-01-15');
  });

  it('refuses a future-dated receipt with a field error, creating nothing', async () => {
    const before = await countCases();
    const response = await post(apiBody({ receivedAt: '2026-11-23T10:00:01Z' })); // the clock says 10:00:00
    expect(response.statusCode).toBe(400);
    expect(response.json().error.fields.receivedAt).toMatch(/today or in the past/);
    const after = await countCases();
    expect(after).toBe(before);
  });

  it('stores the due date with the case: 20 working days for a general enquiry', async () => {
    // Friday 20 November 2026 is day 0; 20 England-and-Wales working days later is Friday 18 December.
    const response = await post(apiBody({ type: 'general', receivedAt: '2026-11-20T09:00:00Z' }));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ status: 'new', dueDate: '2026-12-18' });
    expect(body.reference).toMatch(/^OPCC-2026-\d{5}$/);
    expect(body.deadline.dueDate).toBe('2026-12-18');
    expect(typeof body.deadline.calendar).toBe('string');
    const [row] = await t.db.sql<
      { next_due_on: string }[]
    >`select next_due_on::text from cases where id = ${body.id}`;
    expect(row!.next_due_on).toBe('2026-12-18');
  });
});

describe('POST /api/cases input', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['an unknown field', apiBody({ assignee: 'someone' }), 'assignee'],
    [
      'a role smuggled into the contact',
      apiBody({ contact: { name: 'A', role: 'admin' } }),
      'contact.role',
    ],
    ['a subject over 200 characters', apiBody({ subject: 'x'.repeat(201) }), 'subject'],
    ['a body over 20,000 characters', apiBody({ body: 'x'.repeat(20_001) }), 'body'],
    ['a name over 200 characters', apiBody({ contact: { name: 'n'.repeat(201) } }), 'contact.name'],
    [
      'an email over 254 characters',
      apiBody({ contact: { name: 'A', email: `${'e'.repeat(250)}@x.org` } }),
      'contact.email',
    ],
    ['an unknown type', apiBody({ type: 'gossip' }), 'type'],
    ['a missing subject', apiBody({ subject: undefined }), 'subject'],
    ['a date that is not a date', apiBody({ receivedAt: 'yesterday' }), 'receivedAt'],
    [
      'an email that is not an email',
      apiBody({ contact: { name: 'A', email: 'not-an-email' } }),
      'contact.email',
    ],
  ];
  for (const [what, payload, field] of cases) {
    it(`answers ${what} with 400 and a field message`, async () => {
      const response = await post(payload);
      expect(response.statusCode).toBe(400);
      const { error } = response.json();
      expect(error.code).toBe('validation');
      expect(typeof error.message).toBe('string');
      expect(error.fields[field]).toBeTruthy();
    });
  }

  it('answers __proto__ and broken JSON with 400, never 500', async () => {
    const proto = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: JSON.stringify(apiBody()).replace(/^\{/, '{"__proto__":{"admin":true},'),
    });
    expect(proto.statusCode).toBe(400);
    const broken = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: '{"type": "foi",',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBeTruthy();
  });

  it('needs a token (401) and a casework role (403 for an admin)', async () => {
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/cases', payload: apiBody() });
    expect(anonymous.statusCode).toBe(401);
    const admin = await createUser(t.app, 'admin');
    const adminToken = await apiToken(t.app, admin);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/cases',
      headers: bearer(adminToken),
      payload: apiBody(),
    });
    expect(refused.statusCode).toBe(403);
  });
});

describe('acknowledgement', () => {
  it('queues an automatic acknowledgement when the contact has an email, and it goes out', async () => {
    const response = await post(
      apiBody({ contact: { name: 'Robin Mail', email: 'robin.ack@example.org' } }),
    );
    expect(response.statusCode).toBe(201);
    const { id, reference } = response.json();
    const [email] = await t.db.sql<{ id: string; to: string; subject: string; status: string }[]>`
      select id, "to", subject, status from email_messages where subject_type = 'case' and subject_ref = ${id}`;
    expect(email).toMatchObject({ to: 'robin.ack@example.org' });
    expect(email!.subject).toContain(reference);
    const [outbox] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from outbox where payload->>'emailId' = ${email!.id}`;
    expect(outbox!.n).toBe(1);
    const [row] = await t.db.sql<
      { acknowledged_at: Date | null }[]
    >`select acknowledged_at from cases where id = ${id}`;
    expect(row!.acknowledged_at).not.toBeNull();

    await t.startWorkers();
    const message = await t.sink
      .waitFor(1)
      .then(() => t.sink.messages.find((m) => m.envelopeTo.includes('robin.ack@example.org')));
    expect(message).toBeDefined();
    expect(message!.parsed.subject).toContain(reference);
    expect(message!.parsed.text).toContain(reference);
    expect(message!.parsed.headers.get('auto-submitted')).toBeTruthy();
  });

  it('sends none without an email address, and none when told not to', async () => {
    const none = await makeCase(t.app, caseworker, { contact: { name: 'Letter Only' } });
    expect(none.acknowledgementEmailId).toBeNull();
    const silent = await makeCase(t.app, caseworker, {
      contact: { name: 'Quiet', email: 'quiet@example.org' },
      acknowledge: false,
    });
    expect(silent.acknowledgementEmailId).toBeNull();
    const [row] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from email_messages where "to" = 'quiet@example.org'`;
    expect(row!.n).toBe(0);
  });

  it('acknowledges an address at most 3 times a day', async () => {
    const results = [];
    for (let i = 0; i < 5; i += 1)
      results.push(
        await makeCase(t.app, caseworker, { contact: { name: 'Busy', email: 'busy@example.org' } }),
      );
    expect(results.filter((r) => r.acknowledgementEmailId !== null)).toHaveLength(3);
  });
});

describe('source idempotency', () => {
  it('returns the first case for a repeated source and creates nothing new', async () => {
    const source = { type: 'test-form', id: 'submission-1' };
    const first = await makeCase(t.app, caseworker, { source });
    const again = await makeCase(t.app, caseworker, { source });
    expect(again.id).toBe(first.id);
    expect(again.duplicate).toBe(true);
    expect(first.duplicate).toBe(false);
    const [row] = await t.db.sql<
      { n: number }[]
    >`select count(*)::int as n from cases where source_id = 'submission-1'`;
    expect(row!.n).toBe(1);
  });
});
