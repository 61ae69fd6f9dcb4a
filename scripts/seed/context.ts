import type { Db } from '../../db/client.js';
import type { Services } from '../../server/app.js';
import type { FixedClock } from '../../server/lib/clock.js';
import type { Actor } from '../../server/platform/audit.js';

/**
 * What each domain's demo data module gets from the seed entry (scripts/seed-demo.ts):
 * the real services (so every record is made as the app makes it), the database, a clock
 * the module may move, and the staff accounts.
 */
export interface SeedContext {
  db: Db;
  services: Services;
  clock: FixedClock;
  system: Actor;
  /** Caseworkers' ids. */
  staffIds: string[];
  managerId: string;
}
