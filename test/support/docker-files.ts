/**
 * docker/compose.yaml, docker/.env.example and docker/Dockerfile read the way Compose and Docker
 * read them, for the tests in test/docker/ (no docker engine runs on these machines).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const repositoryRoot = resolve(import.meta.dirname, '..', '..');
export const dockerDir = join(repositoryRoot, 'docker');
/** What the image's `rootaudit` runs: the CLI's bin, here run by this node. */
export const cliBin = join(repositoryRoot, 'apps', 'cli', 'bin', 'rootaudit.mjs');

type EnvironmentValue = string | number | boolean | null;

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string };
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, EnvironmentValue> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { disable?: boolean; test?: string[] | string; interval?: string; start_period?: string };
  extra_hosts?: string[] | Record<string, string>;
  ports?: (string | Record<string, unknown>)[];
  volumes?: (string | Record<string, unknown>)[];
  deploy?: { replicas?: number | string };
  restart?: string;
  user?: string;
  pull_policy?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [extension: string]: unknown;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** The compose file as Compose loads it before interpolation: YAML merge keys (`<<`) applied. */
export function parseCompose(text: string): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

/** Assignments of a dotenv file as Compose reads them (`NAME=value`, quotes removed). */
export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!.trim();
    const quoted = /^(["'])(.*)\1$/.exec(value);
    value = quoted ? quoted[2]! : value.replace(/\s+#.*$/, '');
    values.set(match[1]!, value);
  }
  return values;
}

/** Names given a value in the file, set (`NAME=`) or shown commented out (`# NAME=`). */
export function documentedAssignments(text: string): Map<string, string> {
  const uncommented = text
    .split('\n')
    .map((line) => line.replace(/^#\s?(?=[A-Za-z_][A-Za-z0-9_]*=)/, ''))
    .join('\n');
  return parseEnvFile(uncommented);
}

// ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt},
// ${NAME+alt}, $NAME, and $$ for a literal $ (the Compose Specification's interpolation).
const interpolationPattern =
  /\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Every variable name that ${…} or $NAME refers to in a compose file's text (comments excluded). */
export function interpolatedNames(text: string): Set<string> {
  const names = new Set<string>();
  const withoutComments = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
  for (const match of withoutComments.matchAll(interpolationPattern)) {
    const name = match[2] ?? match[5];
    if (name) names.add(name);
  }
  return names;
}

export class InterpolationError extends Error {
  override name = 'InterpolationError';
}

/** Interpolates one string; a variable without a default that is unset is an error here. */
export function interpolateString(text: string, env: Record<string, string | undefined>): string {
  return text.replace(interpolationPattern, (_match, dollar, braced, operator, argument, bare) => {
    if (dollar) return '$';
    const name = (braced ?? bare) as string;
    const value = env[name];
    const set = value !== undefined;
    const nonEmpty = set && value !== '';
    switch (operator) {
      case ':-':
        return nonEmpty ? value : argument;
      case '-':
        return set ? value : argument;
      case ':?':
      case '?':
        if (operator === ':?' ? nonEmpty : set) return value as string;
        throw new InterpolationError(`${name}: ${argument}`);
      case ':+':
        return nonEmpty ? argument : '';
      case '+':
        return set ? argument : '';
      default:
        if (!set) throw new InterpolationError(`${name} is unset and has no default`);
        return value;
    }
  });
}

/** Interpolates every string value of a parsed compose document (keys are left alone, as Compose does). */
export function interpolate<T>(value: T, env: Record<string, string | undefined>): T {
  if (typeof value === 'string') return interpolateString(value, env) as T;
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env)])) as T;
  }
  return value;
}

/** Environment entries of a service as a map; a name without a value maps to null. */
export function environmentEntries(service: ComposeService): Map<string, EnvironmentValue> {
  const environment = service.environment ?? {};
  if (Array.isArray(environment)) {
    return new Map(
      environment.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return new Map(Object.entries(environment));
}

/**
 * The environment a container of the (interpolated) service gets: set values as they are, names
 * without a value from `from` (docker/.env and the shell), left out when `from` lacks them.
 */
export function containerEnvironment(
  service: ComposeService,
  from: Record<string, string | undefined>,
): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [name, value] of environmentEntries(service)) {
    if (value === null) {
      if (from[name] !== undefined) environment[name] = from[name];
    } else {
      environment[name] = String(value);
    }
  }
  return environment;
}

export function commandOf(service: ComposeService): string[] {
  if (service.command === undefined) return [];
  if (Array.isArray(service.command)) return service.command;
  throw new Error(`command must be an exec-form list, not ${JSON.stringify(service.command)}`);
}

export interface DockerInstruction {
  keyword: string;
  arguments: string;
}

export interface DockerStage {
  name: string | undefined;
  base: string;
  instructions: DockerInstruction[];
}

/** The Dockerfile's build stages and their instructions (continuation lines joined, comments dropped). */
export function parseDockerfile(text: string): { globalArgs: DockerInstruction[]; stages: DockerStage[] } {
  const logicalLines: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      pending += `${line.replace(/\\\s*$/, '')} `;
      continue;
    }
    const whole = `${pending}${line}`.trim();
    pending = '';
    if (whole) logicalLines.push(whole.replace(/\s+/g, ' '));
  }
  const globalArgs: DockerInstruction[] = [];
  const stages: DockerStage[] = [];
  for (const line of logicalLines) {
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { keyword: keyword!.toUpperCase(), arguments: rest! };
    if (instruction.keyword === 'FROM') {
      const [, base, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest!)!;
      stages.push({ name, base: base!, instructions: [] });
    } else if (stages.length === 0) {
      globalArgs.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** An exec-form (JSON array) argument of ENTRYPOINT, CMD or HEALTHCHECK … CMD. */
export function execForm(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw new Error(`not an exec-form list of strings: ${text}`);
  }
  return parsed;
}

/**
 * Every variable packages/config/src/config.ts reads: each `variable: 'NAME'` setting and each
 * `source.NAME` / `env.NAME` it reads directly (AWS_REGION, ROOTAUDIT_CONFIG_FILE…).
 */
export function configVariables(): Set<string> {
  const source = readText(join(repositoryRoot, 'packages', 'config', 'src', 'config.ts'));
  const names = new Set<string>();
  for (const match of source.matchAll(/variable: '([A-Z][A-Z0-9_]*)'/g)) names.add(match[1]!);
  for (const match of source.matchAll(/\b(?:source|env)\.([A-Z][A-Z0-9_]*)\b/g)) names.add(match[1]!);
  return names;
}

/** Variables the AWS SDK for JavaScript v3 reads itself: credentials, profile, region, endpoint. */
export const awsSdkVariables = new Set([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
]);

/** Variables of the official postgres image that the compose file sets. */
export const postgresImageVariables = new Set(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB']);
