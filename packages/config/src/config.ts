/**
 * Every setting of SPEC §6, read from environment variables (and an optional JSON file named by
 * ROOTAUDIT_CONFIG_FILE, which the environment overrides), validated once at start-up.
 * A bad value stops start-up with one line naming the variable, the value and what is allowed.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Config {
  /** null → embedded PostgreSQL under `${dataDir}/postgres`. */
  databaseUrl: string | null;
  dataDir: string;
  port: number;
  host: string;
  auditRoleName: string;
  externalId: string | null;
  orgRoleArn: string | null;
  regions: string[];
  rootUsageWindowDays: number;
  allowedEmailDomains: string[];
  scanCron: string;
  scanTimezone: string;
  accountConcurrency: number;
  /** Webhook URLs may resolve to loopback, link-local or private addresses (tests, closed networks). */
  allowPrivateWebhookUrls: boolean;
  /** A running scan with no progress for this long is marked failed by the scheduler. */
  scanStallMinutes: number;
  /** An AWS emulator for every client; the SDK also reads AWS_ENDPOINT_URL itself. */
  awsEndpointUrl: string | null;
  /** The SQS queue of live root events the worker consumes; null → no consumer. */
  eventsQueueUrl: string | null;
  /** Root events from that queue processed at once per worker. */
  eventsQueueConcurrency: number;
  logLevel: (typeof logLevels)[number];
}

/**
 * The shortest stall threshold the queue's recovery allows (@rootaudit/queue's account queue): an
 * account job runs up to 15 min (expireInSeconds) before pg-boss fails it, its monitor notices
 * within 30 s and the first retry waits 15–30 s; a dead worker's jobs come back sooner (30 s
 * heartbeats). A shorter threshold would end scans that are still recovering.
 */
const MIN_SCAN_STALL_MINUTES = 16;

/** A setting that cannot be used: which variable, what it was, what is allowed. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`invalid configuration: ${variable}=${JSON.stringify(value)}: ${allowed}`);
    this.name = 'ConfigError';
  }
}

type Source = Record<string, string | undefined>;

interface Setting<T> {
  variable: string;
  /** Sentence fragment telling what is allowed, used in the error. */
  allowed: string;
  schema: z.ZodType<T>;
  /** Never echoed in errors (e.g. credentials inside a URL). */
  secret?: boolean;
}

const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const domainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const roleNamePattern = /^[\w+=,.@-]{1,64}$/;
const externalIdPattern = /^[\w+=,.@:/-]{2,1224}$/;
const roleArnPattern = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

const commaList = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(z.array(item));

const integer = (min: number, max: number) =>
  z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));

/**
 * Five-field cron (minute hour day-of-month month day-of-week), as pg-boss's parser accepts it:
 * numbers in each field's range, ranges low-high (it refuses 5-1), steps above 0, and days of the
 * month that exist in some month named (it refuses 31 in February). What it would refuse must stop
 * start-up here, naming the variable, not fail later inside the scheduler.
 */
function isCronExpression(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  const ranges: [number, number][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ];
  const valid = fields.every((field, index) => {
    const [min, max] = ranges[index]!;
    return field.split(',').every((part) => {
      const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!match) return false;
      const [, , start, end, step] = match;
      const inRange = (value: string | undefined) =>
        value === undefined || (Number(value) >= min && Number(value) <= max);
      const ordered = start === undefined || end === undefined || Number(start) <= Number(end);
      return inRange(start) && inRange(end) && ordered && (step === undefined || Number(step) > 0);
    });
  });
  return valid && dayExistsInSomeMonth(fields[2]!, fields[3]!);
}

