/**
 * For tests of the scan pipeline: every check in packages/checks/src/checks (until the checks
 * package exports its catalog), found by reading the folder, so new checks join on their own.
 */
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Check } from '@rootaudit/checks';
import { isCheck } from './checks.ts';

const checksFolder = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/checks/src/checks');

export async function checksForTests(): Promise<Check[]> {
  const files = (await readdir(checksFolder)).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
  const found = new Map<string, Check>();
  for (const file of files.sort()) {
    const module = (await import(pathToFileURL(join(checksFolder, file)).href)) as Record<string, unknown>;
    for (const value of Object.values(module)) if (isCheck(value)) found.set(value.metadata.id, value);
  }
  return [...found.values()];
}
