// Lint configuration. Besides style, this file enforces the layering of DESIGN.md: the runtime (executor/)
// never depends on the planner, the parser or the REPL; the parser depends on nothing of ours but the shared
// error type; connectors see the runtime and the catalog's factory interface, never the REPL.
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map((dir) => ({
          group: [`**/${dir}/*`, `**/${dir}`, `../${dir}/*`, `../../${dir}/*`, `../../../${dir}/*`],
          message: why,
        })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.cache/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  layer(
    ['executor/**/*.ts'],
    ['planner', 'parser', 'repl', 'connectors'],
    'executor/ is the runtime: it must not import the planner, parser, connectors or REPL (DESIGN.md layering).',
  ),
  layer(
    ['parser/**/*.ts'],
    ['planner', 'executor', 'repl', 'connectors'],
    'parser/ turns text into an AST and depends on no other layer (DESIGN.md layering).',
  ),
  layer(
    ['planner/**/*.ts'],
    ['repl', 'connectors'],
    'planner/ imports the parser and the runtime API only; connectors register through the factory registry.',
  ),
  layer(['connectors/**/*.ts'], ['repl'], 'connectors/ must not depend on the REPL.'),
  {
    files: ['bin/**/*.mjs', 'scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
