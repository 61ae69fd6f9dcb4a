import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/fixture.js';
import { FormSession, goodAnswers } from './helpers.js';

const t = useTestApp();

beforeAll(async () => {
  await t.startWorkers();
});

async function count(table: 'cases' | 'email_messages' | 'idempotency_keys' | 'contacts') {
  const [row] = await t.db.sql<{ n: number }[]>`select count(*)::int as n from ${t.db.sql(table)}`;
  return row!.n;
}

async function emailsTo(address: string) {
  return t.db.sql<{ id: string; subject: string; text_body: string; status: string }[]>`
    select id, subject, text_body, status from email_messages where "to" = ${address}`;
}

const unescape = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('the form page', () => {
  it('asks every question on one GOV.UK page that works without JavaScript', async () => {
    const form = new FormSession(t.app);
    const { page, idempotencyKey } = await form.open();
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/contact"');
    for (const id of ['name', 'email', 'phone', 'type', 'subject', 'message'])
      expect(page.body).toContain(`id="${id}"`);
    expect(page.body).toContain('A request for information (freedom of information)');
    expect(page.body).toContain('A request for your own personal data (subject access request)');
    // The hidden key is a UUIDv4 minted for this render, and the honeypot is hidden from people.
    expect(idempotencyKey).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const again = await form.open();
    expect(again.idempotencyKey).not.toBe(idempotencyKey);
    expect(page.body).toMatch(/<div class="govuk-visually-hidden" aria-hidden="true">/);
    expect(page.body).toMatch(/name="website" value="" tabindex="-1"/);
  });
});

