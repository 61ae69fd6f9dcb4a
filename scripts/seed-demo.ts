/**
 * `npm run db:seed`: realistic demo data drawn from the Cambridgeshire and Peterborough
 * OPCC annual report 2016-17 and Police and Crime Plan 2017-20: staff
 * accounts and a year of correspondence (about 1,000 items, the office's real volume),
 * most of it answered and closed. Idempotent: it does nothing where data already exists.
 *
 * A composition root like the mains, so it builds the real services: every case gets its
 * reference, deadlines, timeline and audit rows exactly as staff entry would give it.
 */
import { openRuntime } from '../server/bootstrap.js';
import { createServices } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { FixedClock } from '../server/lib/clock.js';
import type { Actor } from '../server/platform/audit.js';
import { seedComplaints } from './seed/complaints.js';
import { seedCorrespondence } from './seed/correspondence.js';
import { seedStaff } from './seed/staff.js';
import { seedSurveys } from './seed/surveys.js';
import { seedSurgeries } from './seed/surgeries.js';

export { DEMO_PASSWORD } from './seed/staff.js';

/**
 * Each domain's demo data is its own module under scripts/seed/, called here with one line
 * (in order: later domains may refer to earlier ones' records).
 */
async function main() {
  const config = loadConfig();
  const runtime = await openRuntime(config, console.log, { ifEmbeddedRunning: 'share' });
  const clock = new FixedClock(new Date());
  const services = createServices({ ...runtime, clock });
  const db = runtime.db.db;
  const system: Actor = { id: null, role: 'system', requestId: 'seed' };
  try {
    // The app loads the bundled bank holidays when it starts; a seed run before the first
    // start must too, or every deadline would be worked out with no holidays at all.
    await services.deadlines.loadBundle();
    const staff = await seedStaff(db, services, system);
    const ctx = { db, services, clock, system, ...staff };
    await seedCorrespondence(ctx);
    await seedSurveys(ctx);
    await seedSurgeries(ctx);
    await seedComplaints(ctx);
  } finally {
    await runtime.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
