import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Clock } from '../lib/clock.js';
import type { Actor, AuditLog } from '../platform/audit.js';
import { notFound, validationError, type FieldErrors } from '../platform/errors.js';
import { isUuid } from '../lib/uuid.js';

/** The purpose survey consent is recorded under (the delivery repository checks the same). */
const PURPOSE = 'surveys';
const MAX_ROWS = 50_000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// eslint-disable-next-line no-control-regex -- stripping them is the point
const CONTROL = /[\u0000-\u001f\u007f]/g;
/** Instants go to raw SQL as ISO strings (postgres.js does not bind Date in drizzle's sql``). */
const ts = (date: Date) => date.toISOString();

export interface ImportConsent {
  /** Where consent was given: "Rural crime event sign-up sheet, 3 Nov 2026". */
  source: string;
  /** The version of the consent wording people agreed to. */
  wordingVersion: string;
}

export interface ImportSummary {
  rows: number;
  created: number;
  matched: number;
  added: number;
  consentRecorded: number;
  /** Consent withdrawn earlier (unsubscribed): an import never gives it back. */
  withdrawnKept: number;
}

const invalid = (fields: FieldErrors) => validationError(fields, 'Check the list import');

/** Rows of `name,email` (header row required; other columns ignored); field errors by row. */
export function parseContactsCsv(text: string): {
  rows: Array<{ name: string; email: string }>;
  errors: FieldErrors;
} {
  let records: Array<Record<string, string>>;
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    });
  } catch (error) {
    return { rows: [], errors: { csv: `The CSV could not be read: ${(error as Error).message}` } };
  }
  if (records.length === 0) return { rows: [], errors: { csv: 'Paste at least one contact' } };
  const header = records[0]!;
  if (!('email' in header) || !('name' in header))
    return { rows: [], errors: { csv: 'The first row must name the columns: name,email' } };
  if (records.length > MAX_ROWS)
    return {
      rows: [],
      errors: { csv: `Import at most ${MAX_ROWS.toLocaleString('en-GB')} rows at once` },
    };
  const problems: string[] = [];
  const rows = records.map((r, i) => {
    // Control characters go: they have no place in a name or address (and the SQL below
    // passes the rows as array literals, where only quotes and backslashes are escaped).
    const email = (r.email ?? '').replace(CONTROL, '').trim();
    const name = (r.name ?? '').replace(CONTROL, '').trim();
    // Row numbers as a spreadsheet shows them: the header is row 1.
    if (!EMAIL.test(email))
      problems.push(`row ${i + 2}: enter an email address like name@example.org`);
    else if (!name) problems.push(`row ${i + 2}: enter a name`);
    return { name, email };
  });
  const errors: FieldErrors = {};
  if (problems.length > 0)
    errors.csv = `Nothing was imported. Fix ${problems.length === 1 ? 'this row' : `these ${problems.length} rows`}: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? '; …' : ''}`;
  return { rows, errors };
}

/**
 * Contact lists and consent for surveys (docs/rules/surveys.md §4): create a list, import contacts
 * into it with the consent they gave, and see each member's consent. An import is all or
 * nothing, matches existing contacts by normalised email, and never re-consents someone
 * who withdrew (an unsubscribe outlives any old spreadsheet).
 */
