import { Type } from '@sinclair/typebox';
import { apiRoute } from '../platform/api-route.js';
import { MANAGERS } from '../platform/auth.js';
import type { SurveyImports } from './imports.js';
import { SurveyIdParams } from './schemas.js';
import type { App } from '../platform/app-type.js';

const api = apiRoute('surveys');

/** A file of a few thousand responses is well under 1 MiB; 10 MiB leaves room. */
const MAX_CSV_BYTES = 10 * 1024 * 1024;

const ImportReceipt = Type.Object({
  id: Type.String({ format: 'uuid' }),
  rows: Type.Integer(),
  importedAt: Type.String({ format: 'date-time' }),
  replayed: Type.Boolean(),
});

/**
 * CSV import of responses (docs/rules/surveys.md §9 path b). Its own scope, so only this route reads
 * text/csv (as a string); JSON `{ "csv": "..." }` is accepted too.
 */
export async function surveysImportRoutes(app: App, opts: { imports: SurveyImports }) {
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: MAX_CSV_BYTES },
    (_request, payload, done) => done(null, { csv: payload as string }),
  );
  const Body = Type.Object({ csv: Type.String({ minLength: 1 }) });
  app.post(
    '/api/surveys/:id/imports',
    {
      bodyLimit: MAX_CSV_BYTES,
      ...api(MANAGERS, 'Import responses from a CSV file (idempotent by the file’s SHA-256)', {
        description:
          'Body: `text/csv`, or JSON `{ "csv": "..." }`. Header row: question keys; one response per row; a multiple-choice or ranking cell lists option keys separated by `;`; a blank cell is not answered. All or nothing: any invalid row rejects the file with 400 `surveys.invalid_import`, one field per row and question (`row-N-key`, rows numbered as in a spreadsheet, header = 1). The same file again answers 200 with the first import and `replayed: true`.',
        params: SurveyIdParams,
        body: Body,
        response: { 200: ImportReceipt, 201: ImportReceipt },
      }),
    },
    async (request, reply) => {
      const result = await opts.imports.importCsv(
        request.actor(),
        request.params.id,
        request.body.csv,
      );
      return reply.code(result.replayed ? 200 : 201).send(result);
    },
  );
}
