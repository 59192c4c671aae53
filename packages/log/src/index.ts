/**
 * One logger for every app: pino JSON, one line per event, secrets redacted wherever they sit;
 * readable lines (pino-pretty) when the destination is a terminal, so a person running it by hand
 * is not handed JSON while collectors still are. The CLI writes logs to stderr so that stdout stays
 * exactly the document it prints.
 */
import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import { type Logger, type LoggerOptions as PinoOptions, pino } from 'pino';
import type PinoPretty from 'pino-pretty';

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

/** Query parameters whose values are secrets: `api_key`, `apiKey`, `token`, `X-Amz-Signature`… */
const SECRET_PARAMETER = /key|token|secret|passw|signature|^sig$|auth|credential/i;

/** The URL with the value of every secret-looking query parameter replaced by [redacted]. */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const query = url
    .slice(start + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      const name = pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replaceAll('+', ' '));
      } catch {
        // a malformed escape: judge the name as written
      }
      return SECRET_PARAMETER.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, start)}?${query}`;
}

interface RequestLike {
  method?: unknown;
  url?: unknown;
  host?: unknown;
  ip?: unknown;
  socket?: { remotePort?: unknown } | null;
}

/**
 * How a request is logged (Fastify's fields, which this replaces): the URL with secret query
 * values redacted, since clients put keys in query strings however often they are told not to.
 */
function serializeRequest(request: RequestLike): unknown {
  if (typeof request?.method !== 'string' || typeof request.url !== 'string') return request;
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export interface LoggerOptions {
  level: string;
  /** 1 = stdout (services), 2 = stderr (the CLI, whose stdout is its output). */
  destination?: 1 | 2;
  name?: string;
}

/** pino's options for every logger (createLogger; tests that log to a stream of their own). */
export function loggerOptions(options: Pick<LoggerOptions, 'level' | 'name'>): PinoOptions {
  return {
    level: options.level,
    base: options.name ? { service: options.name } : {},
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: { req: serializeRequest },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

// Loaded only for a terminal: services and containers, which log JSON, never pay for it.
const loadPinoPretty = () => createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;

export function createLogger(options: LoggerOptions): Logger {
  const fd = options.destination ?? 1;
  return pino(
    loggerOptions(options),
    isatty(fd)
      ? loadPinoPretty()({ destination: fd, sync: true, colorize: true, translateTime: 'SYS:standard' })
      : pino.destination({ fd, sync: true }),
  );
}
