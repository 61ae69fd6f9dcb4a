import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { startInboundSmtp, type InboundSmtp } from '../../server/intake/smtp-adapter.js';
import { useTestApp } from '../helpers/fixture.js';
import { rawEmail } from './helpers.js';

const t = useTestApp();
let smtp: InboundSmtp;
const ingested: string[] = [];

beforeAll(async () => {
  smtp = await startInboundSmtp({
    port: 0,
    host: '127.0.0.1',
    ingest: (raw) => {
      ingested.push(raw);
      return t.app.services.intake.ingestRawEmail(raw, { via: 'smtp' });
    },
    maxBytes: 10 * 1024 * 1024,
  });
});
afterAll(async () => {
  await smtp?.close();
});

const send = (port: number, from: string, raw: string) =>
  nodemailer
    .createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true })
    .sendMail({ envelope: { from, to: ['casework@opcc.example.gov.uk'] }, raw });

async function casesFrom(address: string) {
  const [row] = await t.db.sql<{ n: number }[]>`
    select count(*)::int as n from cases c join contacts k on k.id = c.contact_id
    where k.email_norm = ${address}`;
  return row!.n;
}

describe('inbound SMTP adapter', () => {
  it('answers 250 after the commit, and a redelivery of the same message opens no second case', async () => {
    const from = 'smtp.twice@example.org';
    const raw = rawEmail({ from: `Sam Twice <${from}>`, subject: 'Speeding on the high street' });

    const first = await send(smtp.port, from, raw);
    expect(first.response).toMatch(/^250/);
    // The 250 came after the commit: the case is already there.
    expect(await casesFrom(from)).toBe(1);

    const second = await send(smtp.port, from, raw);
    expect(second.response).toMatch(/^250/);
    expect(await casesFrom(from)).toBe(1);

    const [row] = await t.db.sql<{ n: number }[]>`
      select count(*)::int as n from inbound_messages where from_address = ${from}`;
    expect(row!.n).toBe(1);
    expect(ingested.filter((message) => message.includes(from))).toHaveLength(2);
  });

  it('answers 451 when the ingest fails, so the relay retries, and stores nothing', async () => {
    const from = 'smtp.fails@example.org';
    const raw = rawEmail({ from: `Fay Fails <${from}>`, subject: 'Parking on the verge' });
    const failing = await startInboundSmtp({
      port: 0,
      host: '127.0.0.1',
      ingest: () => Promise.reject(new Error('database unavailable')),
      maxBytes: 10 * 1024 * 1024,
    });
    try {
      const error = (await send(failing.port, from, raw).catch((e: unknown) => e)) as {
        responseCode?: number;
      };
      expect(error).toBeInstanceOf(Error);
      expect(error.responseCode).toBe(451);
      expect(await casesFrom(from)).toBe(0);
    } finally {
      await failing.close();
    }

    // The relay's retry, once the store is back, is accepted and opens the case.
    const retried = await send(smtp.port, from, raw);
    expect(retried.response).toMatch(/^250/);
    expect(await casesFrom(from)).toBe(1);
  });

  it('refuses a message over the size limit with a 5xx before ingesting it', async () => {
    const from = 'smtp.big@example.org';
    const small = await startInboundSmtp({
      port: 0,
      host: '127.0.0.1',
      ingest: () => Promise.reject(new Error('should not be called')),
      maxBytes: 1024,
    });
    try {
      const raw = rawEmail({ from: `Big Sender <${from}>`, body: 'x'.repeat(4096) });
      const error = (await send(small.port, from, raw).catch((e: unknown) => e)) as {
        responseCode?: number;
      };
      expect(error).toBeInstanceOf(Error);
      expect(String(error.responseCode)).toMatch(/^5/);
      expect(await casesFrom(from)).toBe(0);
    } finally {
      await small.close();
    }
  });
});

describe('INBOUND_SMTP_PORT', () => {
  it('is off when absent and a port number when set', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).inboundSmtpPort).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'test', INBOUND_SMTP_PORT: '2525' }).inboundSmtpPort).toBe(2525);
  });

  it('refuses a value that is not a port', () => {
    for (const bad of ['smtp', '70000', '-1', '25.5']) {
      expect(() => loadConfig({ NODE_ENV: 'test', INBOUND_SMTP_PORT: bad })).toThrow(
        /INBOUND_SMTP_PORT must be a whole number/,
      );
    }
  });
});