/** Days in each month, February as in a leap year. */
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the day-of-month field names a day that some month of the month field has. */
function dayExistsInSomeMonth(days: string, months: string): boolean {
  const lowest = (field: string, fallback: number) =>
    Math.min(
      ...field.split(',').map((part) => (part.startsWith('*') ? fallback : Number.parseInt(part, 10))),
    );
  const explicitMonths = months.split(',').flatMap((part) => {
    if (part.startsWith('*')) return [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    const [range, step] = part.split('/');
    const [start, end] = range!.split('-').map(Number);
    const last = end ?? (step ? 12 : start!);
    const every = step ? Number(step) : 1;
    const listed: number[] = [];
    for (let month = start!; month <= last; month += every) listed.push(month);
    return listed;
  });
  const longest = Math.max(...explicitMonths.map((month) => DAYS_IN_MONTH[month - 1] ?? 31));
  return lowest(days, 1) <= longest;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isPostgresUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * An SQS queue URL: http(s)://<host>/<12-digit account>/<queue name> (1-80 letters, digits, - or _,
 * `.fifo` included for a FIFO queue), as CreateQueue answers. AWS's own hosts only over https; an
 * emulator's over http too.
 */
function isSqsQueueUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  if (url.search || url.hash || url.username || url.password) return false;
  if (/\.amazonaws\.com(\.cn)?$/.test(url.hostname) && url.protocol !== 'https:') return false;
  return /^\/\d{12}\/(?:[\w-]{1,80}|[\w-]{1,75}\.fifo)$/.test(url.pathname);
}

function read<T>(source: Source, setting: Setting<T>, fallback: string | undefined): T {
  const raw = source[setting.variable];
  const value = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
  const parsed = setting.schema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigError(setting.variable, setting.secret ? '<redacted>' : (raw ?? ''), setting.allowed);
  }
  return parsed.data;
}

const optionalText = (check: (text: string) => boolean) =>
  z
    .string()
    .optional()
    .refine((text) => text === undefined || check(text))
    .transform((text) => text ?? null);

/** Reads ROOTAUDIT_CONFIG_FILE (a JSON object of variable → string) when set. */
function readConfigFile(env: Source): Source {
  const file = env.ROOTAUDIT_CONFIG_FILE?.trim();
  if (!file) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (error) {
    throw new ConfigError(
      'ROOTAUDIT_CONFIG_FILE',
      file,
      `must name a readable JSON file (${(error as Error).message})`,
    );
  }
  const shape = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
  const result = shape.safeParse(parsed);
  if (!result.success) {
    throw new ConfigError(
      'ROOTAUDIT_CONFIG_FILE',
      file,
      'must hold one JSON object mapping variable names to strings, numbers or booleans',
    );
  }
  return Object.fromEntries(Object.entries(result.data).map(([key, value]) => [key, String(value)]));
}

/**
 * Loads and validates the configuration. Throws ConfigError on the first bad value;
 * callers at start-up print its message and exit (see loadConfigOrExit).
 */