export function createContactLists(deps: { db: Db; clock: Clock; audit: AuditLog }) {
  const { db, clock, audit } = deps;

  return {
    async summaries() {
      return db.execute<{ id: string; name: string; members: number; consenting: number }>(sql`
        select l.id, l.name, count(m.contact_id)::int as members,
               count(cc.id) filter (where cc.withdrawn_at is null)::int as consenting
        from contact_lists l
        left join contact_list_members m on m.list_id = l.id
        left join contact_consents cc on cc.contact_id = m.contact_id and cc.purpose = ${PURPOSE}
        group by l.id order by l.name`);
    },

    async create(actor: Actor, name: string) {
      const trimmed = name.trim();
      if (!trimmed) throw invalid({ name: 'Enter a name for the list' });
      if (trimmed.length > 200) throw invalid({ name: 'Name must be 200 characters or fewer' });
      return db.transaction(async (tx) => {
        const [row] = await tx.execute<{ id: string }>(sql`
          insert into contact_lists (name) values (${trimmed})
          on conflict (name) do nothing returning id`);
        if (!row) throw invalid({ name: 'There is already a list with this name' });
        await audit.record(tx, actor, {
          action: 'contact_list.created',
          subjectType: 'contact_list',
          subjectId: row.id,
        });
        return row;
      });
    },

    async members(listId: string, limit = 200) {
      const [list] = isUuid(listId)
        ? await db.execute<{ id: string; name: string }>(
            sql`select id, name from contact_lists where id = ${listId}`,
          )
        : [];
      if (!list) throw notFound('There is no such list');
      const rows = await db.execute<{
        name: string;
        email: string | null;
        source: string | null;
        given_at: Date | null;
        withdrawn_at: Date | null;
      }>(sql`
        select c.name, c.email, cc.source, cc.given_at, cc.withdrawn_at
        from contact_list_members m join contacts c on c.id = m.contact_id
        left join contact_consents cc on cc.contact_id = c.id and cc.purpose = ${PURPOSE}
        where m.list_id = ${listId} order by lower(c.name), c.email limit ${limit}`);
      return { list, rows };
    },

    async importCsv(
      actor: Actor,
      listId: string,
      text: string,
      consent: ImportConsent,
    ): Promise<ImportSummary> {
      const errors: FieldErrors = {};
      if (!consent.source.trim()) errors.source = 'Say where these people gave consent';
      if (!consent.wordingVersion.trim())
        errors.wordingVersion = 'Enter the version of the consent wording';
      const parsed = parseContactsCsv(text);
      Object.assign(errors, parsed.errors);
      if (Object.keys(errors).length > 0) throw invalid(errors);
      if (!isUuid(listId)) throw notFound('There is no such list');
      const now = ts(clock.now());
      return db.transaction(async (tx) => {
        const [list] = await tx.execute<{ id: string }>(
          sql`select id from contact_lists where id = ${listId} for update`,
        );
        if (!list) throw notFound('There is no such list');
        // One pass in SQL: match by normalised email (the oldest unmerged contact), create
        // the rest, add to the list, record consent where none was ever recorded.
        const [summary] = await tx.execute<Record<string, number>>(sql`
          with input as (
            select distinct on (lower(e)) n as name, e as email, lower(e) as email_norm
            from unnest(${`{${parsed.rows.map((r) => JSON.stringify(r.name)).join(',')}}`}::text[],
                        ${`{${parsed.rows.map((r) => JSON.stringify(r.email)).join(',')}}`}::text[]) as u(n, e)
            order by lower(e)
          ), matched as (
            select distinct on (i.email_norm) i.email_norm, c.id
            from input i join contacts c on c.email_norm = i.email_norm and c.merged_into_id is null
            order by i.email_norm, c.created_at, c.id
          ), created as (
            insert into contacts (name, email, email_norm)
            select i.name, i.email, i.email_norm from input i
            where not exists (select 1 from matched m where m.email_norm = i.email_norm)
            returning id
          ), everyone as (
            select id from matched union all select id from created
          ), added as (
            insert into contact_list_members (list_id, contact_id)
            select ${listId}, id from everyone on conflict do nothing returning 1
          ), consented as (
            insert into contact_consents (contact_id, purpose, source, wording_version, given_at)
            select id, ${PURPOSE}, ${consent.source.trim()}, ${consent.wordingVersion.trim()}, ${now}::timestamptz
            from everyone on conflict (contact_id, purpose) do nothing returning 1
          )
          select (select count(*) from input)::int as rows,
                 (select count(*) from created)::int as created,
                 (select count(*) from matched)::int as matched,
                 (select count(*) from added)::int as added,
                 (select count(*) from consented)::int as consent_recorded,
                 (select count(*) from contact_consents cc join matched m on m.id = cc.contact_id
                  where cc.purpose = ${PURPOSE} and cc.withdrawn_at is not null)::int as withdrawn_kept`);
        await audit.record(tx, actor, {
          action: 'contact_list.imported',
          subjectType: 'contact_list',
          subjectId: listId,
        });
        return {
          rows: summary!.rows!,
          created: summary!.created!,
          matched: summary!.matched!,
          added: summary!.added!,
          consentRecorded: summary!.consent_recorded!,
          withdrawnKept: summary!.withdrawn_kept!,
        };
      });
    },
  };
}
export type ContactLists = ReturnType<typeof createContactLists>;
