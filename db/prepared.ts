/**
 * Named (prepared) statements for hot reads. Drizzle hands postgres.js a statement as
 * prepared only when the query is given a name (`.prepare(name)`); without one, postgres.js
 * sends Parse and Describe, waits for the parameter types, then Bind and Execute: two round
 * trips and a parse and plan on every call. A prepared one is parsed once per connection
 * and then costs one round trip (bench/README.md, "case-json").
 *
 * Build the query once per database handle with `sql.placeholder(...)` for its values, and
 * run it with `.execute({ ... })`. The handle may be a transaction: its prepared query lives
 * as long as the transaction does.
 */
import type { DbOrTx } from './client.js';

const byHandle = new WeakMap<DbOrTx, Map<string, unknown>>();

/** The query `build` makes, prepared under `name`, built once per handle. */
export function preparedOn<T>(db: DbOrTx, name: string, build: (db: DbOrTx, name: string) => T): T {
  let queries = byHandle.get(db);
  if (!queries) {
    queries = new Map();
    byHandle.set(db, queries);
  }
  let query = queries.get(name) as T | undefined;
  if (query === undefined) {
    query = build(db, name);
    queries.set(name, query);
  }
  return query;
}
