// The import layering of DESIGN.md, enforced here rather than hoped for. Each layer lists what it must not
// import; `eslint-layering.test.ts` proves that a forbidden import really fails.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_'));
const noNode = [
  { group: ['node:*'], message: 'This layer runs outside Node (DESIGN.md layering): no node: imports.' },
  ...nodeBuiltins.map((name) => ({
    group: [name, `${name}/*`],
    message: `No Node builtin '${name}' in this layer.`,
  })),
];
const ours = (names, why) => names.map((name) => ({ group: [name, `${name}/*`], message: why }));

/** One layer: files it covers and the import patterns forbidden there. */
const layers = [
  {
    files: ['content/src/**/*.ts'],
    ignores: ['content/src/node/**'],
    patterns: [
      ...noNode,
      { group: ['electron'], message: 'content core runs everywhere: no Electron.' },
      ...ours(
        ['@linli/peripherals', '@linli/signage-server', '@linli/kiosk'],
        'content imports nothing of ours.',
      ),
    ],
  },
  {
    files: ['content/src/node/**/*.ts'],
    patterns: ours(
      ['@linli/peripherals', '@linli/signage-server', '@linli/kiosk'],
      'content imports nothing of ours.',
    ),
  },
  {
    files: ['peripherals/**/*.ts'],
    patterns: [
      { group: ['electron'], message: 'peripherals run in plain Node (the kiosk host), not in Electron.' },
      ...ours(['@linli/signage-server', '@linli/kiosk'], 'peripherals import @linli/content at most.'),
    ],
  },
  {
    files: ['signage-server/**/*.{ts,svelte}'],
    patterns: ours(
      ['@linli/kiosk', '@linli/peripherals'],
      'signage-server talks to kiosks over HTTP only (DESIGN.md): import @linli/content instead.',
    ),
  },
  {
    files: ['kiosk/src/renderer/**/*.{ts,svelte}'],
    patterns: [
      ...noNode,
      { group: ['electron'], message: 'The renderer reaches the host only through KioskApi.' },
      {
        group: ['**/host', '**/host/**', '**/main/**', '**/preload/**'],
        message: 'The renderer reaches the host only through KioskApi.',
      },
      ...ours(
        ['@linli/peripherals', '@linli/signage-server'],
        'The renderer reaches the host only through KioskApi.',
      ),
    ],
  },
  {
    files: ['kiosk/src/shared/**/*.ts'],
    patterns: [
      ...noNode,
      { group: ['electron'], message: 'shared code runs in every kiosk layer.' },
      {
        group: ['**/host/**', '**/main/**', '**/preload/**', '**/renderer/**'],
        message: 'shared depends on no layer.',
      },
      ...ours(['@linli/peripherals', '@linli/signage-server'], 'shared depends on @linli/content at most.'),
    ],
  },
  {
    files: ['kiosk/src/{host,main,preload}/**/*.ts'],
    patterns: [
      { group: ['**/renderer/**'], message: 'Host and Electron code never import the renderer.' },
      ...ours(['@linli/signage-server'], 'kiosk and signage-server never import each other: use HTTP.'),
    ],
  },
  {
    files: ['kiosk/src/host/**/*.ts'],
    patterns: [
      { group: ['electron'], message: 'The host is plain Node so it runs in both shells.' },
      {
        group: ['**/renderer/**', '**/main/**', '**/preload/**'],
        message: 'The host depends on shared code only.',
      },
      ...ours(['@linli/signage-server'], 'kiosk and signage-server never import each other: use HTTP.'),
    ],
  },
];

export default ts.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/build/**',
      '**/dist/**',
      '**/.svelte-kit/**',
      'test-results/**',
      'playwright-report/**',
      '**/data/**',
      '.tmp/**',
      'packaging/.build/**',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  ...layers.map(({ files, ignores, patterns }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
);
