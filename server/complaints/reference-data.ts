/**
 * IOPC categories and factors (§2): seeded, edited by admins. Retiring sets `valid_to`
 * (nothing is deleted), so allegations already classified keep their category while new
 * ones cannot use it.
 */
import type { DbOrTx } from '../../db/client.js';
import type { Actor } from '../platform/audit.js';
import { londonDateOf } from '../lib/dates.js';
import { complaintErrors } from './errors.js';
import type { ComplaintsDeps } from './ports.js';
import { validOn } from './records.js';

/** A new category or factor's row, as an admin adds it. */
interface NewEntry {
  code: string;
  label: string;
  validFrom: string;
  confirmed: boolean;
}

/**
 * Adds a category or a factor: an admin's entry is confirmed and in use from today (London),
 * and audited under its kind, as updates are. `insert` writes the row in the transaction.
 */
export async function addEntry(
  deps: Pick<ComplaintsDeps, 'db' | 'clock' | 'audit'>,
  actor: Actor,
  kind: 'category' | 'factor',
  input: { code: string; label: string },
  insert: (tx: DbOrTx, entry: NewEntry) => Promise<{ id: string; code: string }>,
): Promise<{ code: string }> {
  return deps.db.transaction(async (tx) => {
    const row = await insert(tx, {
      code: input.code,
      label: input.label.trim(),
      validFrom: londonDateOf(deps.clock.now()),
      confirmed: true,
    });
    await deps.audit.record(tx, actor, {
      action: `complaint.${kind}.add`,
      subjectType: `complaint_${kind}`,
      subjectId: row.id,
    });
    return { code: row.code };
  });
}

export function createReferenceDataService(deps: ComplaintsDeps) {
  const { db, repo, clock, audit } = deps;
  const today = () => londonDateOf(clock.now());
  return {
    async list() {
      const [categories, factors] = await Promise.all([repo.categories(db), repo.factors(db)]);
      const on = today();
      const parentCode = (id: string | null) => categories.find((c) => c.id === id)?.code ?? null;
      return {
        categories: categories.map((c) => ({
          code: c.code,
          label: c.label,
          parent: parentCode(c.parentId),
          confirmed: c.confirmed,
          validFrom: c.validFrom,
          validTo: c.validTo,
          inUse: validOn(c, on),
        })),
        factors: factors.map((f) => ({
          code: f.code,
          label: f.label,
          confirmed: f.confirmed,
          validFrom: f.validFrom,
          validTo: f.validTo,
          inUse: validOn(f, on),
        })),
      };
    },

    async addCategory(actor: Actor, input: { code: string; label: string; parent?: string }) {
      return addEntry(deps, actor, 'category', input, async (tx, entry) => {
        let parentId: string | null = null;
        if (input.parent) {
          const parent = (await repo.categories(tx)).find(
            (c) => c.code === input.parent && c.parentId === null,
          );
          if (!parent) throw complaintErrors.invalid({ parent: 'Choose a top-level category' });
          parentId = parent.id;
        }
        return repo.insertCategory(tx, { ...entry, parentId });
      });
    },

    /** Edits a label, confirms, or retires from a date (`validTo`, today if omitted). */
    async updateEntry(
      actor: Actor,
      kind: 'category' | 'factor',
      code: string,
      input: { label?: string; confirmed?: boolean; retire?: boolean; validTo?: string | null },
    ) {
      const validTo = input.retire
        ? (input.validTo ?? today())
        : input.validTo === null
          ? null
          : undefined;
      return db.transaction(async (tx) => {
        const patch = {
          ...(input.label ? { label: input.label.trim() } : {}),
          ...(input.confirmed !== undefined ? { confirmed: input.confirmed } : {}),
          ...(validTo !== undefined ? { validTo } : {}),
        };
        const row =
          kind === 'category'
            ? await repo.updateCategory(tx, code, patch, clock.now())
            : await repo.updateFactor(tx, code, patch, clock.now());
        if (!row) throw complaintErrors.notFound();
        await audit.record(tx, actor, {
          action: `complaint.${kind}.update`,
          subjectType: `complaint_${kind}`,
          subjectId: row.id,
          justification: input.retire ? `retired from ${validTo}` : null,
        });
        return { code: row.code, validTo: row.validTo, confirmed: row.confirmed, label: row.label };
      });
    },
  };
}
