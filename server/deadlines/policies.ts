import type { Actor } from '../platform/audit.js';
import { notFound, validationError, type FieldErrors } from '../platform/errors.js';
import { adminOnly } from './errors.js';
import { isAdmin, iso } from './wording.js';
import { type DeadlinesContext } from './context.js';

/** Office targets and warning stages per regime (§3), edited by admins. */
export function createPolicies(ctx: DeadlinesContext) {
  const { db, clock, audit, repo, regimes, kindLabel } = ctx;

  /** What a statutory limit is counted in, in its regime's words (`Regime.limitUnits`). */
  const limitUnitOf = (regime: string, kind: string): string =>
    (regimes.has(regime) ? regimes.get(regime).limitUnits?.[kind] : undefined) ?? 'working days';

  return {
    // ---- SLA policies --------------------------------------------------------------------

    async policies() {
      return (await repo.policies(db)).map((p) => ({
        caseType: p.caseType,
        kind: p.kind,
        kindLabel: kindLabel(p.caseType, p.kind),
        unit: p.unit,
        amount: p.amount,
        calendar: p.calendar,
        warnWdBefore: p.warnWdBefore,
        escalateWdAfter: p.escalateWdAfter,
        editableAmount: p.unit !== 'statutory',
        limitUnit: limitUnitOf(p.caseType, p.kind),
        updatedAt: iso(p.updatedAt),
      }));
    },

    /** Admins change office targets and warning stages; new computations use them. */
    async updatePolicy(
      actor: Actor,
      input: {
        caseType: string;
        kind: string;
        amount?: number;
        warnWdBefore: number;
        escalateWdAfter: number;
      },
    ) {
      if (!isAdmin(actor)) throw adminOnly('change targets');
      const fields: FieldErrors = {};
      const whole = (v: unknown, min: number, max: number) =>
        typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
      if (input.amount !== undefined && !whole(input.amount, 1, 365))
        fields.amount = 'Enter a whole number from 1 to 365';
      if (!whole(input.warnWdBefore, 0, 60))
        fields.warnWdBefore = 'Enter a whole number from 0 to 60';
      if (!whole(input.escalateWdAfter, 1, 60))
        fields.escalateWdAfter = 'Enter a whole number from 1 to 60';
      if (Object.keys(fields).length > 0) throw validationError(fields);
      return db.transaction(async (tx) => {
        const [current] = (await repo.policies(tx, input.caseType)).filter(
          (p) => p.kind === input.kind,
        );
        if (!current) throw notFound('Policy not found');
        if (
          input.amount !== undefined &&
          current.unit === 'statutory' &&
          input.amount !== current.amount
        )
          throw validationError({ amount: 'Statutory time limits are set by law, not here' });
        const updated = await repo.updatePolicy(tx, input.caseType, input.kind, {
          ...(input.amount !== undefined && current.unit !== 'statutory'
            ? { amount: input.amount }
            : {}),
          warnWdBefore: input.warnWdBefore,
          escalateWdAfter: input.escalateWdAfter,
          updatedAt: clock.now(),
          updatedById: actor.id,
        });
        await audit.record(tx, actor, {
          action: 'sla_policy.update',
          subjectType: 'sla_policy',
          subjectId: `${input.caseType}/${input.kind}`,
        });
        return updated!;
      });
    },
  };
}
