// ESLint flat config. Type-aware typescript-eslint, the one-way import boundary
// (db <- server <- workers), a ban on raw SQL outside db/ and test/, and Prettier last.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const TS = ['**/*.ts', '**/*.mts', '**/*.cts'];
const JS = ['**/*.js', '**/*.mjs', '**/*.cjs'];

/** Raw SQL bypasses Drizzle's parameterisation: the injection risk lives here. */
const RAW_SQL = [
  {
    selector:
      "CallExpression[callee.type='MemberExpression'][callee.object.name='sql'][callee.property.name='raw']",
    message:
      'No raw SQL (sql.raw) in server/ or workers/: use Drizzle query builders or the sql`` tag with bound parameters.',
  },
  {
    selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='unsafe']",
    message:
      'No raw SQL (.unsafe) in server/ or workers/: use Drizzle query builders or the sql`` tag with bound parameters.',
  },
];

/** server/config.ts is the only reader of process.env (docs/architecture.md). */
const PROCESS_ENV = {
  selector: "MemberExpression[object.name='process'][property.name='env']",
  message: 'Read configuration through server/config.ts (the only reader of process.env).',
};

/**
 * Domains (server/<domain>/) never import another domain's service or repository: they meet
 * through ids, the clock's adapters and the timeline. Shared layers are not domains: the
 * platform, pure helpers (lib), the clock (deadlines), the one mailer (mail), virus scanning
 * (attachments), the timeline. Every other folder under server/ is a domain, so a new domain
 * is covered without editing this file.
 */
const SHARED = new Set(['platform', 'lib', 'deadlines', 'mail', 'attachments', 'timeline']);
const NOT_CODE = new Set(['views', 'public']);
const DOMAINS = readdirSync(`${import.meta.dirname}/server`, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !SHARED.has(d.name) && !NOT_CODE.has(d.name))
  .map((d) => d.name);
/**
 * Couplings allowed as `importer: [domains whose service or repository it may use]`: none. A
 * domain that others work beside offers a public entry point instead (correspondence/
 * gateway.ts, contacts/gateway.ts, users/gateway.ts). Nothing may be added.
 */
const EXISTING_COUPLINGS = {};
// service.ts, repository.ts and their parts (timer-repository.ts, stats-repository.ts ...).
const serviceOrRepository = (domain) => [`./server/${domain}/*{service,repository}.ts`];
const DOMAIN_ZONES = DOMAINS.flatMap((domain) => {
  const others = DOMAINS.filter(
    (other) => other !== domain && !(EXISTING_COUPLINGS[domain] ?? []).includes(other),
  );
  return others.length === 0
    ? []
    : [
        {
          target: `./server/${domain}`,
          from: others.flatMap(serviceOrRepository),
          message: `A domain never imports another domain's service or repository: meet through ids, the clock's adapters or the timeline.`,
        },
      ];
});
/** The clock and the timeline serve every domain, so they import none. */
const SHARED_ZONES = ['deadlines', 'timeline'].map((shared) => ({
  target: `./server/${shared}`,
  from: DOMAINS.map((domain) => `./server/${domain}`),
  message: `server/${shared} serves every domain and imports none: domains plug in through adapters.`,
}));

export default defineConfig(
  globalIgnores([
    'node_modules/',
    'data/',
    'dist/',
    'coverage/',
    'db/migrations/',
    'bench/results/',
    'test-results/',
  ]),

  js.configs.recommended,

  // TypeScript: type-aware rules through the project service (tsconfig.json).
  {
    files: TS,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Fastify hooks, process.on(...) and event listeners may take async callbacks.
      '@typescript-eslint/no-misused-promises': [
        'error',
        { checksVoidReturn: { arguments: false } },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Fastify plugins and handlers are async by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },

  // Plain JavaScript (this file, browser scripts under server/public): no type information.
  {
    files: JS,
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['server/public/**/*.js'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly' },
    },
  },

  // Import boundaries: db <- server <- workers; server/lib is pure.
  {
    files: [...TS, ...JS],
    plugins: { 'import-x': importX },
    settings: {
      // Parse imported TypeScript files too: without these, import-x reads only .js files'
      // imports, so no-cycle never followed a chain of .ts files and let every cycle pass.
      'import-x/extensions': ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.mts', '.cts'] },
      // Sources import './x.js' that live on disk as './x.ts' (NodeNext); resolve them so
      // the boundary rule sees every import. An unresolved import is never reported.
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '.node'],
          extensionAlias: {
            '.js': ['.ts', '.js'],
            '.mjs': ['.mts', '.mjs'],
            '.cjs': ['.cts', '.cjs'],
          },
        }),
      ],
    },
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: ['./db/schema/**', './db/*.ts'],
              from: ['./server', './workers', './scripts'],
              message:
                'db/ is the bottom layer: it must not import from server/, workers/ or scripts/.',
            },
            {
              target: './server',
              from: './workers',
              except: ['./queues.ts'],
              message:
                'server/ may import only workers/queues.ts from the workers tree (queue names, payload types, job ids).',
            },
            {
              target: './server/lib',
              from: './server',
              except: ['./lib'],
              message:
                'server/lib holds pure helpers: import only other server/lib modules and packages.',
            },
            {
              target: './server/lib',
              from: ['./workers', './db', './test', './bench'],
              message:
                'server/lib holds pure helpers: import only other server/lib modules and packages.',
            },
            ...DOMAIN_ZONES,
            ...SHARED_ZONES,
          ],
        },
      ],
    },
  },

  // Nothing imports in a circle (server, workers, db, scripts).
  {
    files: ['server/**/*.ts', 'workers/**/*.ts', 'db/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },

  // The case timeline has one writer (server/timeline): domains append through it, so the
  // table's shape and its reads change in one place.
  {
    files: ['server/**/*.ts', 'workers/**/*.ts'],
    ignores: ['server/timeline/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/db/schema', '**/db/schema/*'],
              importNames: ['caseEvents'],
              message:
                'Write and read the case timeline through server/timeline (appendToTimeline, readTimeline).',
            },
          ],
        },
      ],
    },
  },

  // No raw SQL and no direct process.env in application code.
  // Allowed: db/ (migrations runner, embedded PostgreSQL, seed) and test/, bench/ (cloning
  // per-file databases with CREATE DATABASE ... TEMPLATE needs identifiers, not parameters).
  {
    files: ['server/**/*.{ts,js}', 'workers/**/*.{ts,js}'],
    ignores: ['server/public/**'],
    rules: {
      'no-restricted-syntax': ['error', ...RAW_SQL, PROCESS_ENV],
    },
  },
  {
    files: ['server/config.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...RAW_SQL],
    },
  },

  // Tests and benchmarks: fixtures and assertions lean on non-null and loosely typed data.
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-console': 'off',
    },
  },
  {
    // CLI entry points and scripts that report to a terminal.
    files: [
      'scripts/**/*.ts',
      'db/migrate.ts',
      'bench/**/*.ts',
      'server/main.ts',
      'workers/main.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    // Plain-JavaScript build scripts run by Node.
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
  },

  // Last: turn off every stylistic rule that Prettier owns.
  prettier,
);
