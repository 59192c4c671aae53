/** AWS errors become typed CollectionErrors naming the action; collectors never throw for an AWS error. */
import { STATUS_CODES } from 'node:http';
import type { Collected, CollectionError } from '@rootaudit/checks';

/** A failed AWS call, tagged with the IAM action it made and the region it went to. */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  constructor(
    readonly collectionError: CollectionError,
    /** AWS was unavailable for this call (see isAwsUnavailable): it says nothing about the account. */
    readonly unavailable = false,
  ) {
    super(describeCollectionError(collectionError));
  }
}

/**
 * An account attempt stopped because AWS was unavailable (see isAwsUnavailable): nothing of it is
 * recorded, and the account is tried again, whole, later.
 */
export class AwsUnavailableError extends Error {
  override readonly name = 'AwsUnavailableError';
  constructor(
    /** The account id, or `the organization` for the organization read. */
    readonly accountId: string,
    readonly collectionError: CollectionError,
  ) {
    const { region } = collectionError;
    super(
      `AWS unavailable while scanning ${accountId}${region ? ` (${region})` : ''}: ${describeCollectionError(collectionError)}; the account is tried again`,
    );
  }
}

/** `<code> on <action>: <message>`, in one line (a failed AssumeRole's message already starts so). */
export function describeCollectionError({ code, action, message }: CollectionError): string {
  const headline = `${code} on ${action}`;
  return message.startsWith(headline) ? message : `${headline}: ${message}`;
}

/**
 * The audit role (or the organization role) could not be assumed: every evidence of that account
 * fails with this, and the message says what to do.
 */
export const AUDIT_ROLE_HINT =
  'deploy the audit-role template to this account or check ROOTAUDIT_EXTERNAL_ID';
export const ORGANIZATION_ROLE_HINT =
  'check ROOTAUDIT_ORG_ROLE_ARN, that the role exists in the management (or delegated-admin) account and trusts the base credentials';

export class AssumeRoleError extends Error {
  override readonly name = 'AssumeRoleError';
  readonly action = 'sts:AssumeRole';
  constructor(
    readonly code: string,
    readonly roleArn: string,
    awsMessage: string,
    /** What a person should do when access is denied. */
    hint: string = AUDIT_ROLE_HINT,
    /** What the STS call threw, when it threw (it says whether STS was unavailable). */
    cause?: unknown,
  ) {
    super(
      /AccessDenied/.test(code)
        ? `${code} on sts:AssumeRole for ${roleArn}: ${hint}`
        : `${code} on sts:AssumeRole for ${roleArn}: ${awsMessage}`,
      cause === undefined ? undefined : { cause },
    );
  }

  toCollectionError(): CollectionError {
    return { action: this.action, code: this.code, message: this.message };
  }
}

const THROTTLING_CODES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  // SNS (ThrottledException's wire code, HTTP 429).
  'Throttled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'SlowDown',
  'LimitExceededException',
  'RateExceeded',
]);

export function isThrottlingCode(code: string): boolean {
  return THROTTLING_CODES.has(code);
}

/**
 * Node's codes for a connection that could not be made or was lost: refused, reset, timed out, a
 * name that does not resolve (ENOTFOUND, EAI_AGAIN), no route.
 */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);

/**
 * AWS was unavailable for this call, past the SDK's own retries: the endpoint could not be reached
 * (connection refused or reset, a name that does not resolve, a connection or request timeout), the
 * service failed (5xx), timed out (408) or throttled every attempt. Such an error says nothing
 * about the account, and passes: the account is tried again later rather than answered ERROR now.
 * AccessDenied, a missing role, a validation error are answers, and are not this.
 */
export function isAwsUnavailable(error: unknown): boolean {
  if (error instanceof AwsCallError) return error.unavailable;
  if (error instanceof AssumeRoleError) return error.cause !== undefined && isAwsUnavailable(error.cause);
  if (!error || typeof error !== 'object') return false;
  const e = error as {
    name?: unknown;
    code?: unknown;
    $fault?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code)) return true;
  // The SDK's connection and request timeouts (a connection timeout carries no code).
  if (e.name === 'TimeoutError') return true;
  const status = e.$metadata?.httpStatusCode;
  // A 500 that is no AWS error (an HTML error page, an empty body) is a server failing this one
  // request (an emulator's unimplemented operation, a crash), not AWS unavailable: asking the
  // same again later gets the same. AWS's own 500s carry a code (InternalFailure, InternalError);
  // 502, 503 and 504 come from proxies and load balancers in front of an endpoint that is down.
  if (status === 500 && !hasAwsErrorCode(error)) return false;
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return true;
  if (status === 408 || status === 429) return true;
  return isThrottlingCode(errorCode(error));
}

