import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { NewCaseInput } from '../../server/correspondence/service.js';
import type { Actor } from '../../server/platform/audit.js';
import type { TestApp } from '../helpers/app.js';
import type { TestUser } from '../helpers/auth.js';

/** Seeded starter templates (migration 0009). */
export const SEEDED = {
  acknowledgement: '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000001',
  foi: '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000002',
  sar: '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000003',
  general: '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000004',
  mp: '3a0c7d52-0b1e-4f57-9d5e-6a1d2c000005',
};

export const actorOf = (user: TestUser): Actor => ({
  id: user.id,
  role: user.role,
  requestId: null,
});

let n = 0;
/** An open case (type confirmed) assigned to `user`, with a requester who has an email address. */
export async function openCase(
  app: FastifyInstance,
  user: TestUser,
  overrides: Partial<NewCaseInput> = {},
) {
  n += 1;
  const svc = app.services.correspondence;
  const created = await svc.createCase(actorOf(user), {
    type: 'foi',
    channel: 'email',
    receivedAt: '2026-11-16T09:30:00Z',
    subject: `Speed cameras on the A38 ${n}`,
    body: 'Please tell me how many speed cameras operated on the A38 in 2025.',
    contact: { name: `Robin Requester ${n}`, email: `robin${n}@example.org` },
    assigneeId: user.id,
    acknowledge: false,
    ...overrides,
  });
  await svc.transition(actorOf(user), created.id, { to: 'open', version: 1 });
  return created;
}

/** Stores an inbound email on the case, as the intake adapters do. */
export async function storeInbound(
  t: TestApp,
  caseId: string,
  from: string,
  opts: { messageId?: string; references?: string; receivedAt?: string } = {},
) {
  const messageId = opts.messageId ?? `${randomUUID()}@mail.example.org`;
  await t.db.sql`
    insert into inbound_messages (message_key, message_id, case_id, from_address, subject, received_at,
      "references", raw_headers, raw, size, via, created_at)
    values (${messageId}, ${messageId}, ${caseId}, ${from}, ${'Speed cameras'},
      ${opts.receivedAt ?? '2026-11-16T09:30:00Z'}, ${opts.references ?? null}, ${'Subject: Speed cameras'},
      ${Buffer.from('raw')}, ${3}, ${'imap'}, ${'2026-11-16T09:30:00Z'})`;
  return messageId;
}

export async function caseRow(t: TestApp, id: string) {
  const [row] = await t.db.sql<
    { status: string; responded_at: string | Date | null; version: number }[]
  >`select status, responded_at, version from cases where id = ${id}`;
  return {
    ...row!,
    responded_at: row!.responded_at ? new Date(row!.responded_at) : null,
  };
}

export async function timelineKinds(t: TestApp, id: string) {
  const rows = await t.db.sql<
    { kind: string; actor_id: string | null }[]
  >`select kind, actor_id from case_events where case_id = ${id} order by id`;
  return rows.map((r) => r.kind);
}