export function loadConfig(env: Source = process.env): Config {
  const source: Source = { ...readConfigFile(env), ...env };
  const defaultRegion = source.AWS_REGION?.trim() || source.AWS_DEFAULT_REGION?.trim() || 'us-east-1';

  return {
    databaseUrl: read(
      source,
      {
        variable: 'DATABASE_URL',
        allowed: 'must be a postgres:// or postgresql:// URL, or unset for the embedded PostgreSQL',
        schema: optionalText(isPostgresUrl),
        secret: true,
      },
      undefined,
    ),
    dataDir: resolve(
      read(
        source,
        { variable: 'ROOTAUDIT_DATA_DIR', allowed: 'must be a directory path', schema: z.string().min(1) },
        '.data',
      ),
    ),
    port: read(
      source,
      { variable: 'PORT', allowed: 'must be an integer from 0 to 65535', schema: integer(0, 65535) },
      '3000',
    ),
    host: read(
      source,
      {
        variable: 'HOST',
        allowed: 'must be a host name or IP address to listen on',
        schema: z.string().regex(/^[\w.:-]+$/),
      },
      '127.0.0.1',
    ),
    auditRoleName: read(
      source,
      {
        variable: 'ROOTAUDIT_AUDIT_ROLE_NAME',
        allowed: 'must be an IAM role name: 1-64 letters, digits or +=,.@_-',
        schema: z.string().regex(roleNamePattern),
      },
      'RootAuditRole',
    ),
    externalId: read(
      source,
      {
        variable: 'ROOTAUDIT_EXTERNAL_ID',
        allowed: 'must be 2-1224 letters, digits or +=,.@:/-_, or unset',
        schema: optionalText((text) => externalIdPattern.test(text)),
        secret: true,
      },
      undefined,
    ),
    orgRoleArn: read(
      source,
      {
        variable: 'ROOTAUDIT_ORG_ROLE_ARN',
        allowed: 'must be an IAM role ARN like arn:aws:iam::111122223333:role/OrgReader, or unset',
        schema: optionalText((text) => roleArnPattern.test(text)),
      },
      undefined,
    ),
    regions: read(
      source,
      {
        variable: 'ROOTAUDIT_REGIONS',
        allowed: 'must be a comma-separated list of AWS region names like us-east-1,eu-west-1',
        schema: commaList(z.string().regex(regionPattern)).pipe(z.array(z.string()).min(1)),
      },
      defaultRegion,
    ),
    rootUsageWindowDays: read(
      source,
      {
        variable: 'ROOTAUDIT_ROOT_USAGE_WINDOW_DAYS',
        allowed: 'must be an integer number of days from 1 to 3650',
        schema: integer(1, 3650),
      },
      '90',
    ),
    allowedEmailDomains: read(
      source,
      {
        variable: 'ROOTAUDIT_ALLOWED_EMAIL_DOMAINS',
        allowed: 'must be a comma-separated list of domain names like example.com,corp.example.com',
        schema: z
          .string()
          .transform((text) => text.toLowerCase())
          .pipe(commaList(z.string().regex(domainPattern))),
      },
      '',
    ),
    scanCron: read(
      source,
      {
        variable: 'ROOTAUDIT_SCAN_CRON',
        allowed:
          'must be a five-field cron expression like "0 2 * * *": minute 0-59, hour 0-23, day 1-31 (one that exists in a month named), month 1-12, weekday 0-7; ranges low-high',
        schema: z.string().refine(isCronExpression),
      },
      '0 2 * * *',
    ),
    scanTimezone: read(
      source,
      {
        variable: 'ROOTAUDIT_SCAN_TIMEZONE',
        allowed: 'must be an IANA time zone like UTC or Europe/Berlin',
        schema: z.string().refine(isTimeZone),
      },
      'UTC',
    ),
    accountConcurrency: read(
      source,
      {
        variable: 'ROOTAUDIT_ACCOUNT_CONCURRENCY',
        allowed: 'must be an integer from 1 to 256',
        schema: integer(1, 256),
      },
      '16',
    ),
    allowPrivateWebhookUrls: read(
      source,
      {
        variable: 'ROOTAUDIT_ALLOW_PRIVATE_WEBHOOK_URLS',
        allowed: 'must be true or false',
        schema: z
          .string()
          .transform((text) => text.toLowerCase())
          .pipe(z.enum(['true', 'false']))
          .transform((text) => text === 'true'),
      },
      'false',
    ),
    scanStallMinutes: read(
      source,
      {
        variable: 'ROOTAUDIT_SCAN_STALL_MINUTES',
        allowed: `must be an integer number of minutes from ${MIN_SCAN_STALL_MINUTES} to 1440: below ${MIN_SCAN_STALL_MINUTES}, a scan could be ended while the queue is still recovering one of its accounts (an account job may run 15 min before it expires, then waits up to a minute for its retry; a dead worker's jobs are retried within 2 min)`,
        schema: integer(MIN_SCAN_STALL_MINUTES, 1440),
      },
      '60',
    ),
    awsEndpointUrl: read(
      source,
      {
        variable: 'AWS_ENDPOINT_URL',
        allowed: 'must be an http:// or https:// URL, or unset',
        schema: optionalText(isHttpUrl),
      },
      undefined,
    ),
    eventsQueueUrl: read(
      source,
      {
        variable: 'ROOTAUDIT_EVENTS_QUEUE_URL',
        allowed:
          "must be an SQS queue URL like https://sqs.us-east-1.amazonaws.com/111122223333/rootaudit-root-events (the queue's URL as SQS shows it; https for AWS, http also for an emulator), or unset",
        schema: optionalText(isSqsQueueUrl),
      },
      undefined,
    ),
    eventsQueueConcurrency: read(
      source,
      {
        variable: 'ROOTAUDIT_EVENTS_QUEUE_CONCURRENCY',
        allowed: 'must be an integer from 1 to 100',
        schema: integer(1, 100),
      },
      '10',
    ),
    logLevel: read(
      source,
      {
        variable: 'LOG_LEVEL',
        allowed: `must be one of ${logLevels.join(', ')}`,
        schema: z.enum(logLevels),
      },
      'info',
    ),
  };
}

/** For start-up: prints the one-line reason to stderr and exits 78 (EX_CONFIG) on a bad value. */
export function loadConfigOrExit(env: Source = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rootaudit: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