/** The AWS error code of anything an SDK call can throw (service errors, network errors, timeouts). */
export function errorCode(error: unknown): string {
  if (error instanceof AssumeRoleError) return error.code;
  if (error && typeof error === 'object') {
    const e = error as {
      name?: unknown;
      code?: unknown;
      Code?: unknown;
      $fault?: unknown;
      $metadata?: { httpStatusCode?: number };
    };
    if (typeof e.Code === 'string' && e.Code) return e.Code;
    // The SDK names a lost connection TimeoutError whatever happened to it (a reset, say): Node's
    // code says what did. A request timeout keeps the SDK's name (its code is ETIMEDOUT).
    if (
      e.name === 'TimeoutError' &&
      typeof e.code === 'string' &&
      e.code !== 'ETIMEDOUT' &&
      NETWORK_ERROR_CODES.has(e.code)
    )
      return e.code;
    const status = e.$metadata?.httpStatusCode;
    // A response the SDK could not parse (an emulator's HTML 500 page, a proxy's error page): the
    // SDK rethrows the parser's error (a SyntaxError) with the response's status, and no `$fault`,
    // which only a parsed AWS error carries. Its name would hide the server failure.
    const unparsed = e.$fault === undefined && (typeof e.name !== 'string' || JS_ERROR_NAMES.has(e.name));
    if (unparsed && status !== undefined && status >= 500) return 'InternalFailure';
    // A response with a status and no AWS error code (a proxy's or load balancer's 408, 429, 502):
    // the SDK names it Unknown; its status is all there is to go by.
    if (statusOnly(error) && status !== undefined) return status >= 500 ? 'InternalFailure' : `Http${status}`;
    if (typeof e.name === 'string' && e.name && e.name !== 'Error') return e.name;
    if (typeof e.code === 'string' && e.code) return e.code;
    if (status !== undefined && status >= 500) return 'InternalFailure';
    if (status !== undefined && status >= 400) return `Http${status}`;
  }
  return 'UnknownError';
}

/** The response carried an AWS error code: not a page the SDK could not parse, nor a bare status. */
function hasAwsErrorCode(error: unknown): boolean {
  if (statusOnly(error) !== undefined) return false;
  const e = error as { name?: unknown; Code?: unknown; $fault?: unknown };
  if (typeof e.Code === 'string' && e.Code) return true;
  return !(e.$fault === undefined && (typeof e.name !== 'string' || JS_ERROR_NAMES.has(e.name)));
}

/** Names of JavaScript's own errors: never an AWS error code. */
const JS_ERROR_NAMES = new Set(['Error', 'SyntaxError', 'TypeError', 'RangeError', 'ReferenceError']);

/** Names the SDK gives an error response that carries no AWS error code. */
const UNKNOWN_ERROR_NAMES = new Set(['Unknown', 'UnknownError']);

/** The status of an error response with no AWS error code, else undefined. */
function statusOnly(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } };
  if (typeof e.Code === 'string' && e.Code) return undefined;
  if (typeof e.name !== 'string' || !UNKNOWN_ERROR_NAMES.has(e.name)) return undefined;
  return e.$metadata?.httpStatusCode;
}

/**
 * SDK retry classification for an error response with no AWS error code: the standard strategy
 * retries only 500, 502, 503 and 504 by status, so a bare 408 (a request timeout at a proxy or
 * load balancer) or 429 (a rate limit there) would end the call at its first attempt. Marked
 * retryable (429 as throttling) they are retried within the call's attempts, with backoff.
 * Called inside the SDK's retry loop on every failed attempt.
 */
export function classifyStatusOnlyError(error: unknown): void {
  const status = statusOnly(error);
  if (status !== 408 && status !== 429) return;
  const e = error as { $retryable?: { throttling?: boolean } };
  e.$retryable ??= status === 429 ? { throttling: true } : {};
}

export function errorMessage(error: unknown): string {
  const status = statusOnly(error);
  if (status !== undefined) {
    const reason = STATUS_CODES[status];
    return `HTTP ${status}${reason ? ` (${reason})` : ''} with no AWS error code in the response`;
  }
  if (error instanceof Error && error.message) return error.message;
  if (error && typeof error === 'object' && 'message' in error) return String(error.message);
  return String(error);
}

/** Turns whatever an SDK call threw into a CollectionError for `action`. */
export function toCollectionError(error: unknown, action: string, region?: string): CollectionError {
  if (error instanceof AwsCallError) return error.collectionError;
  if (error instanceof AssumeRoleError) return error.toCollectionError();
  const collectionError: CollectionError = { action, code: errorCode(error), message: errorMessage(error) };
  if (region) collectionError.region = region;
  return collectionError;
}

/**
 * Runs a collector body: its value, or the first AWS error it met as `{ ok: false }`.
 * `action` names the error when something other than an AWS call failed.
 */
export async function collected<T>(
  action: string,
  body: () => Promise<T>,
  region?: string,
): Promise<Collected<T>> {
  try {
    return { ok: true, value: await body() };
  } catch (error) {
    return { ok: false, error: toCollectionError(error, action, region) };
  }
}
