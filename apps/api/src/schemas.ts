/** Zod building blocks shared by the routes: query parameter types, cursors, and response items. */
import { AccountStatus, CheckScope, CheckStatus, ScanStatus, ScanTrigger, Severity } from '@rootaudit/db';
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

/**
 * The values the API accepts and answers, derived from the database's enums (prisma/schema.prisma;
 * @rootaudit/store checks that the checks' types name the same values), in their declared order.
 */
export const CHECK_STATUSES = Object.values(CheckStatus);
export const SEVERITIES = Object.values(Severity);
export const ACCOUNT_STATUSES = Object.values(AccountStatus);
export const SCAN_STATUSES = Object.values(ScanStatus);
export const SCAN_TRIGGERS = Object.values(ScanTrigger);
export const CHECK_SCOPES = Object.values(CheckScope);

export const accountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id');
/** An OU (ou-xxxx-yyyyyyyy) or the organization root (r-xxxx). */
export const ouId = z
  .string()
  .regex(
    /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/,
    'expected an OU id (ou-…) or a root id (r-…)',
  );
export const uuid = z.uuid({ message: 'expected a UUID' });
export const checkId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'expected a check id such as root-mfa-enabled');

/** `a,b,c` in a query parameter: each element must satisfy `item`. */
export function commaList<T extends z.ZodType<unknown, string>>(item: T) {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(item).min(1, 'expected at least one value'));
}

export const booleanQuery = z.enum(['true', 'false']).transform((value) => value === 'true');

/**
 * PostgreSQL refuses NUL in text (a 500 after the request was accepted), so no string that reaches
 * a route may hold one: every query, path and body value is checked here, before the route's own
 * schema, and the 400 names the field.
 */
export const NUL = '\u0000';
const noNulCharacters = z.unknown().superRefine((input, context) => {
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      if (value.includes(NUL)) {
        context.addIssue({ code: 'custom', path, message: 'must not contain NUL characters', input: value });
      }
    } else if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, [...path, index]);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes(NUL)) {
          context.addIssue({ code: 'custom', path, message: 'must not contain NUL characters', input: key });
        }
        visit(item, [...path, key]);
      }
    }
  };
  visit(input, []);
});

/** fastify-type-provider-zod's validator, after the NUL check that every input gets. */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = (route) => {
  const checkNul = zodValidatorCompiler({ ...route, schema: noNulCharacters });
  const validate = zodValidatorCompiler(route);
  return (data) => {
    const refused = checkNul(data);
    return typeof refused === 'object' && 'error' in refused && refused.error ? refused : validate(data);
  };
};

/**
 * The instants the API accepts: UTC years 1970..9999. PostgreSQL's timestamp holds far more, but a
 * date past 9999 in UTC (9999-12-31T23:59:59-12:00 is 10000-01-01 in UTC) cannot be printed as
 * an ISO 8601 date-time, so a row holding one could be written and never read back.
 */
export const EARLIEST_DATE = new Date('1970-01-01T00:00:00.000Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z');
const DATE_RANGE_MESSAGE = 'expected a date-time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z (UTC)';

/** An ISO 8601 date-time with a Z or an offset, as a Date in the accepted range. */
export function dateTimeInput(message: string) {
  return z.iso
    .datetime({ offset: true, message })
    .transform((value) => new Date(value))
    .refine(
      (date) => !Number.isNaN(date.getTime()) && date >= EARLIEST_DATE && date <= LATEST_DATE,
      DATE_RANGE_MESSAGE,
    );
}

export const dateTimeQuery = dateTimeInput('expected an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z');

/**
 * An integer query parameter from `min` to `max`, `fallback` when absent. Decimal digits only:
 * Number() (z.coerce) would also take 0x10, 1e2, +5 and surrounding spaces.
 */
export function integerQuery(min: number, max: number, fallback: number) {
  const message = `expected an integer from ${min} to ${max}`;
  return z
    .string({ message })
    .regex(/^\d{1,9}$/, message)
    .transform(Number)
    .pipe(z.number().int(message).min(min, message).max(max, message))
    .default(fallback);
}

export const isoDate = z.iso.datetime();
export const nullableIsoDate = isoDate.nullable();

/**
 * A stored date the API can print. Rows written before dates were validated may hold one past 9999
 * (a suppression "until 9999-12-31T23:59:59-12:00"), which the database client reads as an
 * Invalid Date: it stands for the last printable instant, so the row can still be listed and
 * deleted. (Only future dates were ever stored unchecked: expiresAt had to be in the future.)
 */
export function storedDate(date: Date): Date;
export function storedDate(date: Date | null): Date | null;
export function storedDate(date: Date | null): Date | null {
  if (!date) return null;
  return Number.isNaN(date.getTime()) || date > LATEST_DATE ? LATEST_DATE : date;
}

export function iso(date: Date): string;
export function iso(date: Date | null): string | null;
export function iso(date: Date | null): string | null {
  return storedDate(date)?.toISOString() ?? null;
}

/** Counts per status, every status present. */
export const statusCounts = z.object(
  Object.fromEntries(CHECK_STATUSES.map((status) => [status, z.number().int()])) as Record<
    CheckStatus,
    z.ZodNumber
  >,
);

export const severityCounts = z.object(
  Object.fromEntries(SEVERITIES.map((severity) => [severity, z.number().int()])) as Record<
    Severity,
    z.ZodNumber
  >,
);
