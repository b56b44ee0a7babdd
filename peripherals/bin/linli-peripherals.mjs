#!/usr/bin/env node
// Runs the TypeScript CLI (src/cli/linli-peripherals.cli.ts) through tsx: the workspace ships TS source.
import { tsImport } from 'tsx/esm/api';

process.env.LINLI_PERIPHERALS_CLI = '1';
await tsImport('../src/cli/linli-peripherals.cli.ts', import.meta.url);
