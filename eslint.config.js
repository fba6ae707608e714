import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'
import boundaries from 'eslint-plugin-boundaries'
import prettier from 'eslint-config-prettier'

const browserGlobals = [
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'fetch',
  'location',
  'self',
  'caches',
]

/**
 * The layers of ../shared/STYLE.md as boundary elements, one per folder (root-relative,
 * any depth below). `app` is the entry (main.ts, App.vue): it wires the layers together,
 * so it may import any of them. `runbooks` is the runbook compiler, catalog and loader:
 * besides itself it imports only the pure domain.
 */
const layers = [
  { type: 'domain', pattern: 'src/domain', partialMatch: false },
  { type: 'db', pattern: 'src/db', partialMatch: false },
  { type: 'sync', pattern: 'src/sync', partialMatch: false },
  { type: 'sw', pattern: 'src/sw', partialMatch: false },
  { type: 'stores', pattern: 'src/stores', partialMatch: false },
  { type: 'composables', pattern: 'src/composables', partialMatch: false },
  { type: 'runbooks', pattern: 'src/runbooks', partialMatch: false },
  { type: 'styles', pattern: 'src/styles', partialMatch: false },
  // The stakeholder status page (status.html): its own entry, reading the domain's types and helpers only.
  { type: 'status', pattern: 'src/status', partialMatch: false },
  { type: 'ui', pattern: ['src/components', 'src/views', 'src/router'], partialMatch: false },
  { type: 'server', pattern: 'server', partialMatch: false },
]

/** The entry (main.ts, App.vue) wires the layers together, so it may import any of them. */
const appImports = ['domain', 'db', 'sync', 'stores', 'composables', 'runbooks', 'ui', 'styles']

/** Which layers each layer may import (besides itself). Everything else of ours is refused. */
const allowedImports = {
  domain: [],
  db: ['domain'],
  sync: ['domain', 'db'],
  sw: ['domain', 'db', 'sync'],
  stores: ['domain', 'db', 'sync', 'runbooks'],
  composables: ['stores', 'domain', 'runbooks'],
  // The runbook pipeline shares the domain's pure helpers (word segmentation for search).
  runbooks: ['domain'],
  // A component may use a sibling feature folder (components/incident → components/roles).
  ui: ['ui', 'stores', 'composables', 'domain', 'runbooks', 'styles'],
  // The runbook pipeline is pure (ids, front matter, review dates): the server seeds and reads runbooks by the build's rules.
  server: ['domain', 'runbooks'],
  status: ['domain'],
}

/**
 * Tests and dev scripts reach across layers on purpose (fixtures, fake storage) and read
 * untyped JSON answers: the layer rule and the `no-unsafe-*` family check shipped code.
 */
const testFiles = ['**/*.test.ts', 'tests/**', 'server/bench-ingest.ts']

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'dev-dist/**', '.e2e-tmp/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...vue.configs['flat/recommended'],
  {
    languageOptions: {
      parserOptions: {
        // Each file is checked with the nearest tsconfig (app, server, service worker).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.vue'],
      },
    },
  },
  {
    files: ['**/*.vue'],
    languageOptions: {
      parser: vueParser,
      parserOptions: { parser: tseslint.parser, sourceType: 'module', extraFileExtensions: ['.vue'] },
    },
  },
  {
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        process: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A switch over a union names every member; `default: assertNever(x)` keeps it so.
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: false, requireDefaultForNonUnion: false },
      ],
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] },
          ],
        },
      ],
      // An async signature that fulfils an async contract (a Fastify plugin, the Store
      // interface over synchronous SQLite) is deliberate, not a lost await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read untyped JSON answers, pass mocked methods to expect() and reject with
    // plain values on purpose; the promise and exhaustiveness rules still apply.
    files: testFiles,
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  {
    // Not in any tsconfig (the benchmark, the e2e runner, this file): syntax rules only.
    files: ['bench/**', '**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/switch-exhaustiveness-check': 'off' },
  },
  {
    // Layers as zones: each layer imports only the layers below it (../shared/STYLE.md).
    files: ['src/**/*.{ts,vue}', 'server/**/*.ts'],
    ignores: testFiles,
    plugins: { boundaries },
    settings: {
      'boundaries/elements': layers,
      'boundaries/files': [{ category: 'app', pattern: ['src/main.ts', 'src/App.vue'] }],
      'import/resolver': { node: { extensions: ['.ts', '.vue', '.js'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          // An import of our code outside every layer (tests, build, bench) is refused too.
          checkUnknownLocals: true,
          policies: [
            ...Object.entries(allowedImports).map(([from, to]) => ({
              from: { element: { type: from } },
              allow: { to: { element: { types: { anyOf: to } } } },
            })),
            { from: { file: { categories: 'app' } }, allow: { to: { element: { types: { anyOf: appImports } } } } },
            { from: { file: { categories: 'app' } }, allow: { to: { file: { categories: 'app' } } } },
            // The runbook loader and search fetch over the network: the UI reaches them through composables.
            {
              from: { element: { type: 'ui' } },
              disallow: { to: { element: { type: 'runbooks', fileInternalPath: ['load.ts', 'search.ts'] } } },
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure: no framework, no storage, no browser. Client and server share it.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['vue', 'vue-router', 'pinia', 'dexie', 'dexie/*', '@vue/*', 'node:*'],
              message: 'src/domain stays framework-free.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...browserGlobals.map((name) => ({ name, message: 'src/domain must not touch browser APIs.' })),
      ],
    },
  },
  {
    // Views and components reach data through stores and composables only.
    files: ['src/components/**/*.{ts,vue}', 'src/views/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'dexie', message: 'UI goes through stores.' }] }],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'UI goes through stores.' },
        { name: 'indexedDB', message: 'UI goes through stores.' },
      ],
    },
  },
  {
    files: ['server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['vue', 'dexie', 'pinia'],
              message: 'The server shares only src/domain and the pure runbook pipeline (src/runbooks) with the app.',
            },
          ],
        },
      ],
    },
  },
  {
    // Commands, not payloads: the UI calls the feature commands (composables/use*Commands), never builds events.
    // no-restricted-syntax, not no-restricted-imports, so the layer rules above keep their own options.
    files: ['src/components/**/*.{ts,vue}', 'src/views/**/*.{ts,vue}'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportSpecifier[imported.name='PayloadOf']",
          message: 'Components call a feature command (composables/use*Commands) instead of building a payload.',
        },
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name=/^(record|declare)$/]",
          message: 'Components call a feature command (composables/use*Commands) instead of recording events.',
        },
      ],
    },
  },
  // Last: formatting is Prettier's job (npm run format); turn off the style rules that would fight it.
  prettier,
)
