/**
 * Force monitoring figures (§5): the force's own complaint figures beside its most similar
 * forces and the national figure, for a period and a measure (IOPC definitions). No personal
 * data. Entered one at a time or imported from CSV (`period,measure,force,msf,national`);
 * an import is all or nothing, and each row error names its line.
 */
import { parse } from 'csv-parse/sync';
import { asc } from 'drizzle-orm';
import { forceComplaintFigures } from '../../db/schema/index.js';
import type { Actor } from '../platform/audit.js';
import { complaintErrors } from './errors.js';
import type { ComplaintsDeps } from './ports.js';

export const MONITORING_MEASURES = [
  'Complaint cases logged',
  'Working days to log',
  'Working days to contact',
  'Allegations per 1,000 employees',
  'Percentage handled under Schedule 3',
  'Days to finalise',
  'PCC reviews',
] as const;

export interface FigureInput {
  period: string;
  measure: string;
  force?: number | null;
  msf?: number | null;
  national?: number | null;
}

const MAX_ROWS = 1000;

function check(input: FigureInput, where: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!/^[0-9A-Za-z /-]{1,40}$/.test(input.period.trim()))
    errors[`${where}period`] = 'Give the period as text like 2025-26 or 2025-26 Q1';
  if (!(MONITORING_MEASURES as readonly string[]).includes(input.measure.trim()))
    errors[`${where}measure`] = `Use one of: ${MONITORING_MEASURES.join('; ')}`;
  for (const key of ['force', 'msf', 'national'] as const) {
    const v = input[key];
    if (v !== undefined && v !== null && (!Number.isFinite(v) || v < 0 || v > 1e9))
      errors[`${where}${key}`] = 'Enter a number of 0 or more';
  }
  return errors;
}

export function createMonitoringService(deps: ComplaintsDeps) {
  const { db, clock, audit } = deps;

  async function upsert(actor: Actor, rows: FigureInput[], source: 'entered' | 'imported') {
    return db.transaction(async (tx) => {
      for (const row of rows) {
        const values = {
          period: row.period.trim(),
          measure: row.measure.trim(),
          force: row.force ?? null,
          msf: row.msf ?? null,
          national: row.national ?? null,
          source,
          updatedById: actor.id,
          updatedAt: clock.now(),
        };
        await tx
          .insert(forceComplaintFigures)
          .values(values)
          .onConflictDoUpdate({
            target: [forceComplaintFigures.period, forceComplaintFigures.measure],
            set: values,
          });
      }
      await audit.record(tx, actor, {
        action: `complaint.force_figures.${source === 'entered' ? 'enter' : 'import'}`,
        subjectType: 'force_complaint_figure',
        justification: `${rows.length} row(s)`,
      });
      return { saved: rows.length };
    });
  }

  return {
    async list() {
      const rows = await db
        .select()
        .from(forceComplaintFigures)
        .orderBy(asc(forceComplaintFigures.period));
      const order = (m: string) => (MONITORING_MEASURES as readonly string[]).indexOf(m);
      return rows.sort(
        (a, b) => a.period.localeCompare(b.period) || order(a.measure) - order(b.measure),
      );
    },

    async enter(actor: Actor, input: FigureInput) {
      const errors = check(input, '');
      if (Object.keys(errors).length) throw complaintErrors.invalid(errors);
      return upsert(actor, [input], 'entered');
    },

    /** CSV with a header row: period, measure, force, msf, national (blank = not known). */
    async importCsv(actor: Actor, text: string) {
      let records: Array<Record<string, string>>;
      try {
        records = parse(text, {
          columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()),
          skip_empty_lines: true,
          trim: true,
          bom: true,
          to: MAX_ROWS + 1,
        });
      } catch {
        throw complaintErrors.invalid({ csv: 'The file is not valid CSV' });
      }
      if (records.length === 0) throw complaintErrors.invalid({ csv: 'The file has no rows' });
      if (records.length > MAX_ROWS)
        throw complaintErrors.invalid({ csv: `Import at most ${MAX_ROWS} rows at a time` });
      const num = (v: string | undefined) =>
        v === undefined || v === '' ? null : Number(v.replace(/,/g, ''));
      const rows: FigureInput[] = records.map((r) => ({
        period: r.period ?? '',
        measure: r.measure ?? '',
        force: num(r.force),
        msf: num(r.msf),
        national: num(r.national),
      }));
      const errors: Record<string, string> = {};
      rows.forEach((row, i) => Object.assign(errors, check(row, `row ${i + 2} `)));
      if (Object.keys(errors).length)
        throw complaintErrors.invalid(errors, 'Nothing was imported: correct the rows named');
      return upsert(actor, rows, 'imported');
    },
  };
}
