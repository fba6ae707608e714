import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import vue from 'eslint-plugin-vue'
import vueParser from 'vue-eslint-parser'
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

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'dev-dist/**', '.e2e-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
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
              group: ['vue', 'vue-router', 'pinia', 'dexie', 'dexie/*', '@vue/*'],
              message: 'src/domain stays framework-free.',
            },
            {
              group: [
                '../db/*',
                '../stores/*',
                '../sync/*',
                '../components/*',
                '../views/*',
                '../composables/*',
                '../sw/*',
                'node:*',
              ],
              message: 'src/domain imports nothing outside itself.',
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
      // components/sync/ is the UI feature folder for sync, not the src/sync layer.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['dexie', '**/db/*', '**/sync/*', '!**/components/sync/*'], message: 'UI goes through stores.' },
          ],
        },
      ],
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
              group: ['**/src/db/*', '**/src/stores/*', '**/src/sync/*', 'vue', 'dexie'],
              message: 'The server shares only src/domain with the app.',
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
