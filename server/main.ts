import { guardDriverWriteAfterClose } from '../db/client.js';
import { buildApp } from './app.js';
import { openRuntime } from './bootstrap.js';
import { loadConfig } from './config.js';
import { startHeapLog } from './platform/heap-log.js';
import { startupFailureMessage } from './startup.js';

/** `npm run server`: the web half alone (production shape; workers run separately). */
async function main() {
  guardDriverWriteAfterClose(console.log);
  const config = loadConfig();
  const runtime = await openRuntime(config, console.log);
  const app = await buildApp(runtime);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    await runtime.close();
    throw error;
  }
  // Only once listening: a failed start must not use up the "shown once" password.
  await announceFirstAdmin(app.services.users, config);
  for (const line of runtime.describe()) console.log(line);
  console.log(
    `pages:    ${config.publicUrl}/ (public), ${config.publicUrl}/sign-in (staff sign-in)${config.apiDocs === 'public' ? `, ${config.publicUrl}/api/docs (API)` : ''}`,
  );
  startHeapLog(config.benchHeapLog, 'server');
  const shutdown = async () => {
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

export async function announceFirstAdmin(
  users: {
    ensureFirstAdmin: (
      e?: string,
      p?: string,
    ) => Promise<{ email: string; password?: string } | undefined>;
    list: () => Promise<unknown[]>;
  },
  config: { env: string; adminEmail?: string; adminPassword?: string },
) {
  // Production never generates an admin: `npm run admin:create` makes the first (§9 #6).
  if (config.env === 'production') {
    if ((await users.list()).length === 0)
      console.log(
        'No users yet: create the first admin with `npm run admin:create -- --email <address> --name <name>` (docs/operations.md).',
      );
    return;
  }
  const created = await users.ensureFirstAdmin(config.adminEmail, config.adminPassword);
  if (!created) return;
  if (created.password) {
    console.log(
      `\nFirst admin created: ${created.email}\nPassword (shown once, change it after signing in): ${created.password}\n`,
    );
  } else {
    console.log(`First admin created: ${created.email} (password from ADMIN_PASSWORD)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(startupFailureMessage(error));
    process.exit(1);
  });
}
