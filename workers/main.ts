import { guardDriverWriteAfterClose } from '../db/client.js';
import { buildApp, createServices } from '../server/app.js';
import { openRuntime } from '../server/bootstrap.js';
import { loadConfig } from '../server/config.js';
import { startInboundSmtp } from '../server/intake/smtp-adapter.js';
import { announceFirstAdmin } from '../server/main.js';
import { startHeapLog } from '../server/platform/heap-log.js';
import { startupFailureMessage } from '../server/startup.js';
import { serveWorkerHealth, workerName } from './health.js';
import { startWorkers } from './runner.js';

/**
 * `npm run worker`: the background half. `npm start` passes --all to run the web server
 * in the same process, the embedded default for a single machine.
 */
async function main() {
  const all = process.argv.includes('--all');
  const started = Date.now();
  guardDriverWriteAfterClose(console.log);
  const config = loadConfig();
  const runtime = await openRuntime(config, console.log, { dbMax: all ? 15 : 5 });
  const log = (message: string) => console.log(`[worker] ${message}`);
  const app = all ? await buildApp(runtime) : undefined;
  const services = app?.services ?? createServices(runtime);
  const runner = await startWorkers({
    db: runtime.db,
    queues: runtime.queues,
    services,
    clock: runtime.clock,
    log,
    relayPaused: config.outboxRelayPaused,
    heartbeat: { name: workerName(), everyMs: config.workerHeartbeatMs },
  });
  // The supervisor's liveness check (reliability §7), on HOST (127.0.0.1 by default).
  const health =
    config.workerHealthPort === undefined
      ? undefined
      : await serveWorkerHealth({
          port: config.workerHealthPort,
          host: config.host,
          check: () => runner.health(),
        });
  // The SMTP hook for inbound email (domain §2): 250 only once the message is committed.
  const inboundSmtp =
    config.inboundSmtpPort === undefined
      ? undefined
      : await startInboundSmtp({
          port: config.inboundSmtpPort,
          host: config.host,
          ingest: (raw) => services.intake.ingestRawEmail(raw, { via: 'smtp' }),
          log,
        });
  if (app) {
    try {
      await app.listen({ port: config.port, host: config.host });
    } catch (error) {
      await health?.close();
      await inboundSmtp?.close();
      await runner.stop(1000);
      await app.close();
      await runtime.close();
      throw error;
    }
    // Only once listening: a failed start must not use up the "shown once" password.
    await announceFirstAdmin(app.services.users, config);
  }
  for (const line of runtime.describe()) console.log(line);
  console.log(
    `workers:  ${runner.workers.length} queues, outbox relay ${runner.relay.paused ? 'PAUSED (OUTBOX_RELAY_PAUSED=true)' : 'running'}`,
  );
  if (inboundSmtp) console.log(`inbound:  SMTP on ${config.host}:${inboundSmtp.port}`);
  if (health) console.log(`health:   worker /healthz on ${config.host}:${health.port}`);
  if (app) {
    console.log(
      `pages:    ${config.publicUrl}/ (public), ${config.publicUrl}/sign-in (staff sign-in)${config.apiDocs === 'public' ? `, ${config.publicUrl}/api/docs (API)` : ''}`,
    );
  }
  console.log(`ready in ${Date.now() - started} ms`);
  startHeapLog(config.benchHeapLog, all ? 'all' : 'worker');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: finishing in-flight requests and jobs`);
    // A stop that overruns names the step it was stuck in (the supervisor's log says why).
    let step = 'inbound SMTP';
    const force = setTimeout(() => {
      console.log(`${signal}: gave up after 25 s waiting for ${step}`);
      process.exit(1);
    }, 25_000);
    force.unref();
    // Every step runs even if one before it failed (a rejection here was an unhandled
    // rejection: exit 1). The exit code says whether in-flight requests and jobs finished.
    let unfinished = false;
    const run = async (name: string, fn: () => Promise<unknown> | undefined, inFlight = false) => {
      step = name;
      try {
        await fn();
      } catch (error) {
        if (inFlight) unfinished = true;
        console.log(
          `${signal}: ${name}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    };
    await run('inbound SMTP', () => inboundSmtp?.close());
    await run('worker health server', () => health?.close());
    await run('in-flight requests', () => app?.close(), true);
    await run('in-flight jobs', () => runner.stop(), true);
    await run('database and queue connections', () => runtime.close());
    process.exit(unfinished ? 1 : 0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(startupFailureMessage(error));
  process.exit(1);
});
