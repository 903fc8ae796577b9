#!/usr/bin/env node
import { enableCompileCache } from 'node:module';
import { useBundledTypebox } from './typebox-bundle.js';

// As bin/siemlink.js: cache compiled modules on disk and map TypeBox to its bundle before the
// CLI's modules load (so the CLI tests, which start this file, run the bundle too).
enableCompileCache();
useBundledTypebox();
const { run } = await import('./run.ts');
await run(process.argv);
