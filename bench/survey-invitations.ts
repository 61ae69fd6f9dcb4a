/**
 * Survey invitations through the whole pipeline (issue 14, docs/rules/surveys.md §5): 100,000
 * consenting contacts in a list; the invitations service (what POST
 * /api/surveys/:id/invitations calls) writes invitations, wave, deliveries and the outbox
 * row in one transaction; the relay, the fan-out and the survey-invite workers send every
 * email to a local SMTP sink with the rate limit off. Counts duplicates and losses at the
 * sink by recipient and Message-ID.
 *
 *   npm run bench:surveys -- --n 100000 --concurrency 50 --connections 10
 */
import fs from 'node:fs';
import os from 'node:os';
import postgres from 'postgres';
import { createDb } from '../db/client.js';
import { runMigrations } from '../db/migrate.js';
import { createServices } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { systemClock } from '../server/lib/clock.js';
import { createMailTransport } from '../server/mail/transport.js';
import { CountingSmtpSink } from '../test/helpers/counting-smtp-sink.js';
import { createQueueBackend } from '../workers/queues.js';
import { startWorkers } from '../workers/runner.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 100_000);
const CONCURRENCY = arg('concurrency', 50);
const CONNECTIONS = arg('connections', 10);
const BATCH = arg('batch', 50);
const ADMIN = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NAME = 'opcc_bench_surveys';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function main() {
  const admin = postgres(ADMIN, { max: 1, onnotice: () => undefined });
  await admin.unsafe(`drop database if exists "${NAME}" with (force)`);
  await admin.unsafe(`create database "${NAME}"`);
  await admin.end();
  const url = new URL(ADMIN);
  url.pathname = `/${NAME}`;
  const databaseUrl = url.toString();
  await runMigrations(databaseUrl);

  const sink = await new CountingSmtpSink({ keepRaw: false }).start();
  const prefix = `bsv${Date.now().toString(36)}`;
  const config = loadConfig(
    { NODE_ENV: 'test', JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0001' },
    {
      databaseUrl,
      redisUrl: REDIS,
      smtpUrl: `${sink.url}?pool=true&maxConnections=${CONNECTIONS}`,
      queuePrefix: prefix,
      surveySend: {
        limit: null,
        concurrency: CONCURRENCY,
        retryDelayMs: 1000,
        leaseMs: 60_000,
        throttlePauseMs: 1000,
        batchSize: BATCH,
      },
    },
  );
  const db = createDb(databaseUrl, { max: 20 });
  const queues = createQueueBackend({ databaseUrl, redisUrl: REDIS, prefix });
  const transport = createMailTransport(config.smtpUrl, db.db);
  const services = createServices({ config, db, mailTransport: transport, clock: systemClock });
  const actor = { id: null, role: 'system', requestId: 'bench' };

  console.log(`seeding ${N} contacts with consent in one list`);
  // Its own connection: the app's 15 s statement timeout is too short for 100,000 rows at once.
  const seed = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  const [list] = await seed<
    { id: string }[]
  >`insert into contact_lists (name) values ('bench') returning id`;
  await seed`
    with c as (
      insert into contacts (name, email, email_norm)
      select 'Resident ' || i, 'r' || i || '@bench.example', 'r' || i || '@bench.example'
      from generate_series(1, ${N}) i returning id
    ), m as (insert into contact_list_members (list_id, contact_id) select ${list!.id}, id from c)
    insert into contact_consents (contact_id, purpose, source, given_at)
    select id, 'surveys', 'bench', now() from c`;
  await seed.end();
  const now = Date.now();
  const survey = await services.surveys.builder.create(actor, {
    title: 'Bench consultation',
    opensAt: new Date(now - 3_600_000).toISOString(),
    closesAt: new Date(now + 30 * 86_400_000).toISOString(),
    anonymous: true,
    questions: [
      {
        key: 'q',
        kind: 'single',
        label: 'A question',
        options: [
          { key: 'a', label: 'A' },
          { key: 'b', label: 'B' },
        ],
      },
    ],
  });
  await services.surveys.builder.open(actor, survey.id);

  const runner = await startWorkers({
    db,
    queues,
    services,
    clock: systemClock,
    log: () => undefined,
    schedulers: false,
  });
  const started = performance.now();
  const { queued } = await services.surveys.invitations.invite(actor, survey.id, {
    listId: list!.id,
  });
  const launchedMs = performance.now() - started;
  console.log(`launch: ${queued} deliveries queued in ${Math.round(launchedMs)} ms`);
  let last = 0;
  const timer = setInterval(() => {
    const n = sink.mails.length;
    console.log(`  ${n} at the sink (+${n - last}/5 s)`);
    last = n;
  }, 5000);
  await sink.waitFor(() => sink.mails.length >= N, 15 * 60_000, `${N} emails`);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  await new Promise((r) => setTimeout(r, 2000)); // anything late would be a duplicate
  const recipients = sink.byRecipient();
  const [states] = await db.sql<Record<string, number>[]>`
    select count(*) filter (where state = 'sent')::int as sent,
           count(*) filter (where state <> 'sent')::int as other from survey_deliveries`;
  const result = {
    at: new Date().toISOString(),
    host: `${os.cpus().length} CPU ${os.cpus()[0]?.model ?? ''}`.trim(),
    node: process.version,
    n: N,
    workerConcurrency: CONCURRENCY,
    smtpConnections: CONNECTIONS,
    batchSize: BATCH,
    launchMs: Math.round(launchedMs),
    seconds: Math.round(seconds * 10) / 10,
    perSecond: Math.round(N / seconds),
    received: sink.mails.length,
    distinctRecipients: recipients.size,
    distinctMessageIds: sink.distinctMessageIds(),
    duplicates: sink.mails.length - recipients.size,
    lost: N - recipients.size,
    deliveriesSent: states!.sent,
    deliveriesNotSent: states!.other,
    pass: seconds < 300 && sink.mails.length === N && recipients.size === N,
  };
  console.log(JSON.stringify(result, null, 2));
  fs.mkdirSync('bench/results', { recursive: true });
  fs.writeFileSync(
    `bench/results/surveys-${result.at.slice(0, 10)}.json`,
    `${JSON.stringify(result, null, 2)}\n`,
  );
  await runner.stop(5000);
  await queues.close();
  transport.close();
  await db.close();
  await sink.stop();
  process.exit(result.pass ? 0 : 1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
