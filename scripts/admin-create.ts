import { parseArgs } from 'node:util';
import { createServices } from '../server/app.js';
import { openRuntime } from '../server/bootstrap.js';
import { loadConfig } from '../server/config.js';
import { AppError } from '../server/platform/errors.js';
import { startupFailureMessage } from '../server/startup.js';

const USAGE =
  'Usage: npm run admin:create -- --email <address> --name "<full name>" [--disable-default-accounts]\n' +
  '       (built image: node dist/scripts/admin-create.js --email ... --name ...)';

/**
 * `npm run admin:create`: the first admin (docs/rules/security.md §2: no default accounts). Creates the
 * account with no password and prints a one-time activation link (24 hours, single use):
 * the admin sets their own password there, then sets up an authenticator app. No password
 * is ever printed. Refused while another usable admin exists. `--disable-default-accounts`
 * also disables accounts whose password the system set (a generated admin, ADMIN_PASSWORD,
 * the demo seed), which production refuses to start beside.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      'disable-default-accounts': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || !values.email || !values.name) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  const config = loadConfig();
  const runtime = await openRuntime(config, () => undefined, {
    dbMax: 2,
    ifEmbeddedRunning: 'share',
    allowDefaultAccounts: true,
  });
  try {
    const services = createServices(runtime);
    const { user, link, disabled } = await services.users.createFirstAdmin(
      {
        email: values.email,
        name: values.name,
        disableDefaultAccounts: values['disable-default-accounts'],
      },
      (tx, row) => services.links.activationLink(tx, row),
    );
    console.log(`Admin created: ${user.email} (${user.name})`);
    for (const email of disabled) console.log(`Default account disabled: ${email}`);
    console.log(
      `\nActivation link (one use, expires in 24 hours; give it to ${user.email} only):\n${link}\n`,
    );
    console.log('Opening it sets the password, then an authenticator app is set up at sign-in.');
    const remaining = await services.users.defaultAccounts();
    if (remaining.length > 0 && config.env === 'production') {
      console.log(
        `Production will not start while these default accounts are enabled: ${remaining.map((r) => r.email).join(', ')}. ` +
          'Run again with --disable-default-accounts, or have each owner reset their password.',
      );
    }
  } finally {
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof AppError) {
    const fields = Object.values(error.fields ?? {});
    console.error(fields.length > 0 ? fields.join('\n') : error.message);
  } else {
    console.error(startupFailureMessage(error));
  }
  process.exitCode = 1;
});
