#!/usr/bin/env node
// The `rootaudit` command (`pnpm rootaudit …` from the repository, `rootaudit …` in the image).
// A linked bin rather than a package.json script, so pnpm prints no header line on stdout.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