describe('errors', () => {
  it('names a missing email and a 20,000+ character message, keeping what was typed', async () => {
    const form = new FormSession(t.app);
    const long = 'Lorem ipsum <b>dolor</b> & "sit" amet. '.repeat(520).slice(0, 20_001);
    expect(long.length).toBe(20_001);
    const before = await count('cases');
    const { response } = await form.submit(
      goodAnswers({ name: 'Ada <Lovelace>', email: '', subject: 'Bus lanes', message: long }),
    );
    expect(response.statusCode).toBe(400);
    const html = response.body;
    expect(html).toContain('<title>Error: ');
    const summary = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
    expect(summary).toContain('There is a problem');
    expect(summary).toContain('<a href="#email">Enter your email address</a>');
    expect(summary).toContain(
      '<a href="#message">Your message must be 20,000 characters or fewer</a>',
    );
    expect(summary).not.toContain('#name');
    // Field-level messages, and everything typed is still there (escaped).
    expect(html).toContain('govuk-error-message');
    expect(html).toContain('value="Ada &lt;Lovelace&gt;"');
    expect(html).toContain('value="Bus lanes"');
    const textarea = /<textarea[^>]*name="message"[^>]*>([\s\S]*?)<\/textarea>/.exec(html)?.[1];
    expect(unescape(textarea!.replace(/^\n/, ''))).toBe(long);
    expect(html).toMatch(/name="type" type="radio" value="general" checked/);
    expect(await count('cases')).toBe(before);
  });

  it('asks what the message is about, and for a real email address', async () => {
    const form = new FormSession(t.app);
    const { response } = await form.submit(
      goodAnswers({ type: '', email: 'not-an-address', name: '' }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<a href="#name">Enter your full name</a>');
    expect(response.body).toContain(
      '<a href="#email">Enter an email address in the correct format, like name@example.com</a>',
    );
    expect(response.body).toContain('<a href="#type">Select what your message is about</a>');
  });

  it('keeps the idempotency key across a corrected resubmission: one case', async () => {
    const form = new FormSession(t.app);
    const { csrf, idempotencyKey } = await form.open();
    const first = await form.post({
      _csrf: csrf,
      idempotencyKey,
      ...goodAnswers({ email: '', subject: 'Corrected later' }),
    });
    expect(first.statusCode).toBe(400);
    expect(first.body).toContain(`name="idempotencyKey" value="${idempotencyKey}"`);
    const fixed = await form.post({
      _csrf: csrfFromBody(first.body),
      idempotencyKey,
      ...goodAnswers({ email: 'corrected@example.org', subject: 'Corrected later' }),
    });
    expect(fixed.statusCode).toBe(200);
    expect(fixed.body).toContain('Message sent');
  });

  it('refuses a post without the CSRF token (403) and creates nothing', async () => {
    const form = new FormSession(t.app);
    const { idempotencyKey } = await form.open();
    const before = await count('cases');
    const response = await form.post({ idempotencyKey, ...goodAnswers() });
    expect(response.statusCode).toBe(403);
    expect(await count('cases')).toBe(before);
  });
});

function csrfFromBody(html: string) {
  return /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
}

describe('a good submission', () => {
  it('shows the reference in a panel and sends exactly one acknowledgement with it', async () => {
    const form = new FormSession(t.app);
    const { response } = await form.submit(
      goodAnswers({ email: 'one.ack@example.org', type: 'complaint' }),
    );
    expect(response.statusCode).toBe(200);
    const reference = /<strong>(OPCC-2026-\d{5})<\/strong>/.exec(response.body)?.[1];
    expect(reference).toBeDefined();
    expect(response.body).toContain('govuk-panel--confirmation');
    expect(response.body).toContain('What happens next');

    const [row] = await t.db.sql<
      { type: string; channel: string; status: string; subject: string; source_type: string }[]
    >`select type, channel, status, subject, source_type from cases where reference = ${reference!}`;
    expect(row).toMatchObject({
      type: 'complaint',
      channel: 'web',
      status: 'new',
      subject: 'Speeding on Station Road',
      source_type: 'contact-form',
    });

    const emails = await emailsTo('one.ack@example.org');
    expect(emails).toHaveLength(1);
    expect(emails[0]!.subject).toContain(reference!);
    const ours = () => t.sink.messages.filter((m) => m.envelopeTo.includes('one.ack@example.org'));
    await expect.poll(() => ours().length, { timeout: 10_000 }).toBe(1);
    expect(ours()[0]!.parsed.subject).toContain(reference!);
    expect(ours()[0]!.parsed.text).toContain(reference!);
    expect(ours()[0]!.parsed.headers.get('auto-submitted')).toBeDefined();
  });

  it('gives the due date for an FOI request and a SAR in "What happens next"', async () => {
    for (const [type, words] of [
      ['foi', 'request for information'],
      ['sar', 'request for your personal data'],
    ] as const) {
      const form = new FormSession(t.app);
      const { response } = await form.submit(goodAnswers({ type, email: `${type}@example.org` }));
      expect(response.statusCode).toBe(200);
      const reference = /<strong>(OPCC-2026-\d{5})<\/strong>/.exec(response.body)![1]!;
      const [row] = await t.db.sql<{ due: string }[]>`
        select to_char(next_due_on, 'FMDD FMMonth YYYY') as due from cases where reference = ${reference}`;
      expect(row!.due).toMatch(/^\d{1,2} [A-Z][a-z]+ 20\d\d$/);
      expect(response.body).toContain(
        `We will respond to your ${words} by <strong>${row!.due}</strong>`,
      );
    }
  });

  it('answers the same token twice with the same confirmation and one case, one email', async () => {
    const form = new FormSession(t.app);
    const { csrf, idempotencyKey } = await form.open();
    const answers = goodAnswers({ email: 'twice@example.org', subject: 'Sent twice' });
    const casesBefore = await count('cases');
    const first = await form.post({ _csrf: csrf, idempotencyKey, website: '', ...answers });
    const second = await form.post({ _csrf: csrf, idempotencyKey, website: '', ...answers });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    const ref1 = /<strong>(OPCC-[\d-]+)<\/strong>/.exec(first.body)![1];
    const ref2 = /<strong>(OPCC-[\d-]+)<\/strong>/.exec(second.body)![1];
    expect(ref2).toBe(ref1);
    expect(await count('cases')).toBe(casesBefore + 1);
    expect(await emailsTo('twice@example.org')).toHaveLength(1);
    const [key] = await t.db.sql<{ scope: string; response: { reference: string } }[]>`
      select scope, response from idempotency_keys where key = ${idempotencyKey}`;
    expect(key).toMatchObject({ scope: 'contact-form', response: { reference: ref1 } });
  });

  it('answers the same token with different answers with 422 and creates nothing', async () => {
    const form = new FormSession(t.app);
    const { csrf, idempotencyKey } = await form.open();
    await form.post({ _csrf: csrf, idempotencyKey, ...goodAnswers({ subject: 'First' }) });
    const before = await count('cases');
    const response = await form.post({
      _csrf: csrf,
      idempotencyKey,
      ...goodAnswers({ subject: 'Edited after sending' }),
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('You have already sent this form');
    expect(await count('cases')).toBe(before);
  });

  it('pretends success when the honeypot is filled, and creates nothing', async () => {
    const form = new FormSession(t.app);
    const counts = [await count('cases'), await count('email_messages'), await count('contacts')];
    const { response } = await form.submit(
      goodAnswers({ email: 'bot@example.org', website: 'http://spam.example' }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Message sent');
    expect(response.body).not.toMatch(/OPCC-\d{4}-\d{5}/);
    expect([await count('cases'), await count('email_messages'), await count('contacts')]).toEqual(
      counts,
    );
  });

  it('security checklist 20: CR/LF in name or subject adds no header at the SMTP sink', async () => {
    const form = new FormSession(t.app);
    const { response } = await form.submit(
      goodAnswers({
        name: 'Eve Example\r\nBcc: spy@evil.example',
        email: 'eve@example.org',
        subject: 'Hello\r\nX-Injected: yes\r\n\r\nbody',
      }),
    );
    expect(response.statusCode).toBe(200);
    const reference = /<strong>(OPCC-[\d-]+)<\/strong>/.exec(response.body)![1]!;
    const [row] = await t.db.sql<{ subject: string; name: string }[]>`
      select c.subject, k.name from cases c join contacts k on k.id = c.contact_id
      where c.reference = ${reference}`;
    expect(row!.subject).toBe('Hello X-Injected: yes body');
    expect(row!.name).toBe('Eve Example Bcc: spy@evil.example');

    await expect
      .poll(() => t.sink.messages.filter((m) => m.envelopeTo.includes('eve@example.org')).length)
      .toBe(1);
    const mail = t.sink.messages.find((m) => m.envelopeTo.includes('eve@example.org'))!;
    expect(mail.envelopeTo).toEqual(['eve@example.org']);
    expect(mail.parsed.headers.has('bcc')).toBe(false);
    expect(mail.parsed.headers.has('x-injected')).toBe(false);
    const headerBlock = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
    expect(headerBlock).not.toMatch(/^(bcc|x-injected):/im);
    expect(t.sink.messages.some((m) => m.envelopeTo.includes('spy@evil.example'))).toBe(false);
  });
});

describe('rate limit', () => {
  it('gives the sixth post from one IP in 10 minutes a 429', async () => {
    const form = new FormSession(t.app);
    const { csrf, idempotencyKey } = await form.open();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const response = await form.post({
        _csrf: csrf,
        idempotencyKey,
        ...goodAnswers({ email: '' }),
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    // Another address is not affected.
    const other = await new FormSession(t.app).submit(goodAnswers({ email: '' }));
    expect(other.response.statusCode).toBe(400);
  });
});
