import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { nextIp } from './helpers.js';

const t = useTestApp();

const body = (overrides: Record<string, unknown> = {}) => ({
  name: 'Lee Caller',
  email: 'lee@example.org',
  subject: 'Police station opening hours',
  message: 'Why has the front counter at the town station closed on Saturdays?',
  ...overrides,
});

const post = (payload: unknown, headers: Record<string, string> = {}, ip = nextIp()) =>
  t.app.inject({
    method: 'POST',
    url: '/api/public/contact',
    remoteAddress: ip,
    headers,
    payload: payload as object,
  });

async function countCases() {
  const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from cases`;
  return row!.n;
}

describe('POST /api/public/contact', () => {
  it('answers 201 with the reference; a general web case with one acknowledgement', async () => {
    const response = await post(body({ email: 'api.one@example.org', phone: '01632 960001' }));
    expect(response.statusCode).toBe(201);
    const { reference } = response.json<{ reference: string }>();
    expect(reference).toMatch(/^OPCC-2026-\d{5}$/);
    const [row] = await t.db.sql<{ type: string; channel: string; phone_e164: string }[]>`
      select c.type, c.channel, k.phone_e164 from cases c join contacts k on k.id = c.contact_id
      where c.reference = ${reference}`;
    expect(row).toEqual({ type: 'general', channel: 'web', phone_e164: '+441632960001' });
    const [emails] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from email_messages where "to" = 'api.one@example.org'`;
    expect(emails!.n).toBe(1);
  });

  it('takes a type, and gives an FOI request its due date', async () => {
    const response = await post(body({ type: 'foi' }));
    expect(response.statusCode).toBe(201);
    expect(response.json().dueDate).toMatch(/^2026-12-\d\d$/);
  });

  it('answers the same Idempotency-Key and body with the first answer, creating one case', async () => {
    const key = randomUUID();
    const before = await countCases();
    const first = await post(body(), { 'idempotency-key': key });
    const second = await post(body(), { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await countCases()).toBe(before + 1);
  });

  it('makes one case of concurrent posts with the same key', async () => {
    const key = randomUUID();
    const before = await countCases();
    const responses = await Promise.all(
      Array.from({ length: 4 }, () =>
        post(body({ subject: 'Concurrent' }), { 'idempotency-key': key }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
    expect(new Set(responses.map((r) => r.json().reference)).size).toBe(1);
    expect(await countCases()).toBe(before + 1);
  });

  it('answers the same key with a different body with 422, creating nothing', async () => {
    const key = randomUUID();
    await post(body(), { 'idempotency-key': key });
    const before = await countCases();
    const response = await post(body({ message: 'Something else entirely' }), {
      'idempotency-key': key,
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('idempotency.key_reused');
    expect(await countCases()).toBe(before);
  });

  it('keeps the form and the API apart: the same key in each is two submissions', async () => {
    const key = randomUUID();
    const before = await countCases();
    await post(body(), { 'idempotency-key': key });
    await t.app.services.intake.submitContact(
      { id: null, role: 'public', requestId: null },
      body(),
      { scope: 'contact-form', key },
    );
    expect(await countCases()).toBe(before + 2);
  });

  it.each([
    ['a missing email', body({ email: undefined }), 'email'],
    ['a 20,001-character message', body({ message: 'x'.repeat(20_001) }), 'message'],
    ['a 201-character name', body({ name: 'n'.repeat(201) }), 'name'],
    ['an unknown field', body({ assigneeId: randomUUID() }), 'assigneeId'],
    ['an unknown type', body({ type: 'mp_enquiry' }), 'type'],
    ['a malformed email', body({ email: 'lee@' }), 'email'],
    ['an email with a line break', body({ email: 'lee@example.org\r\nBcc: x@y.z' }), 'email'],
  ])('answers %s with 400 naming the field', async (_what, payload, field) => {
    const before = await countCases();
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    const error = response.json().error;
    expect(error.code).toBe('validation');
    expect(Object.keys(error.fields)).toContain(field);
    expect(await countCases()).toBe(before);
  });

  it('refuses a malformed Idempotency-Key', async () => {
    const response = await post(body(), { 'idempotency-key': 'has spaces in it' });
    expect(response.statusCode).toBe(400);
    expect(Object.keys(response.json().error.fields)).toContain('idempotency-key');
  });

  it('gives the sixth post from one IP in 10 minutes a 429, not other IPs', async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1)
      statuses.push((await post(body({ email: '' }), {}, ip)).statusCode);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    const limited = await post(body(), {}, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect((await post(body())).statusCode).toBe(201);
  });

  it('is listed in the OpenAPI document as a public endpoint', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/public/contact'].post).toBeDefined();
    expect(doc.paths['/api/inbound-email'].post).toBeDefined();
    const route = t.app.routeCatalogue.find(
      (r) => r.url === '/api/public/contact' && r.method === 'POST',
    );
    expect(route?.public).toBe(true);
  });
});
