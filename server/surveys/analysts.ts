import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { notFound } from '../platform/errors.js';
import { surveyErrors } from './errors.js';

/**
 * Who may see equality (special category) results (docs/rules/surveys.md §2, §8): managers an admin
 * has made survey analysts. Every grant and revocation is audited.
 */
export function createSurveyAnalysts(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;
  return {
    async isAnalyst(userId: string | null): Promise<boolean> {
      if (!userId) return false;
      const rows = await db.execute(sql`select 1 from survey_analysts where user_id = ${userId}`);
      return rows.length === 1;
    },

    /** Throws 403 `surveys.analysts_only` unless the actor is an analyst. */
    async assertAnalyst(actor: Actor) {
      if (!(await this.isAnalyst(actor.id))) throw surveyErrors.analystsOnly();
    },

    /** Only managers can be analysts: they are the ones who see survey results at all. */
    async grant(actor: Actor, userId: string) {
      await db.transaction(async (tx) => {
        const [user] = await tx.execute<{ role: string }>(
          sql`select role from users where id = ${userId}`,
        );
        if (!user) throw notFound('There is no such user');
        if (user.role !== 'manager') throw surveyErrors.analystNotManager();
        await tx.execute(sql`
          insert into survey_analysts (user_id, granted_by, granted_at)
          values (${userId}, ${actor.id}, ${clock.now().toISOString()}::timestamptz)
          on conflict (user_id) do nothing`);
        await audit.record(tx, actor, {
          action: 'survey.analyst_granted',
          subjectType: 'user',
          subjectId: userId,
        });
      });
    },

    async revoke(actor: Actor, userId: string) {
      await db.transaction(async (tx) => {
        await tx.execute(sql`delete from survey_analysts where user_id = ${userId}`);
        await audit.record(tx, actor, {
          action: 'survey.analyst_revoked',
          subjectType: 'user',
          subjectId: userId,
        });
      });
    },
  };
}
export type SurveyAnalysts = ReturnType<typeof createSurveyAnalysts>;
