/**
 * A worker in its own process for the fault tests (reliability §9): the real runtime and job
 * code, with the short lock the contract's tests use (lockDuration 2 s, stalledInterval 1 s)
 * so a SIGKILLed worker's job is rerun by another within about 3 s. Test-only entry point.
 */
import { guardDriverWriteAfterClose } from '../../../db/client.js';
import { createServices } from '../../../server/app.js';
import { openRuntime } from '../../../server/bootstrap.js';
import { loadConfig } from '../../../server/config.js';
import { serveWorkerHealth, workerName } from '../../../workers/health.js';
import { startWorkers } from '../../../workers/runner.js';

async function main() {
  guardDriverWriteAfterClose(console.log);
  const config = loadConfig();
  const runtime = await openRuntime(config, console.log, { dbMax: 5 });
  const runner = await startWorkers({
    db: runtime.db,
    queues: runtime.queues,
    services: createServices(runtime),
    clock: runtime.clock,
    log: (message) => console.log(`[worker] ${message}`),
    schedulers: false,
    workerOptions: { lockDuration: 2000, stalledInterval: 1000 },
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
  if (health) console.log(`health:   worker /healthz on ${config.host}:${health.port}`);
  console.log('worker ready');
  process.once('SIGTERM', () => {
    void (async () => {
      await health?.close();
      await runner.stop(20_000);
      await runtime.close();
      console.log('worker stopped');
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
