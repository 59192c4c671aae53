// `rootaudit scan` as one file: after tsc has compiled the CLI (dist/), the scan command and
// everything it loads (the workspace packages it uses, zod, p-limit and the AWS SDK clients) are
// bundled by esbuild into dist/commands/scan.js, in place of tsc's output. A one-account scan spends
// most of its start-up resolving and loading the SDK's hundreds of small modules (BENCHMARKS.md §6);
// one file loads in about half the CPU time. Only `scan` is bundled: the other commands load
// Fastify, Prisma, pg-boss and the embedded PostgreSQL, which find files of their own at run time.
//
// Bundled from the packages' compiled dist/ (their default export condition), so turbo builds them
// first (apps/cli/turbo.json) and a change to any of them rebuilds this. pino and pino-pretty stay
// out: direct dependencies of the CLI, loaded from its node_modules (pino-pretty by require, only on
// a terminal).
import { build } from 'esbuild';

const ENTRY = new URL('../dist/commands/scan.js', import.meta.url).pathname;

await build({
  entryPoints: [ENTRY],
  outfile: ENTRY,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  // The SDK's packages ship ES modules beside CommonJS: take the ES modules.
  mainFields: ['module', 'main'],
  external: ['pino', 'pino-pretty'],
  // CommonJS modules in the bundle call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __rootauditRequire } from 'node:module'; const require = __rootauditRequire(import.meta.url);",
  },
  // Not minified: with V8's compile cache a minified bundle started no faster (measured), and
  // stack traces under --verbose stay readable.
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
