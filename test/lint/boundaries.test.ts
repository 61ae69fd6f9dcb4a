/**
 * The lint guards of the shape (eslint.config.js): a domain importing another domain's
 * service or repository, the clock or lib importing a domain, an import cycle, fail
 * `npm run lint`. Each case
 * lints a file added on purpose (never written to disk) with the project's own config.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Only the import rules: the type-aware ones need the file on disk and are not the point.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId.startsWith('import-x/') || ruleId === 'no-restricted-imports',
});

async function problems(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

const importing = (from: string) =>
  `import * as other from '${from}';\nexport const used = other;\n`;

describe('lint guards', () => {
  it('fail a domain that imports another domain’s service or repository', async () => {
    for (const from of [
      '../correspondence/service.js',
      '../correspondence/repository.js',
      '../complaints/timer-repository.js',
    ]) {
      expect(await problems('server/surveys/added-on-purpose.ts', importing(from))).toEqual([
        expect.stringContaining("never imports another domain's service or repository"),
      ]);
    }
  }, 60_000);

  it('fail the domains that once had exceptions (they use public entry points now)', async () => {
    for (const [file, from] of [
      ['server/replies/added-on-purpose.ts', '../correspondence/service.js'],
      ['server/replies/added-on-purpose.ts', '../correspondence/repository.js'],
      ['server/disclosure/added-on-purpose.ts', '../correspondence/repository.js'],
      ['server/intake/added-on-purpose.ts', '../correspondence/service.js'],
      ['server/auth/added-on-purpose.ts', '../users/repository.js'],
      ['server/correspondence/added-on-purpose.ts', '../contacts/service.js'],
    ]) {
      expect(await problems(file!, importing(from!))).toEqual([
        expect.stringContaining("never imports another domain's service or repository"),
      ]);
    }
    expect(
      await problems(
        'server/replies/added-on-purpose.ts',
        importing('../correspondence/gateway.js'),
      ),
    ).toEqual([]);
  }, 60_000);

  it('let a domain use another’s vocabulary, the clock and the platform', async () => {
    expect(
      await problems(
        'server/surveys/added-on-purpose.ts',
        importing('../correspondence/workflow.js') +
          "import * as clock from '../deadlines/adapter.js';\nexport const c = clock;\n",
      ),
    ).toEqual([]);
  }, 60_000);

  it('fail the clock or lib importing a domain', async () => {
    expect(
      await problems(
        'server/deadlines/added-on-purpose.ts',
        importing('../correspondence/workflow.js'),
      ),
    ).toEqual([expect.stringContaining('serves every domain and imports none')]);
    expect(
      await problems('server/lib/added-on-purpose.ts', importing('../correspondence/workflow.js')),
    ).toEqual([expect.stringContaining('server/lib holds pure helpers')]);
  }, 60_000);

  it('fail a domain writing the case timeline’s table itself; server/timeline may', async () => {
    const source =
      "import { caseEvents } from '../../db/schema/index.js';\nexport const t = caseEvents;\n";
    expect(await problems('server/surveys/added-on-purpose.ts', source)).toEqual([
      expect.stringContaining('through server/timeline'),
    ]);
    expect(await problems('server/timeline/added-on-purpose.ts', source)).toEqual([]);
  }, 60_000);

  it('fail an import cycle', async () => {
    // lib/calendar.ts imports lib/dates.ts, so dates importing calendar back closes a circle.
    expect(
      await problems(
        'server/lib/dates.ts',
        "import { buildCalendars } from './calendar.js';\nexport const used = buildCalendars;\n",
      ),
    ).toEqual([expect.stringContaining('import-x/no-cycle')]);
    expect(
      await problems(
        'server/lib/added-on-purpose.ts',
        "import { buildCalendars } from './calendar.js';\nexport const used = buildCalendars;\n",
      ),
    ).toEqual([]);
  }, 60_000);

  it('fail db importing the server', async () => {
    expect(await problems('db/added-on-purpose.ts', importing('../server/app.js'))).toEqual([
      expect.stringContaining('db/ is the bottom layer'),
    ]);
  }, 60_000);
});
