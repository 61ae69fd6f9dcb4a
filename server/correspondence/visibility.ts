/**
 * Who may see a case, as SQL every correspondence query (and the domains using the gateway)
 * applies: the viewer, the id check, open statuses and the visibility rule.
 */
import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { caseAccess, cases, contacts, users } from '../../db/schema/index.js';
import { OPEN_STATUSES } from './workflow.js';

/** Who is looking: managers (and system jobs) see restricted cases; others only their own. */
export interface Viewer {
  id: string | null;
  role: string | null;
}

export const onBehalfOfContacts = alias(contacts, 'on_behalf_of');
export const assignees = alias(users, 'assignee');

/**
 * Open statuses as literals, not parameters: the planner can then match the partial index
 * `cases_open_due_order_idx` even in a generic (prepared) plan. Kept equal to OPEN_STATUSES.
 */
export const isOpen = () =>
  sql`${cases.status} in ('new', 'open', 'awaiting_requester', 'awaiting_approval')`;
if (OPEN_STATUSES.join() !== 'new,open,awaiting_requester,awaiting_approval') {
  throw new Error(
    'OPEN_STATUSES changed: update isOpen() and the cases_open_due_order_idx predicate',
  );
}

/**
 * Restricted cases: the assignee, users granted access, managers and system jobs. Filtered in
 * SQL. A prepared read passes the viewer's id as a placeholder.
 */
export function visibleTo(
  viewer: Viewer | { id: Placeholder<'viewerId'>; role: string | null },
): SQL | undefined {
  if (viewer.role === 'manager' || viewer.role === 'system') return undefined;
  if (!viewer.id) return sql`not ${cases.restricted}`;
  return sql`(not ${cases.restricted} or ${cases.assigneeId} = ${viewer.id} or exists (select 1 from ${caseAccess} where ${caseAccess.caseId} = ${cases.id} and ${caseAccess.userId} = ${viewer.id}))`;
}
