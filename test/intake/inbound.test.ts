import { beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../server/platform/audit.js';
import { FLAG_CLOSED, FLAG_REPLY } from '../../server/intake/inbound.js';
import { useTestApp } from '../helpers/fixture.js';
import { apiToken, bearer, type TestUser } from '../helpers/auth.js';
import { actorOf, makeCase } from '../correspondence/fixtures.js';
import { rawEmail } from './helpers.js';

const t = useTestApp();
let admin: TestUser;
let caseworker: TestUser;
let manager: TestUser;
let adminToken: string;

beforeAll(async () => {
  admin = await t.user('admin');
  caseworker = await t.user('caseworker');
  manager = await t.user('manager');
  adminToken = await t.token(admin);
});

const ingest = (raw: string, receivedAt?: Date) =>
  t.app.services.intake.ingestRawEmail(raw, { via: 'imap', receivedAt });

const postRaw = (raw: string, contentType = 'message/rfc822', token = adminToken) =>
  t.app.inject({
    method: 'POST',
    url: '/api/inbound-email',
    headers: { ...bearer(token), 'content-type': contentType },
    payload: raw,
  });

async function count(sql: string, ...params: unknown[]) {
  const rows = await t.db.sql.unsafe<{ n: number }[]>(sql, params as never[]);
  return rows[0]!.n;
}
const casesFrom = (address: string) =>
  count(
    `select count(*)::int as n from cases c join contacts k on k.id = c.contact_id where k.email_norm = $1`,
    address,
  );
const emailsTo = (address: string) =>
  count(`select count(*)::int as n from email_messages where "to" = $1`, address);

async function caseRow(id: string) {
  const [row] = await t.db.sql<
    {
      reference: string;
      type: string;
      channel: string;
      status: string;
      flags: string[];
      received_on: string;
      subject: string;
      body: string;
      version: number;
    }[]
  >`select reference, type, channel, status, flags, to_char(received_on, 'YYYY-MM-DD') as received_on,
           subject, body, version from cases where id = ${id}`;
  return row!;
}

async function timelineKinds(caseId: string) {
  const rows = await t.db.sql<{ kind: string; data: Record<string, unknown> }[]>`
    select kind, data from case_events where case_id = ${caseId} order by id`;
  return rows;
}

describe('a new email', () => {
  it('opens a general case by email, acknowledged once, stored with its headers', async () => {
    const result = await ingest(
      rawEmail({ from: 'Jo Bloggs <jo.new@example.org>', subject: 'Noise at night' }),
    );
    expect(result).toMatchObject({ created: true, duplicate: false, automated: false });
    expect(result.threadedBy).toBe('new');
    const row = await caseRow(result.caseId!);
    expect(row).toMatchObject({
      reference: result.reference,
      type: 'general',
      channel: 'email',
      status: 'new',
      subject: 'Noise at night',
    });
    expect(row.body).toContain('loud music until 3am');
    expect(await emailsTo('jo.new@example.org')).toBe(1);
    const [stored] = await t.db.sql<
      { case_id: string; from_address: string; raw_headers: string; via: string }[]
    >`select case_id, from_address, raw_headers, via from inbound_messages where id = ${result.inboundId}`;
    expect(stored).toMatchObject({
      case_id: result.caseId,
      from_address: 'jo.new@example.org',
      via: 'imap',
    });
    expect(stored!.raw_headers).toContain('Subject: Noise at night');
  });

  it('is received on the London date: 2026-03-31T23:30Z is 1 April 2026', async () => {
    t.clock.set('2026-03-31T23:45:00Z');
    try {
      const result = await ingest(rawEmail(), new Date('2026-03-31T23:30:00Z'));
      const row = await caseRow(result.caseId!);
      expect(row.received_on).toBe('2026-04-01');
      expect(row.reference).toMatch(/^OPCC-2026-/);
      const [stored] = await t.db.sql<{ received_at: Date }[]>`
        select received_at from inbound_messages where id = ${result.inboundId}`;
      expect(new Date(stored!.received_at).toISOString()).toBe('2026-03-31T23:30:00.000Z');
      // The endpoint receives "now": the same instant on the clock gives the same date.
      t.clock.set('2026-03-31T23:30:00Z');
      const posted = await postRaw(rawEmail());
      expect(posted.statusCode).toBe(201);
      expect((await caseRow(posted.json<{ caseId: string }>().caseId)).received_on).toBe(
        '2026-04-01',
      );
    } finally {
      t.clock.set('2026-11-23T10:00:00Z');
    }
  });

  it('never dates a message in the future (a server clock ahead of ours)', async () => {
    const result = await ingest(rawEmail(), new Date('2027-01-01T00:00:00Z'));
    const [stored] = await t.db.sql<{ received_at: Date }[]>`
      select received_at from inbound_messages where id = ${result.inboundId}`;
    expect(new Date(stored!.received_at).toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('keeps an overlong body whole in the stored message and fits the case', async () => {
    const body = 'x'.repeat(25_000);
    const result = await ingest(rawEmail({ body, subject: 's'.repeat(300) }));
    const row = await caseRow(result.caseId!);
    expect(row.body.length).toBeLessThanOrEqual(20_000);
    expect(row.body).toContain('[Truncated: the full email is stored with the case.]');
    expect(row.subject).toHaveLength(200);
    const [stored] = await t.db.sql<{ n: number }[]>`
      select length(text_body)::int as n from inbound_messages where id = ${result.inboundId}`;
    expect(stored!.n).toBeGreaterThanOrEqual(25_000);
  });
});

describe('idempotency', () => {
  it('makes one case of two deliveries with the same Message-ID, from either adapter', async () => {
    const raw = rawEmail({
      from: 'twice@example.org',
      messageId: '  <dup-1@mail.example.org>  ',
    });
    const first = await ingest(raw);
    const second = await postRaw(raw);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({
      caseId: first.caseId,
      reference: first.reference,
      created: false,
      duplicate: true,
    });
    const third = await ingest(raw);
    expect(third).toMatchObject({ caseId: first.caseId, duplicate: true, created: false });
    expect(await casesFrom('twice@example.org')).toBe(1);
    expect(await emailsTo('twice@example.org')).toBe(1);
    expect(
      await count(
        `select count(*)::int as n from inbound_messages where message_key = 'dup-1@mail.example.org'`,
      ),
    ).toBe(1);
  });

  it('makes one case of concurrent deliveries of the same message', async () => {
    const raw = rawEmail({ from: 'race@example.org' });
    const results = await Promise.all([ingest(raw), ingest(raw), postRaw(raw)]);
    expect(await casesFrom('race@example.org')).toBe(1);
    const created = results.filter((r) => ('created' in r ? r.created : r.json().created));
    expect(created).toHaveLength(1);
  });

  it('makes one case of an email without a Message-ID fetched twice (sha256 key)', async () => {
    const raw = rawEmail({ from: 'noid@example.org', messageId: null });
    const first = await ingest(raw);
    const second = await ingest(raw);
    expect(first.messageKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(second).toMatchObject({
      messageKey: first.messageKey,
      caseId: first.caseId,
      duplicate: true,
    });
    expect(await casesFrom('noid@example.org')).toBe(1);
    // A different body is a different message.
    const other = await ingest(
      rawEmail({ from: 'noid@example.org', messageId: null, body: 'P.S.' }),
    );
    expect(other.duplicate).toBe(false);
    expect(await casesFrom('noid@example.org')).toBe(2);
  });
});

describe('threading', () => {
  it('joins the case whose outbound Message-ID the reply names in In-Reply-To', async () => {
    const created = await makeCase(t.app, caseworker, {
      contact: { name: 'Rita Reply', email: 'rita@example.org' },
    });
    const [ack] = await t.db.sql<{ message_id: string }[]>`
      select message_id from email_messages where subject_type = 'case' and subject_ref = ${created.id}`;
    expect(ack!.message_id).toMatch(/@/);
    const result = await ingest(
      rawEmail({
        from: 'someone.else@example.org',
        subject: 'Re: your message',
        inReplyTo: `<${ack!.message_id}>`,
      }),
    );
    expect(result).toMatchObject({
      caseId: created.id,
      reference: created.reference,
      created: false,
      threadedBy: 'in_reply_to',
    });
    const events = await timelineKinds(created.id);
    expect(events.map((e) => e.kind)).toContain('email_in');
    expect(events.find((e) => e.kind === 'email_in')!.data).toMatchObject({
      inboundId: result.inboundId,
      subject: 'Re: your message',
      automated: false,
    });
    // No new case, and nothing acknowledged for a reply.
    expect(await casesFrom('someone.else@example.org')).toBe(0);
    expect(await emailsTo('someone.else@example.org')).toBe(0);
  });

  it('joins through References too, and through our case-{id} Message-IDs', async () => {
    const created = await makeCase(t.app, caseworker, {
      contact: { name: 'Rob Refs', email: 'rob@example.org' },
    });
    const ourId = `case-${created.id}.77@${t.config.mailDomain}`;
    await t.db.db.transaction((tx) =>
      t.app.services.mail.queue(tx, {
        to: 'rob@example.org',
        subject: 'Re: your request',
        text: 'Our reply',
        messageId: ourId,
        subjectType: 'case',
        subjectRef: created.id,
      }),
    );
    const viaRefs = await ingest(
      rawEmail({
        from: 'rob@example.org',
        references: `<unknown-1@example.org> <${ourId}>`,
        inReplyTo: '<unknown-2@example.org>',
      }),
    );
    expect(viaRefs).toMatchObject({ caseId: created.id, threadedBy: 'in_reply_to' });
    // An id naming the case is enough even without a stored row.
    const bare = await ingest(
      rawEmail({ inReplyTo: `<case-${created.id}.999@${t.config.mailDomain}>` }),
    );
    expect(bare.caseId).toBe(created.id);
  });

  it('joins the case of an earlier inbound message it replies to', async () => {
    const first = await ingest(
      rawEmail({ from: 'chain@example.org', messageId: '<chain-1@x.org>' }),
    );
    const reply = await ingest(
      rawEmail({ from: 'chain@example.org', inReplyTo: '<chain-1@x.org>', subject: 'More' }),
    );
    expect(reply).toMatchObject({
      caseId: first.caseId,
      created: false,
      threadedBy: 'in_reply_to',
    });
    expect(await casesFrom('chain@example.org')).toBe(1);
  });

  it('joins by [OPCC-…] in the subject when the sender is the case contact, and only then', async () => {
    const created = await makeCase(t.app, caseworker, {
      contact: { name: 'Sue Subject', email: 'Sue@Example.org' },
    });
    const joined = await ingest(
      rawEmail({
        from: 'Sue <sue@example.org>',
        subject: `Re: We have received your message [${created.reference}]`,
      }),
    );
    expect(joined).toMatchObject({ caseId: created.id, threadedBy: 'reference', created: false });

    const stranger = await ingest(
      rawEmail({ from: 'mallory@example.org', subject: `About [${created.reference}]` }),
    );
    expect(stranger.caseId).not.toBe(created.id);
    expect(stranger).toMatchObject({ created: true, threadedBy: 'new' });
  });

  it('flags a closed case "New email on closed case" without reopening it', async () => {
    const created = await makeCase(t.app, caseworker, {
      contact: { name: 'Cal Closed', email: 'cal@example.org' },
    });
    await t.app.services.correspondence.transition(actorOf(caseworker), created.id, {
      to: 'closed',
      version: 1,
      outcome: 'duplicate',
    });
    const before = await caseRow(created.id);
    const result = await ingest(
      rawEmail({ from: 'cal@example.org', subject: `Still waiting [${created.reference}]` }),
    );
    expect(result).toMatchObject({ caseId: created.id, flag: FLAG_CLOSED });
    const after = await caseRow(created.id);
    expect(after.status).toBe('closed');
    expect(after.flags).toEqual([FLAG_CLOSED]);
    expect(after.version).toBe(before.version + 1);
    // A second email raises no second flag.
    await ingest(rawEmail({ from: 'cal@example.org', subject: `Hello? [${created.reference}]` }));
    expect((await caseRow(created.id)).flags).toEqual([FLAG_CLOSED]);
    // It shows in "Needs attention".
    const list = await t.app.services.correspondence.list(actorOf(manager), {
      view: 'needs-attention',
    });
    expect(list.items.map((c) => c.id)).toContain(created.id);
  });

  it('flags a case awaiting the requester "Reply received" (the clock is left to staff)', async () => {
    const created = await makeCase(t.app, caseworker, {
      type: 'foi',
      contact: { name: 'Ann Await', email: 'ann@example.org' },
    });
    const svc = t.app.services.correspondence;
    const opened = await svc.transition(actorOf(caseworker), created.id, {
      to: 'open',
      version: 1,
    });
    await svc.transition(actorOf(caseworker), created.id, {
      to: 'awaiting_requester',
      version: opened.version,
      reason: 'clarification_requested',
    });
    const result = await ingest(
      rawEmail({ from: 'ann@example.org', subject: `Re: clarification [${created.reference}]` }),
    );
    expect(result.flag).toBe(FLAG_REPLY);
    const row = await caseRow(created.id);
    expect(row.status).toBe('awaiting_requester');
    expect(row.flags).toEqual([FLAG_REPLY]);
  });
});

describe('automated mail', () => {
  it('opens no case and sends no acknowledgement for Auto-Submitted: auto-replied', async () => {
    const result = await ingest(
      rawEmail({
        from: 'ooo@example.org',
        subject: 'Out of office',
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    expect(result).toMatchObject({ caseId: null, created: false, automated: true });
    expect(await casesFrom('ooo@example.org')).toBe(0);
    expect(await emailsTo('ooo@example.org')).toBe(0);
    const [stored] = await t.db.sql<{ automated: boolean; automated_reason: string }[]>`
      select automated, automated_reason from inbound_messages where id = ${result.inboundId}`;
    expect(stored).toEqual({ automated: true, automated_reason: 'Auto-Submitted: auto-replied' });
  });

  it.each<[string, Record<string, string>]>([
    ['X-Autoreply', { 'X-Autoreply': 'yes' }],
    ['Precedence: bulk', { Precedence: 'bulk' }],
    ['Precedence: junk', { Precedence: 'junk' }],
    ['Precedence: auto_reply', { Precedence: 'auto_reply' }],
    ['an empty Return-Path', { 'Return-Path': '<>' }],
    ['Auto-Submitted: auto-generated', { 'Auto-Submitted': 'auto-generated' }],
  ])('treats %s as automated', async (_what, headers) => {
    const from = `auto${Math.random().toString(36).slice(2)}@example.org`;
    const result = await ingest(rawEmail({ from, headers }));
    expect(result).toMatchObject({ automated: true, caseId: null });
    expect(await casesFrom(from)).toBe(0);
    expect(await emailsTo(from)).toBe(0);
  });

  it('treats a delivery report as automated', async () => {
    const raw = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
      'To: casework@opcc.example.gov.uk',
      'Subject: Undelivered Mail Returned to Sender',
      'Date: Mon, 23 Nov 2026 09:30:00 +0000',
      'Message-ID: <bounce-1@mx.example.org>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Delivery failed.',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; gone@example.org',
      'Action: failed',
      'Status: 5.1.1',
      '--b1--',
      '',
    ].join('\r\n');
    const result = await ingest(raw);
    expect(result).toMatchObject({ automated: true, caseId: null, created: false });
  });

  it('still opens a case for Auto-Submitted: no', async () => {
    const result = await ingest(
      rawEmail({ from: 'human@example.org', headers: { 'Auto-Submitted': 'no' } }),
    );
    expect(result).toMatchObject({ automated: false, created: true });
  });

  it('threads an auto-reply onto its case, raising no flag', async () => {
    const created = await makeCase(t.app, caseworker, {
      contact: { name: 'Oona Office', email: 'oona@example.org' },
    });
    await t.app.services.correspondence.transition(actorOf(caseworker), created.id, {
      to: 'closed',
      version: 1,
      outcome: 'spam',
    });
    const result = await ingest(
      rawEmail({
        from: 'oona@example.org',
        subject: `Automatic reply: [${created.reference}]`,
        headers: { 'Auto-Submitted': 'auto-replied' },
      }),
    );
    expect(result).toMatchObject({ caseId: created.id, automated: true, flag: null });
    expect((await caseRow(created.id)).flags).toEqual([]);
    const events = await timelineKinds(created.id);
    expect(events.at(-1)).toMatchObject({ kind: 'email_in', data: { automated: true } });
  });
});

describe('acknowledgements', () => {
  it('sends no address more than 3 acknowledgements a day', async () => {
    for (let i = 0; i < 5; i += 1)
      await ingest(rawEmail({ from: 'prolific@example.org', subject: `Point ${i}` }));
    expect(await casesFrom('prolific@example.org')).toBe(5);
    expect(await emailsTo('prolific@example.org')).toBe(3);
  });
});

describe('POST /api/inbound-email', () => {
  it('answers 201 with the case for message/rfc822 and text/plain', async () => {
    const response = await postRaw(rawEmail({ from: 'api@example.org' }));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({ created: true, duplicate: false, automated: false });
    expect(body.reference).toMatch(/^OPCC-2026-\d{5}$/);
    expect(typeof body.caseId).toBe('string');
    const plain = await postRaw(
      rawEmail({ from: 'api2@example.org' }),
      'text/plain; charset=utf-8',
    );
    expect(plain.statusCode).toBe(201);
    expect(plain.json().created).toBe(true);
  });

  it('records the integration as the actor', async () => {
    const response = await postRaw(rawEmail({ from: 'actor@example.org' }));
    const [audit] = await t.db.sql<{ actor_id: string }[]>`
      select actor_id from audit_events where action = 'case.create' and subject_id = ${response.json().caseId}`;
    expect(audit!.actor_id).toBe(admin.id);
  });

  it('needs an admin Bearer token: 401 without, 403 for a caseworker', async () => {
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/inbound-email',
      headers: { 'content-type': 'message/rfc822' },
      payload: rawEmail(),
    });
    expect(anonymous.statusCode).toBe(401);
    const token = await apiToken(t.app, caseworker);
    expect((await postRaw(rawEmail(), 'message/rfc822', token)).statusCode).toBe(403);
  });

  it('answers JSON with 415, an empty body with 400, over 10 MiB with 413', async () => {
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/inbound-email',
      headers: { ...bearer(adminToken), 'content-type': 'application/json' },
      payload: { raw: 'x' },
    });
    expect(json.statusCode).toBe(415);
    expect(json.json().error.code).toBe('unsupported_media_type');
    const empty = await postRaw('');
    expect(empty.statusCode).toBe(400);
    const huge = await postRaw(rawEmail({ body: 'y'.repeat(10 * 1024 * 1024 + 10) }));
    expect(huge.statusCode).toBe(413);
  });

  it('records a job (no request) as the system actor', async () => {
    const result = await t.app.services.intake.ingestRawEmail(rawEmail(), {
      actor: systemActor(),
    });
    expect(result.created).toBe(true);
    const [audit] = await t.db.sql<{ actor_id: string | null; actor_role: string }[]>`
      select actor_id, actor_role from audit_events where action = 'case.create' and subject_id = ${result.caseId}`;
    expect(audit).toEqual({ actor_id: null, actor_role: 'system' });
  });
});
