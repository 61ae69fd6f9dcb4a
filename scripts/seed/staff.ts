import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Services } from '../../server/app.js';
import type { Actor } from '../../server/platform/audit.js';

export const DEMO_PASSWORD = 'demo passphrase for opcc casework';

const STAFF = [
  {
    email: 'priya.shah@opcc.example.gov.uk',
    name: 'Priya Shah',
    role: 'caseworker',
    jobTitle: 'Casework Officer',
  },
  {
    email: 'tom.ellis@opcc.example.gov.uk',
    name: 'Tom Ellis',
    role: 'caseworker',
    jobTitle: 'Casework Officer',
  },
  {
    email: 'sam.okafor@opcc.example.gov.uk',
    name: 'Sam Okafor',
    role: 'caseworker',
    jobTitle: 'Information Officer',
  },
  {
    email: 'hannah.reid@opcc.example.gov.uk',
    name: 'Hannah Reid',
    role: 'manager',
    jobTitle: 'Head of Casework',
  },
] as const;

/** The demo staff accounts (created once): caseworkers' ids and the manager's. */
export async function seedStaff(
  db: Db,
  services: Services,
  system: Actor,
): Promise<{ staffIds: string[]; managerId: string }> {
  const staffIds: string[] = [];
  let managerId = '';
  for (const person of STAFF) {
    const existing = await db.execute<{ id: string }>(
      sql`select id from users where lower(email) = ${person.email}`,
    );
    const id =
      existing[0]?.id ??
      (await services.users.create(system, { ...person, password: DEMO_PASSWORD })).id;
    if (person.role === 'manager') managerId = id;
    else staffIds.push(id);
  }
  console.log(`staff: ${STAFF.map((s) => s.email).join(', ')} (password "${DEMO_PASSWORD}")`);
  return { staffIds, managerId };
}
