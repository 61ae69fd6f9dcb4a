import type { LightMyRequestResponse } from 'fastify';
import { afterEach, expect } from 'vitest';
import { buildTestApp, type TestApp, type TestAppOptions } from '../../helpers/app.js';
import { baseEnv, runScript, type AppProcess } from '../../helpers/app-process.js';
import { CountingSmtpSink } from '../../helpers/counting-smtp-sink.js';
import { OwnRedis, redisText } from './redis.js';

/** Personal data every fault test writes; it must never reach Redis (job data is clear text). */
export const CANARY_NAME = 'Zebedee Canarywharf';
export const canaryEmail = (n: number | string) => `canary-${n}@example.org`;

export interface FaultEnv {
  t: TestApp;
  redis: OwnRedis;
  sink: CountingSmtpSink;
  /** A worker in its own process (see worker-child.ts), ready to consume. */
  forkWorker(options?: {
    databaseUrl?: string;
    waitReady?: boolean;
    env?: Record<string, string>;
  }): Promise<AppProcess>;
  /** A public contact POST from its own address (the form is rate-limited per IP). */
  contact(n: number | string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Waits until every outbox row is processed and no email is queued or sending. */
  drain(timeoutMs?: number): Promise<void>;
  /** The invariant of reliability §9, checked after every fault test. */
  checkInvariant(options?: { refused?: string[] }): Promise<void>;
  close(): Promise<void>;
}

export async function faultEnv(
  options: { redisLater?: boolean; app?: TestAppOptions } = {},
): Promise<FaultEnv> {
  const redis = options.redisLater ? await OwnRedis.reserve() : await OwnRedis.start();
  const sink = await new CountingSmtpSink().start();
  const t = await buildTestApp({
    ...options.app,
    config: { redisUrl: redis.url, smtpUrl: sink.url, ...options.app?.config },
  });
  const children: AppProcess[] = [];
  let contactNo = 0;

  const env: FaultEnv = {
    t,
    redis,
    sink,
    async forkWorker(fork = {}) {
      const child = runScript(
        'test/faults/harness/worker-child.ts',
        [],
        baseEnv({
          NODE_ENV: 'test',
          DATABASE_URL: fork.databaseUrl ?? t.databaseUrl,
          REDIS_URL: redis.url,
          SMTP_URL: sink.url,
          QUEUE_PREFIX: t.config.queuePrefix,
          MIGRATE_ON_START: 'false',
          // The app's secret: HMACs (the suppression list, tokens) must agree.
          JWT_SECRET: t.config.jwtSecret,
          ...fork.env,
        }),
      );
      children.push(child);
      if (fork.waitReady !== false) await child.waitFor('worker ready', 60_000);
      return child;
    },
    contact(n, headers = {}) {
      contactNo += 1;
      return t.app.inject({
        method: 'POST',
        url: '/api/public/contact',
        remoteAddress: `10.${(contactNo >> 16) & 255}.${(contactNo >> 8) & 255}.${contactNo & 255}`,
        headers,
        payload: {
          name: CANARY_NAME,
          email: canaryEmail(n),
          subject: `Fault test ${n}`,
          message: 'Streetlights out on Canary Row.',
        },
      });
    },
    async drain(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [state] = await t.db.sql<{ open: number; busy: number }[]>`
          select (select count(*)::int from outbox where processed_at is null) as open,
                 (select count(*)::int from email_messages where status in ('queued', 'sending')) as busy`;
        if (state!.open === 0 && state!.busy === 0) return;
        if (Date.now() > deadline)
          throw new Error(
            `not drained: ${state!.open} outbox rows open, ${state!.busy} emails busy`,
          );
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async checkInvariant(check = {}) {
      const refused = new Set((check.refused ?? []).map((a) => a.toLowerCase()));
      const rows = await t.db.sql<
        { id: string; to: string; status: string; message_id: string; outbox: number }[]
      >`select e.id, e."to", e.status, e.message_id,
               (select count(*)::int from outbox o
                 where o.topic = 'email' and o.payload->>'emailId' = e.id::text) as outbox
          from email_messages e`;
      const atSink = new Map<string, number>();
      for (const mail of sink.mails) {
        const id = mail.messageId.replace(/[<>]/g, '');
        atSink.set(id, (atSink.get(id) ?? 0) + 1);
      }
      const problems: string[] = [];
      const known = new Set<string>();
      for (const row of rows) {
        known.add(row.message_id);
        if (row.outbox !== 1) problems.push(`email ${row.id} has ${row.outbox} outbox rows`);
        const delivered = atSink.has(row.message_id);
        if (row.status === 'cancelled') {
          // The person was erased before it went (§9 row 12): never delivered.
          if (delivered) problems.push(`cancelled email ${row.id} was delivered`);
        } else if (refused.has(row.to.toLowerCase())) {
          if (row.status === 'sent' || delivered) problems.push(`refused ${row.to} was delivered`);
        } else if (row.status !== 'sent') problems.push(`email ${row.id} is ${row.status}`);
        else if (!delivered) problems.push(`email ${row.id} is sent but never reached the sink`);
      }
      for (const id of atSink.keys())
        if (!known.has(id)) problems.push(`sink message ${id} has no email row`);
      const [outboxState] = await t.db.sql<{ unpublished: number; unprocessed: number }[]>`
        select count(*) filter (where published_at is null)::int as unpublished,
               count(*) filter (where processed_at is null)::int as unprocessed from outbox`;
      if (outboxState!.unpublished > 0) problems.push(`${outboxState!.unpublished} unpublished`);
      if (outboxState!.unprocessed > 0) problems.push(`${outboxState!.unprocessed} unprocessed`);
      if (redis.running) {
        const counts = await t.queues.queue('email').getJobCounts('failed', 'active');
        if ((counts.failed ?? 0) > refused.size) problems.push(`${counts.failed} failed jobs`);
        if ((counts.active ?? 0) > 0) problems.push(`${counts.active} jobs still active`);
        const client = redis.client();
        const text = await redisText(client, t.config.queuePrefix);
        client.disconnect();
        if (text.includes('Canarywharf') || text.includes('canary-'))
          problems.push('personal data found in Redis');
      }
      expect(problems).toEqual([]);
    },
    async close() {
      for (const child of children) await child.stop('SIGKILL');
      await t.close();
      await sink.stop();
      await redis.destroy();
    },
  };
  return env;
}

/**
 * The per-test frame of every fault file: after each test the invariant is checked (once
 * the test has drained the queue), then everything the test started is stopped, even when
 * the check fails.
 */
export function faultTests() {
  const state: {
    env: FaultEnv | undefined;
    refused: string[];
    cleanups: Array<() => Promise<void> | void>;
  } = { env: undefined, refused: [], cleanups: [] };
  afterEach(async () => {
    const { env, refused, cleanups } = state;
    state.env = undefined;
    state.refused = [];
    state.cleanups = [];
    try {
      await env?.checkInvariant({ refused });
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await env?.close();
    }
  });
  return {
    async start(options?: Parameters<typeof faultEnv>[0]) {
      state.env = await faultEnv(options);
      return state.env;
    },
    /** Addresses refused for good (550): the invariant expects no delivery for them. */
    refused(...addresses: string[]) {
      state.refused.push(...addresses);
    },
    onCleanup(fn: () => Promise<void> | void) {
      state.cleanups.push(fn);
    },
  };
}
