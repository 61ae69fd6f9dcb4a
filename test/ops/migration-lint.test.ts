import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintMigration } from '../../db/migration-lint.js';
import { migrationsFolder } from '../../db/migrate.js';

/**
 * Migrations already applied in the field before the lint existed. Their plain CREATE INDEX
 * on cases and audit_events took a write lock for the build, which lasted milliseconds at
 * the sizes then (about 1,000 cases a year). New ones must not add to this list.
 */
const GRANDFATHERED = new Set([
  '0011_triage_open_order_index.sql',
  '0015_cases_tags_index.sql',
  '0017_audit_cheaper_indexes.sql',
  '0018_contacts_list_search.sql',
]);

describe('migrations are safe on a live database', () => {
  it('no committed migration takes a long lock or breaks the release still running', () => {
    const problems = fs
      .readdirSync(migrationsFolder)
      .filter((file) => file.endsWith('.sql') && !GRANDFATHERED.has(file))
      .flatMap((file) =>
        lintMigration(file, fs.readFileSync(path.join(migrationsFolder, file), 'utf8')),
      );
    expect(problems).toEqual([]);
  });

  it('catches each kind of unsafe statement, and honours a written waiver', () => {
    const rules = (sql: string) => lintMigration('x.sql', sql).map((p) => p.rule);
    expect(rules('ALTER TABLE "cases" ALTER COLUMN "subject" SET DATA TYPE varchar(300);')).toEqual(
      ['column-type'],
    );
    expect(rules('ALTER TABLE "cases" ALTER COLUMN "body" SET NOT NULL;')).toEqual([
      'set-not-null',
    ]);
    expect(rules('ALTER TABLE "cases" ADD COLUMN "x" text NOT NULL;')).toEqual([
      'add-column-not-null-without-default',
    ]);
    expect(rules('ALTER TABLE "cases" ADD COLUMN "x" text DEFAULT \'a\' NOT NULL;')).toEqual([]);
    expect(
      rules(
        'ALTER TABLE "cases" ADD CONSTRAINT "c_fk" FOREIGN KEY ("a") REFERENCES "users"("id");',
      ),
    ).toEqual(['constraint-without-not-valid']);
    expect(
      rules(
        'ALTER TABLE "cases" ADD CONSTRAINT "c_fk" FOREIGN KEY ("a") REFERENCES "users"("id") NOT VALID;',
      ),
    ).toEqual([]);
    expect(rules('CREATE INDEX "i" ON "audit_events" USING btree ("at");')).toEqual([
      'index-on-large-table',
    ]);
    expect(rules('CREATE INDEX "i" ON "topics" USING btree ("name");')).toEqual([]);
    expect(
      rules(
        'CREATE TABLE "cases_2" ("id" uuid);\n--> statement-breakpoint\nCREATE INDEX "i" ON "outbox" ("id");',
      ),
    ).toEqual(['index-on-large-table']);
    expect(rules('ALTER TABLE "cases" DROP COLUMN "flags";')).toEqual(['drop-or-rename']);
    expect(rules('ALTER TABLE "cases" RENAME COLUMN "a" TO "b";')).toEqual(['drop-or-rename']);
    expect(
      rules(
        '-- migration-lint: allow drop-or-rename unused since 0012, released 2026-11\nALTER TABLE "cases" DROP COLUMN "flags";',
      ),
    ).toEqual([]);
  });
});
