import { integer, pgTable, primaryKey, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { surveyResponses, surveys } from './surveys.js';
import { users } from './users.js';

/**
 * A CSV file of responses imported into a survey (docs/rules/surveys.md §9 path b). UNIQUE
 * (survey_id, file_sha256): the same file imported twice is one import.
 */
export const surveyImports = pgTable(
  'survey_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    surveyId: uuid('survey_id')
      .notNull()
      .references(() => surveys.id, { onDelete: 'cascade' }),
    fileSha256: text('file_sha256').notNull(),
    rowCount: integer('row_count').notNull(),
    importedBy: uuid('imported_by').references(() => users.id),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull(),
  },
  (t) => [unique('survey_imports_file_uq').on(t.surveyId, t.fileSha256)],
);

/**
 * Which response each data row of the file became. The key (import_id, source_row) makes a
 * row land once however the import is retried.
 */
export const surveyImportRows = pgTable(
  'survey_import_rows',
  {
    importId: uuid('import_id')
      .notNull()
      .references(() => surveyImports.id, { onDelete: 'cascade' }),
    sourceRow: integer('source_row').notNull(),
    responseId: uuid('response_id')
      .notNull()
      .references(() => surveyResponses.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ name: 'survey_import_rows_pk', columns: [t.importId, t.sourceRow] })],
);
