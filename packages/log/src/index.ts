/**
 * One logger for every app: pino JSON, one line per event, secrets redacted wherever they sit.
 * The CLI writes logs to stderr so that stdout stays exactly the document it prints.
 */
import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Paths pino censors in every log line: credentials, keys, secrets and connection strings. */
export const redactedPaths = [
  'password',
  'secret',
  'apiKey',
  'token',
  'externalId',
  'databaseUrl',
  'credentials',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.token',
  '*.externalId',
  '*.databaseUrl',
  '*.credentials',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

export interface LoggerOptions {
  level: string;
  /** 1 = stdout (services), 2 = stderr (the CLI, whose stdout is its output). */
  destination?: 1 | 2;
  name?: string;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: options.name ? { service: options.name } : {},
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: options.destination ?? 1, sync: true }),
  );
}
