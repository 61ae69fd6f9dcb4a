import type { Actor } from '../platform/audit.js';
import { AppError } from '../platform/errors.js';
import { recordOnCase } from './case-change.js';
import { isManager, viewerOf, type CaseContext } from './context.js';
import { caseNotFound, managerOnly } from './errors.js';
import type { AccessGrant } from './types.js';

/** Who may see a restricted case besides its assignee and managers (domain §8). */
export function createAccessCommands(ctx: CaseContext) {
  const { db, repo, clock, checkAssignee, managerChange } = ctx;

  return {
    /**
     * A manager lets a named member of staff see a restricted case. Granting again
     * changes nothing and records nothing.
     */
    async grantAccess(actor: Actor, id: string, userId: string): Promise<void> {
      await managerChange(actor, id, 'Only a manager can grant access', async (tx, row) => {
        const user = await checkAssignee(tx, userId, 'userId');
        const now = clock.now();
        const granted = await repo.grantAccess(tx, {
          caseId: row.id,
          userId,
          grantedAt: now,
          grantedById: actor.id,
        });
        if (!granted) return;
        await recordOnCase(ctx, tx, actor, row, {
          at: now,
          timeline: { kind: 'access_granted', data: { userId, userName: user.name } },
          action: 'case.access.grant',
        });
      });
    },

    /**
     * A manager takes back access granted to a member of staff. They still see the case
     * while it is assigned to them or while it is not restricted.
     */
    async revokeAccess(actor: Actor, id: string, userId: string): Promise<void> {
      await managerChange(actor, id, 'Only a manager can remove access', async (tx, row) => {
        const removed = await repo.revokeAccess(tx, row.id, userId);
        if (!removed)
          throw new AppError(
            404,
            'correspondence.access_not_found',
            'That person has not been given access to this case',
            { userId: 'That person has not been given access to this case' },
          );
        const user = await repo.user(tx, userId);
        await recordOnCase(ctx, tx, actor, row, {
          at: clock.now(),
          timeline: { kind: 'access_revoked', data: { userId, userName: user?.name ?? 'Unknown' } },
          action: 'case.access.revoke',
        });
      });
    },

    /** Who has been granted access to a case (managers only). */
    async accessList(actor: Actor, id: string): Promise<AccessGrant[]> {
      if (!isManager(actor)) throw managerOnly('Only a manager can see who has access');
      const row = await repo.findVisible(db, viewerOf(actor), id);
      if (!row) throw caseNotFound();
      const grants = await repo.accessList(db, row.id);
      return grants.map((grant) => ({
        user: { id: grant.userId, name: grant.name, role: grant.role },
        grantedAt: grant.grantedAt.toISOString(),
        grantedBy: grant.grantedById
          ? { id: grant.grantedById, name: grant.grantedByName ?? 'Unknown' }
          : null,
      }));
    },
  };
}
