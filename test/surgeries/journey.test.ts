/** The public journey without JavaScript (§3), and B5: a time taken between steps 3 and 7. */
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { FormSession } from '../intake/helpers.js';
import { csrfFrom } from '../helpers/auth.js';
import { bookApi, count, createSurgery, personBody, slotBooked } from './helpers.js';

const t = useTestApp();

/** Walks a form session through the question pages up to Check your answers. */
async function answerUpTo(form: FormSession, surgeryId: string, slotId: string) {
  const step = async (url: string, fields: Record<string, string>) => {
    const page = await form.get(url);
    expect(page.statusCode).toBe(200);
    const response = await form.post({ _csrf: csrfFrom(page.body), ...fields }, url);
    expect(response.statusCode).toBe(303);
    return response.headers.location;
  };
  expect(await step('/surgeries/book/surgery', { surgeryId })).toBe('/surgeries/book/time');
  expect(await step('/surgeries/book/time', { slotId })).toBe('/surgeries/book/details');
  expect(
    await step('/surgeries/book/details', {
      name: 'Jo Public',
      email: 'jo.public@example.org',
      phone: '',
      area: 'fenland',
    }),
  ).toBe('/surgeries/book/topic');
  expect(
    await step('/surgeries/book/topic', {
      topic: 'victims',
      topicDetail: 'Support after a burglary',
    }),
  ).toBe('/surgeries/book/adjustments');
  expect(
    await step('/surgeries/book/adjustments', {
      needsAdjustments: 'yes',
      adjustments: 'Hearing loop',
    }),
  ).toBe('/surgeries/book/check');
  const check = await form.get('/surgeries/book/check');
  expect(check.statusCode).toBe(200);
  return check;
}

const confirm = (form: FormSession, check: { body: string }) =>
  form.post(
    {
      _csrf: csrfFrom(check.body),
      idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(check.body)![1]!,
      website: '',
    },
    '/surgeries/book/check',
  );

describe('the public journey', () => {
  it('is linked from the public home page and lists upcoming surgeries with the 999/101 advice', async () => {
    await createSurgery(t, { date: '2026-12-08' });
    const home = await t.app.inject({ url: '/' });
    expect(home.body).toContain('href="/surgeries"');
    const start = await t.app.inject({ url: '/surgeries' });
    expect(start.statusCode).toBe(200);
    expect(start.body).toContain('Tuesday 8 December 2026, 2pm to 3pm');
    expect(start.body).toContain('To report a crime call 999 or 101');
  });

  it('asks again with a GOV.UK error when no surgery or time is chosen', async () => {
    const form = new FormSession(t.app);
    const page = await form.get('/surgeries/book/surgery');
    const response = await form.post({ _csrf: csrfFrom(page.body) }, '/surgeries/book/surgery');
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<a href="#surgeryId">Select a surgery</a>');
  });

  it('books end to end: radios with places left, check your answers, confirmation with a reference and .ics', async () => {
    const { surgery, slots } = await createSurgery(t, { date: '2026-12-09', placesPerSlot: 2 });
    const form = new FormSession(t.app);
    await form.get('/surgeries/book/surgery');
    const timePage = async () => {
      const p = await form.get('/surgeries/book/surgery');
      await form.post(
        { _csrf: csrfFrom(p.body), surgeryId: surgery.id },
        '/surgeries/book/surgery',
      );
      return form.get('/surgeries/book/time');
    };
    const times = await timePage();
    expect(times.body).toContain('2:15pm (2 places left)');
    const check = await answerUpTo(form, surgery.id, slots[1]!.id);
    expect(check.body).toContain('Jo Public');
    expect(check.body).toContain('Hearing loop');
    expect(check.body).toContain('2:15pm to 2:30pm');
    const done = await confirm(form, check);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/surgeries/book/confirmation');
    const confirmation = await form.get('/surgeries/book/confirmation');
    expect(confirmation.body).toMatch(/SB-2026-\d{5}/);
    expect(confirmation.body).toContain('Wednesday 9 December 2026');
    const ics = await form.get('/surgeries/book/appointment.ics');
    expect(ics.headers['content-type']).toContain('text/calendar');
    expect(ics.body).toContain('DTSTART:20261209T141500Z');
    expect(await slotBooked(t, slots[1]!.id)).toBe(1);
    // Submitting the same Check your answers page again replays, not rebooks.
    const again = await confirm(form, check);
    expect(again.statusCode).toBe(303);
    expect(await count(t, 'surgery_booking', `slot_id = '${slots[1]!.id}'`)).toBe(1);
  });

  it('B5: a time taken between steps 3 and 7 gives the 409 page keeping answers; a listed time books', async () => {
    const { surgery, slots } = await createSurgery(t, { date: '2026-12-10' });
    const form = new FormSession(t.app);
    const check = await answerUpTo(form, surgery.id, slots[0]!.id);
    // Someone else takes the time meanwhile.
    expect((await bookApi(t, { slotId: slots[0]!.id, ...personBody() })).statusCode).toBe(201);
    const gone = await confirm(form, check);
    expect(gone.statusCode).toBe(409);
    expect(gone.body).toContain('That time has just been taken');
    expect(gone.body).toContain('We have kept all your answers');
    expect(gone.body).toContain(`value="${slots[1]!.id}"`);
    expect(gone.body).toContain('2:15pm on Thursday 10 December 2026 (1 place left)');
    // Choosing a listed time returns to Check your answers with everything still there.
    const chosen = await form.post(
      { _csrf: csrfFrom(gone.body), slotId: slots[1]!.id },
      '/surgeries/book/time?change=1',
    );
    expect(chosen.headers.location).toBe('/surgeries/book/check');
    const check2 = await form.get('/surgeries/book/check');
    expect(check2.body).toContain('Jo Public');
    expect(check2.body).toContain('2:15pm to 2:30pm');
    expect((await confirm(form, check2)).headers.location).toBe('/surgeries/book/confirmation');
    expect(await slotBooked(t, slots[1]!.id)).toBe(1);
  });

  it('keeps what was typed and names the problem on the details page (CR/LF cannot arrive from a form field but over-long can)', async () => {
    const { surgery, slots } = await createSurgery(t, { date: '2026-12-14' });
    const form = new FormSession(t.app);
    let p = await form.get('/surgeries/book/surgery');
    await form.post({ _csrf: csrfFrom(p.body), surgeryId: surgery.id }, '/surgeries/book/surgery');
    p = await form.get('/surgeries/book/time');
    await form.post({ _csrf: csrfFrom(p.body), slotId: slots[0]!.id }, '/surgeries/book/time');
    p = await form.get('/surgeries/book/details');
    const response = await form.post(
      { _csrf: csrfFrom(p.body), name: 'N'.repeat(201), email: 'not-an-email', area: '' },
      '/surgeries/book/details',
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(
      '<a href="#name">Full name must be 200 characters or fewer</a>',
    );
    expect(response.body).toContain('<a href="#area">Select where you live</a>');
    expect(response.body).toContain('value="not-an-email"');
    // An area named like an object's own property is still not an area.
    p = await form.get('/surgeries/book/details');
    const proto = await form.post(
      { _csrf: csrfFrom(p.body), name: 'Jo Public', email: 'jo@example.org', area: 'toString' },
      '/surgeries/book/details',
    );
    expect(proto.statusCode).toBe(400);
    expect(proto.body).toContain('<a href="#area">Select where you live</a>');
  });
});
