/**
 * The nightly retention sweep (§4): complaints concluded more than
 * `complaint_retention_years` (6) ago lose the person, the contacts' and letters' text and
 * every free-text field; a statistical stub stays (dates, statuses, categories, outcomes,
 * equality answers with nothing to tie them to anyone), the disposal is logged and audited,
 * and a legal hold skips the record.
 */
import { addMonthsCapped, londonDateOf } from '../lib/dates.js';
import { systemActor } from '../platform/audit.js';
import { createDisposalRepository } from './disposal-repository.js';
import type { ComplaintsDeps } from './ports.js';

export function createRetentionService(deps: ComplaintsDeps) {
  const { db, repo, clock, audit } = deps;
  const disposals = createDisposalRepository();
  return {
    async sweep(): Promise<{ disposed: number; held: number }> {
      const settings = await repo.settings(db);
      const configured = settings.get('complaint_retention_years');
      const years = typeof configured === 'number' && configured > 0 ? configured : 6;
      const now = clock.now();
      const cutoff = addMonthsCapped(londonDateOf(now), -12 * years);
      const due = await disposals.due(db, cutoff);
      let disposed = 0;
      let held = 0;
      for (const candidate of due) {
        if (candidate.legalHold) {
          held += 1;
          continue;
        }
        await db.transaction(async (tx) => {
          if (
            await disposals.strip(
              tx,
              candidate.id,
              now,
              `concluded on or before ${cutoff} (${years} years)`,
            )
          ) {
            disposed += 1;
            await audit.record(tx, systemActor(), {
              action: 'complaint.dispose',
              subjectType: 'complaint',
              subjectId: candidate.id,
              justification: `retention ${years} years`,
            });
          }
        });
      }
      return { disposed, held };
    },
    async log() {
      return disposals.log(db);
    },
  };
}
