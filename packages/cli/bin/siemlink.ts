#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// As bin/siemlink.js: cache compiled modules on disk before the CLI's modules load.
enableCompileCache();
const { run } = await import('./run.ts');
await run(process.argv);
