#!/usr/bin/env node
// Builds the console into dist/: index.html (from src/index.html) naming one script and one
// stylesheet, each content-hashed under dist/assets/ so the API can let browsers cache them for a
// year. Bundled and minified by esbuild, with Preact inside: nothing is fetched at run time.
// Fails when the JavaScript shipped exceeds its budget (150 KB gzipped).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const JS_BUDGET_GZIP_BYTES = 150 * 1024;

/** Builds into `outdir` [dist/]; returns the asset names and the gzipped size of the JavaScript. */
export async function buildConsole({ outdir = join(here, 'dist') } = {}) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(join(outdir, 'assets'), { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: { app: 'src/main.tsx' },
    outdir: join(outdir, 'assets'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome111', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const script = outputs.find((name) => name.endsWith('.js'));
  const style = outputs.find((name) => name.endsWith('.css'));
  if (!script || !style) throw new Error(`the console build wrote no script or stylesheet: ${outputs}`);
  const template = readFileSync(join(here, 'src/index.html'), 'utf8');
  writeFileSync(
    join(outdir, 'index.html'),
    template.replace('%SCRIPT%', `/assets/${script}`).replace('%STYLE%', `/assets/${style}`),
  );
  const jsGzipBytes = gzipSync(readFileSync(join(outdir, 'assets', script))).length;
  if (jsGzipBytes > JS_BUDGET_GZIP_BYTES) {
    throw new Error(
      `the console's JavaScript is ${jsGzipBytes} bytes gzipped, over its ${JS_BUDGET_GZIP_BYTES}`,
    );
  }
  return { script, style, jsGzipBytes };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { script, jsGzipBytes } = await buildConsole();
  process.stdout.write(`console: dist/assets/${script}, ${(jsGzipBytes / 1024).toFixed(1)} KB gzipped\n`);
}
