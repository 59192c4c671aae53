/**
 * Root events the nightly scan found with cloudtrail:LookupEvents, as the root-signin-activity
 * check keeps them in its evidence (@rootaudit/checks RootEvent), turned into the events of live
 * root activity, so that an event found by the scan and the same event delivered by EventBridge are
 * one stored event: both carry CloudTrail's eventID.
 */
import type { RootEvent } from '@rootaudit/checks';
import type { RootActivityEvent } from './parse.ts';

/** What `raw` holds for an event the scan found: no EventBridge event exists for it. */
export interface LookedUpRaw {
  /** The source of the event. */
  source: 'cloudtrail:LookupEvents';
  /** The event as the check's evidence keeps it. */
  event: Record<string, unknown>;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * `event` (one element of the check's `evidence.events`) as a RootActivityEvent of `accountId`, or
 * null when it cannot be one: no eventID, no valid time, or a sign-in whose outcome was not
 * recorded (the live parser refuses those too).
 */
export function rootActivityFromLookup(accountId: string, event: unknown): RootActivityEvent | null {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return null;
  const record = event as Partial<Record<keyof RootEvent, unknown>>;
  const eventId = text(record.eventId);
  const eventName = text(record.eventName);
  const eventSource = text(record.eventSource);
  const region = text(record.region);
  const time = text(record.eventTime);
  const eventTime = time ? new Date(time) : null;
  if (!eventId || !eventName || !eventSource || !region || !eventTime || Number.isNaN(eventTime.getTime())) {
    return null;
  }
  const errorCode = text(record.errorCode);
  const kind =
    eventName === 'ConsoleLogin' && eventSource === 'signin.amazonaws.com' ? 'sign-in' : 'api-call';
  let outcome: RootActivityEvent['outcome'];
  if (record.outcome === 'Success') outcome = 'success';
  else if (record.outcome === 'Failure') outcome = 'failure';
  else if (kind === 'sign-in') return null;
  else outcome = errorCode ? 'failure' : 'success';
  const session = record.privilegedSession as RootEvent['privilegedSession'] | undefined;
  const raw: LookedUpRaw = { source: 'cloudtrail:LookupEvents', event: event as Record<string, unknown> };
  return {
    eventId,
    accountId,
    eventTime,
    region,
    kind,
    eventName,
    eventSource,
    sourceIpAddress: text(record.sourceIpAddress),
    userAgent: text(record.userAgent),
    mfaUsed: typeof record.mfaUsed === 'boolean' ? record.mfaUsed : null,
    outcome,
    errorCode,
    errorMessage: null,
    privilegedSession:
      session && typeof session === 'object'
        ? {
            issuer: text(session.issuer),
            issuerType: text(session.issuerType),
            issuerAccount: text(session.issuerAccount),
          }
        : null,
    raw: raw as unknown as Record<string, unknown>,
  };
}
