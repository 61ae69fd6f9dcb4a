/**
 * Checks migration SQL for statements that hold long locks on a live database or break the
 * release still running during a deploy (docs/operations.md#upgrades). A statement may be
 * waived with a comment line `-- migration-lint: allow <rule> <reason>` in the same file.
 */
export const LARGE_TABLES = ['audit_events', 'case_events', 'email_messages', 'outbox', 'cases'];

export interface LintProblem {
  file: string;
  rule: string;
  statement: string;
}

const RULES: Array<{ rule: string; test: (stmt: string, created: Set<string>) => boolean }> = [
  { rule: 'column-type', test: (s) => /\balter\s+column\s+\S+\s+(set\s+data\s+)?type\b/i.test(s) },
  { rule: 'set-not-null', test: (s) => /\balter\s+column\s+\S+\s+set\s+not\s+null\b/i.test(s) },
  {
    rule: 'add-column-not-null-without-default',
    test: (s) =>
      /\badd\s+column\b/i.test(s) && /\bnot\s+null\b/i.test(s) && !/\bdefault\b/i.test(s),
  },
  {
    rule: 'constraint-without-not-valid',
    test: (s, created) =>
      /\badd\s+constraint\b.*\b(foreign\s+key|check)\b/is.test(s) &&
      !/\bnot\s+valid\b/i.test(s) &&
      !created.has(tableOf(s)),
  },
  {
    rule: 'index-on-large-table',
    test: (s, created) => {
      const match =
        /\bcreate\s+(unique\s+)?index\b(?!\s+concurrently).*?\bon\s+(?:only\s+)?"?(?:public"?\."?)?([a-z_]+)"?/is.exec(
          s,
        );
      return Boolean(match && LARGE_TABLES.includes(match[2]!) && !created.has(match[2]!));
    },
  },
  {
    rule: 'drop-or-rename',
    test: (s) => /\b(drop\s+(table|column)|rename\s+(to|column))\b/i.test(s),
  },
];

function tableOf(statement: string): string {
  return /\balter\s+table\s+(?:only\s+)?"?(?:public"?\."?)?([a-z_]+)"?/i.exec(statement)?.[1] ?? '';
}

export function lintMigration(file: string, text: string): LintProblem[] {
  const waived = new Set(
    [...text.matchAll(/^--\s*migration-lint:\s*allow\s+([a-z-]+)/gim)].map((m) => m[1]!),
  );
  const statements = text
    .split(/-->\s*statement-breakpoint|;\s*\n/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
  const created = new Set(
    statements
      .map(
        (s) =>
          /\bcreate\s+table\s+(?:if\s+not\s+exists\s+)?"?(?:public"?\."?)?([a-z_]+)"?/i.exec(
            s,
          )?.[1],
      )
      .filter((t): t is string => Boolean(t)),
  );
  const problems: LintProblem[] = [];
  for (const statement of statements) {
    for (const { rule, test } of RULES) {
      if (!waived.has(rule) && test(statement, created))
        problems.push({ file, rule, statement: statement.slice(0, 160) });
    }
  }
  return problems;
}
