import { expect, it } from 'vitest';
import { allowedTriples } from '../../server/complaints/machine.js';
import { useTestApp } from '../helpers/fixture.js';

const t = useTestApp();

it('the database allows exactly the moves the service machine lists', async () => {
  const rows = await t.db.sql<{ stream: string; from_status: string; to_status: string }[]>`
    select stream, from_status, to_status from complaint_allowed_moves`;
  const key = (x: { stream: string; from: string; to: string }) => `${x.stream}:${x.from}>${x.to}`;
  const inDb = rows
    .map((r) => key({ stream: r.stream, from: r.from_status, to: r.to_status }))
    .sort();
  expect(inDb).toEqual([...new Set(allowedTriples().map(key))].sort());
});

it('decisions are append-only and template versions never change', async () => {
  const [c] = await t.db
    .sql`insert into complaints (reference, stream, regime, made_on, received_at, received_on, channel, status, last_event_on, created_at, updated_at)
    values ('CC-T-1', 'cc', '2020', '2026-01-01', now(), '2026-01-01', 'letter', 'received', '2026-01-01', now(), now()) returning id`;
  await t.db
    .sql`insert into complaint_transitions (complaint_id, kind, to_status, at, occurred_on, reasons, recorded_at)
    values (${c!.id}, 'received', 'received', now(), '2026-01-01', 'why', now())`;
  await expect(t.db.sql`delete from complaint_transitions`).rejects.toThrow(/append-only/);
  await expect(t.db.sql`update complaint_transitions set reasons = 'changed'`).rejects.toThrow(
    /append-only/,
  );
  await expect(t.db.sql`update complaint_letter_templates set body = 'x'`).rejects.toThrow(
    /versions/,
  );
  await expect(t.db
    .sql`insert into complaints (reference, stream, regime, made_on, received_at, received_on, channel, status, last_event_on, created_at, updated_at)
    values ('CC-X', 'cc', '2020', '2026-01-01', now(), '2026-01-01', 'letter', 'closed', '2026-01-01', now(), now())`).rejects.toThrow(
    /starts as received/,
  );
});
