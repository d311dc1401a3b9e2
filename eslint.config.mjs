// Lint rules that catch bugs; formatting is Prettier's job (npm run format:check).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'web/dist/', 'coverage/', '.flowctl/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-eval': 'error',
      'no-new-func': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The engine's brain stays pure: no framework, no I/O, no process, nothing of ours. What it decides
    // a unit test can check in a millisecond; the apps bring the effects.
    files: ['libs/core/**/*.ts'],
    // Its tests may start processes and read files; the code under test may not.
    ignores: ['libs/core/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'typeorm', 'bullmq', 'ioredis', 'pg', 'express', 'pino*', 'prom-client', '@opentelemetry/*'],
              message: 'libs/core is pure: frameworks and clients belong in libs/persistence, libs/queue or the apps.',
            },
            { group: ['node:*', 'fs', 'net', 'http', 'https', 'child_process', 'os', 'worker_threads'], message: 'libs/core does no I/O.' },
            { group: ['@flowctl/*', '**/apps/**'], message: 'libs/core imports nothing of ours: the arrows point into it.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'libs/core does not read the process: pass values in (configuration, now).' },
      ],
    },
  },
  {
    // Each app is a program of its own: what two apps share lives in libs/.
    files: ['apps/scheduler/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/worker/src/**', '**/flowctl/src/**'], message: 'apps do not import each other; share through libs/.' }],
        },
      ],
    },
  },
  {
    files: ['apps/worker/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/scheduler/src/**', '**/flowctl/src/**'], message: 'apps do not import each other; share through libs/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/flowctl/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/scheduler/src/**', '**/worker/src/**'], message: 'apps do not import each other; share through libs/.' },
          ],
        },
      ],
    },
  },
  {
    // The dashboard knows the server only through HTTP and the published contract.
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/apps/**', '**/libs/**', '!**/libs/api-contract/**', '@flowctl/*', '!@flowctl/api-contract'],
              message: 'web/ imports only the API contract from the server side.',
            },
          ],
        },
      ],
    },
  },
  {
    // The dashboard: the classic rules of hooks (the React Compiler's stricter set is not used here).
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
);
