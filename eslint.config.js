import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '.siemlink/',
      '**/*.js',
      '!eslint.config.js',
      'packages/console/dist/',
      'packages/cli/dist/',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['packages/cli/**', 'bench/**'], rules: { 'no-console': 'off' } },
);
