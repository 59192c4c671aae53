import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type OrganizationModel, resolveModel } from './model.ts';

/** The shipped sample organization (see README for what each account is meant to show). */
export const SAMPLE_ORG_PATH = fileURLToPath(new URL('../fixtures/sample-org.json', import.meta.url));

/** Reads a model from a JSON file; relative times ("-3d") resolve against `now`. */
export function loadOrganization(path: string = SAMPLE_ORG_PATH, now = Date.now()): OrganizationModel {
  return resolveModel(JSON.parse(readFileSync(path, 'utf8')), now);
}
