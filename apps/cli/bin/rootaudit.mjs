#!/usr/bin/env node
// The `rootaudit` command (`pnpm rootaudit …` from the repository, `rootaudit …` in the image).
// A linked bin rather than a package.json script, so pnpm prints no header line on stdout.
//
// It runs the compiled CLI (dist/, written by `pnpm build`). Under the `rootaudit-source`
// condition (`node --conditions=rootaudit-source …`: the tests and development) `#main` is the
// TypeScript source instead, and only then is tsx loaded to run it.
import { existsSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const main = import.meta.resolve('#main');
if (main.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
} else if (!existsSync(fileURLToPath(main))) {
  process.stderr.write(
    'rootaudit: the CLI is not built (apps/cli/dist is missing): run `pnpm build`, or `npm start`, which builds it\n',
  );
  process.exit(1);
} else {
  // V8's compiled code of every module kept on disk (NODE_COMPILE_CACHE, else the temporary
  // directory) and reused: a command starts faster from its second run. Best effort: a read-only
  // disk leaves it off.
  module.enableCompileCache?.();
}
await import(main);
