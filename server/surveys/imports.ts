import { createHash, randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { surveyAnswers, surveyResponses } from '../../db/schema/surveys.js';
import { surveyImportRows, surveyImports } from '../../db/schema/survey-imports.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import type { FieldErrors } from '../platform/errors.js';
import { checkAnswers, type AnswerRow, type Answers } from './answers.js';
import { surveyErrors } from './errors.js';
import type { SurveysRepository } from './repository.js';

/** Row errors reported at most: enough to fix a file, short enough to read. */
const MAX_ROW_ERRORS = 100;
/** Rows per INSERT: well under PostgreSQL's 65,535 bind parameters. */
const CHUNK = 500;

export interface ImportReceipt {
  id: string;
  rows: number;
  importedAt: string;
  replayed: boolean;
}

/**
 * Reads the CSV: a header row of question keys, then one response per row. A multiple-choice
 * or ranking cell lists option keys separated by ";" (ranking: in order); a blank cell is
 * "not answered". Row numbers count the header as row 1, as a spreadsheet shows them.
 */
function readCsv(csv: string, kinds: Map<string, string>) {
  let records: string[][];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), { skip_empty_lines: true, trim: true });
  } catch (error) {
    throw surveyErrors.invalidImport(
      { csv: `The CSV could not be read: ${(error as Error).message}` },
      'The CSV could not be read',
    );
  }
  const [header, ...data] = records;
  if (!header || data.length === 0)
    throw surveyErrors.invalidImport(
      { csv: 'The CSV needs a header row of question keys and at least one response' },
      'The CSV has no responses',
    );
  const unknown = header.filter((key) => !kinds.has(key));
  if (unknown.length > 0)
    throw surveyErrors.invalidImport(
      { csv: `Row 1: ${unknown.map((k) => `"${k}"`).join(', ')} is not a question in this survey` },
      'The header row names columns that are not questions',
    );
  return data.map((cells, index) => {
    const answers: Answers = {};
    header.forEach((key, col) => {
      const cell = cells[col] ?? '';
      if (cell === '') return;
      const kind = kinds.get(key);
      answers[key] =
        kind === 'multiple' || kind === 'ranking'
          ? cell
              .split(';')
              .map((k) => k.trim())
              .filter((k) => k !== '')
          : cell;
    });
    return { row: index + 2, answers };
  });
}

/**
 * CSV import of responses (docs/rules/surveys.md §9 path b). All or nothing: every row is checked with
 * the public API's rules first and any bad row rejects the whole file (400 listing each
 * row and question), so a corrected file can simply be imported again. The same file
 * (by SHA-256) imported again returns the first import and stores nothing.
 */
export function createSurveyImports(deps: {
  db: Db;
  repo: SurveysRepository;
  clock: Clock;
  audit: AuditLog;
}) {
  const { db, repo, clock, audit } = deps;

  async function existing(surveyId: string, fileSha256: string) {
    const [found] = await db
      .select()
      .from(surveyImports)
      .where(and(eq(surveyImports.surveyId, surveyId), eq(surveyImports.fileSha256, fileSha256)));
    return found;
  }
  const receipt = (row: typeof surveyImports.$inferSelect, replayed: boolean): ImportReceipt => ({
    id: row.id,
    rows: row.rowCount,
    importedAt: row.importedAt.toISOString(),
    replayed,
  });

  return {
    async importCsv(actor: Actor, surveyId: string, csv: string): Promise<ImportReceipt> {
      const survey = await repo.findSurvey(db, surveyId);
      if (!survey) throw surveyErrors.notFound();
      const fileSha256 = createHash('sha256').update(csv, 'utf8').digest('hex');
      const first = await existing(surveyId, fileSha256);
      if (first) return receipt(first, true);
      // Structure is fixed only once launched; answers to a draft's questions could dangle.
      if (!survey.launchedAt) throw surveyErrors.notLaunched();

      const kinds = new Map(survey.questions.map((q) => [q.key, q.kind as string]));
      const parsed = readCsv(csv, kinds);
      const errors: FieldErrors = {};
      const responses: Array<{ row: number; id: string; rows: AnswerRow[] }> = [];
      for (const { row, answers } of parsed) {
        const checked = checkAnswers(survey.questions, answers);
        for (const [key, message] of Object.entries(checked.errors)) {
          if (Object.keys(errors).length < MAX_ROW_ERRORS)
            errors[`row-${row}-${key}`] = `Row ${row}, question "${key}": ${message}`;
        }
        responses.push({ row, id: randomUUID(), rows: checked.rows });
      }
      if (Object.keys(errors).length > 0)
        throw surveyErrors.invalidImport(errors, 'Nothing was imported: correct these rows');

      const created = await db.transaction(async (tx) => {
        const [made] = await tx
          .insert(surveyImports)
          .values({
            surveyId,
            fileSha256,
            rowCount: responses.length,
            importedBy: actor.id,
            importedAt: clock.now(),
          })
          .onConflictDoNothing()
          .returning();
        // A concurrent twin of this file committed first: it stands, this one stores nothing.
        if (!made) return undefined;
        for (let i = 0; i < responses.length; i += CHUNK) {
          const chunk = responses.slice(i, i + CHUNK);
          // Anonymous or not, an imported response has no invitation and no time of its own.
          await tx.insert(surveyResponses).values(
            chunk.map((r) => ({
              id: r.id,
              surveyId,
              anonymous: survey.anonymous,
              channel: 'import' as const,
              invitationId: null,
              submittedAt: null,
            })),
          );
          const answerRows = chunk.flatMap((r) => r.rows.map((a) => ({ ...a, responseId: r.id })));
          for (let j = 0; j < answerRows.length; j += CHUNK * 4)
            await tx.insert(surveyAnswers).values(answerRows.slice(j, j + CHUNK * 4));
          await tx
            .insert(surveyImportRows)
            .values(chunk.map((r) => ({ importId: made.id, sourceRow: r.row, responseId: r.id })));
        }
        await audit.record(tx, actor, {
          action: 'survey.responses_imported',
          subjectType: 'survey',
          subjectId: surveyId,
        });
        return made;
      });
      if (created) return receipt(created, false);
      const twin = await existing(surveyId, fileSha256);
      return receipt(twin!, true);
    },
  };
}
export type SurveyImports = ReturnType<typeof createSurveyImports>;
