/** §11 B6-B8: emailed links change nothing when opened; tokens are stored hashed; CANCEL .ics. */
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { csrfFrom } from '../helpers/auth.js';
import { FormSession } from '../intake/helpers.js';
import type { CaughtMail } from '../helpers/mail-sink.js';
import { bookApi, count, createSurgery, personBody, slotBooked } from './helpers.js';

const t = useTestApp();
beforeAll(async () => {
  await t.startWorkers();
});

async function mailTo(address: string, subjectPart: string): Promise<CaughtMail> {
  let found: CaughtMail | undefined;
  await expect
    .poll(
      () => {
        found = t.sink.messages.find(
          (m) => m.envelopeTo.includes(address) && (m.parsed.subject ?? '').includes(subjectPart),
        );
        return Boolean(found);
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  return found!;
}

const calendarPart = (mail: CaughtMail) => {
  const attachment = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar')!;
  return { text: attachment.content.toString('utf8'), attachment };
};

async function bookAndGetLink() {
  const { slots } = await createSurgery(t, { date: '2026-12-08', placesPerSlot: 2 });
  const me = personBody();
  const response = await bookApi(t, { slotId: slots[0]!.id, ...me });
  expect(response.statusCode).toBe(201);
  const mail = await mailTo(me.email, 'is booked');
  const link = /http:\/\/[^\s]+\/surgeries\/manage\/([A-Za-z0-9_-]{43})/.exec(
    mail.parsed.text ?? '',
  );
  expect(link).not.toBeNull();
  const [row] = await t.db.sql<{ id: string; status: string }[]>`
    select id, status from surgery_booking where email = ${me.email}`;
  return {
    slotId: slots[0]!.id,
    token: link![1]!,
    url: new URL(link![0]).pathname,
    me,
    mail,
    bookingId: row!.id,
  };
}

describe('B6: GET and HEAD on every emailed link change nothing', () => {
  it('the manage link only binds a cookie and redirects; the booking stands', async () => {
    const { url, slotId, bookingId } = await bookAndGetLink();
    for (const method of ['GET', 'HEAD', 'GET'] as const) {
      const response = await t.app.inject({ method, url });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/surgeries/manage');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    }
    const [row] = await t.db.sql<{ status: string; ics_sequence: number }[]>`
      select status, ics_sequence from surgery_booking where id = ${bookingId}`;
    expect(row).toEqual({ status: 'confirmed', ics_sequence: 0 });
    expect(await slotBooked(t, slotId)).toBe(1);
  });
});

describe('B7: tokens', () => {
  it('one character changed gives 404; the token is nowhere in the database', async () => {
    const { token } = await bookAndGetLink();
    const changed = token.slice(0, 10) + (token[10] === 'A' ? 'B' : 'A') + token.slice(11);
    expect((await t.app.inject({ url: `/surgeries/manage/${changed}` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/surgeries/manage/short' })).statusCode).toBe(404);
    const tables = await t.db.sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
    let dumped = 0;
    for (const { table_name } of tables) {
      const rows = await t.db.sql.unsafe<{ row: string }[]>(
        `select t::text as row from "${table_name}" t`,
      );
      for (const { row } of rows) {
        expect(row).not.toContain(token);
        dumped += 1;
      }
    }
    expect(dumped).toBeGreaterThan(10);
  });
});

describe('B8: cancel', () => {
  it('POST from the manage page: CANCEL .ics with the same UID, a higher SEQUENCE, STATUS:CANCELLED, method=CANCEL', async () => {
    const { url, me, mail, slotId } = await bookAndGetLink();
    const booked = calendarPart(mail).text;
    const uid = /UID:(.+)/.exec(booked)![1]!.trim();
    expect(booked).toContain('METHOD:REQUEST');
    expect(booked).toContain('SEQUENCE:0');
    const form = new FormSession(t.app);
    await form.get(url);
    const page = await form.get('/surgeries/manage');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Cancel appointment');
    const cancelled = await form.post({ _csrf: csrfFrom(page.body) }, '/surgeries/manage/cancel');
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.body).toContain('Appointment cancelled');
    expect(await slotBooked(t, slotId)).toBe(0);
    const cancelMail = await mailTo(me.email, 'is cancelled');
    const { text, attachment } = calendarPart(cancelMail);
    expect(text).toContain('METHOD:CANCEL');
    expect(text).toContain(`UID:${uid}`);
    expect(text).toContain('SEQUENCE:1');
    expect(text).toContain('STATUS:CANCELLED');
    expect(attachment.headers.get('content-type')).toMatchObject({ params: { method: 'CANCEL' } });
    expect(cancelMail.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=CANCEL/i);
  });

  it('a reused token (already cancelled) is refused clearly with no new email; an unknown one is 404', async () => {
    const { token, bookingId } = await bookAndGetLink();
    const first = await t.app.inject({
      method: 'POST',
      url: '/api/public/bookings/cancel',
      payload: { token },
    });
    expect(first.statusCode).toBe(200);
    const emails = await count(t, 'email_messages', `subject_ref = '${bookingId}'`);
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/public/bookings/cancel',
      payload: { token },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ error: { code: string } }>().error.code).toBe(
      'surgeries.already_cancelled',
    );
    expect(await count(t, 'email_messages', `subject_ref = '${bookingId}'`)).toBe(emails);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/public/bookings/cancel',
      payload: { token: 'x'.repeat(43) },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('a new link makes the old one stop working', async () => {
    const { token, bookingId, url } = await bookAndGetLink();
    await t.app.services.surgeries.booking.newLink(
      { id: null, role: 'system', requestId: null },
      bookingId,
    );
    expect((await t.app.inject({ url })).statusCode).toBe(404);
    const cancel = await t.app.inject({
      method: 'POST',
      url: '/api/public/bookings/cancel',
      payload: { token },
    });
    expect(cancel.statusCode).toBe(404);
  });
});
