/**
 * The staff that casework refers to: the person behind an assignee, a grant, an alert or a
 * reply, and who may be given cases. Complaints, correspondence and the clock ask the same
 * questions of the users table, so they get the same answers here; accounts themselves
 * (sign-in, sessions, roles) belong to server/users.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { users } from '../../db/schema/index.js';

/**
 * One member of staff by id: enough to name them, sign a reply as them, write to them and
 * check they may act.
 */
export async function staffMember(db: DbOrTx, id: string) {
  const [row] = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      jobTitle: users.jobTitle,
      role: users.role,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .where(eq(users.id, id));
  return row;
}

/** Active caseworkers and managers by name: who may hold a case or sit on an access list. */
export async function caseworkers(db: DbOrTx) {
  return db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(inArray(users.role, ['caseworker', 'manager']), isNull(users.disabledAt)))
    .orderBy(asc(users.name));
}
