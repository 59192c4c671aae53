/**
 * An EventBridge event of root activity, as AWS sends it (by an SQS queue or an API destination),
 * parsed into a `RootActivityEvent`, or refused with the reason naming the field at fault.
 *
 * Root activity is a CloudTrail record delivered by EventBridge as `AWS Console Sign In via
 * CloudTrail` (source aws.signin) or `AWS API Call via CloudTrail` (any service) whose
 * `detail.userIdentity.type` is Root. Calls made in a privileged root session (sts:AssumeRoot) are
 * root activity too: CloudTrail records them as Root with `sessionContext.assumedRoot` "true" and
 * `inScopeOf` naming whom the credentials were issued to, kept here as `privilegedSession`.
 * Every other event is refused: the caller answers 400 (push) or dead-letters it (pull).
 */
import { type PrivilegedRootSession, privilegedRootSessionOf } from '@rootaudit/checks';
import { z } from 'zod';

/** EventBridge's detail-type of CloudTrail API calls. */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** EventBridge's detail-type of console sign-ins, as sign-in events carry it. */
export const SIGN_IN_DETAIL_TYPE = 'AWS Console Sign In via CloudTrail';
/**
 * EventBridge's own list of CloudTrail event types spells it "AWS Console Signin via CloudTrail";
 * the sign-in events and AWS's sample patterns use the form above. Both are accepted so that a
 * root sign-in is never refused over the spelling.
 */
export const SIGN_IN_DETAIL_TYPE_ALTERNATE = 'AWS Console Signin via CloudTrail';

const SIGN_IN_DETAIL_TYPES: ReadonlySet<string> = new Set([
  SIGN_IN_DETAIL_TYPE,
  SIGN_IN_DETAIL_TYPE_ALTERNATE,
]);

export type RootActivityKind = 'sign-in' | 'api-call';
export type RootActivityOutcome = 'success' | 'failure';

export interface RootActivityEvent {
  /** CloudTrail's eventID: the same event keeps it whichever way (live or LookupEvents) it arrives. */
  eventId: string;
  /** The account whose root user acted. */
  accountId: string;
  /** CloudTrail's eventTime. */
  eventTime: Date;
  /** CloudTrail's awsRegion (us-east-1 for sign-ins and IAM calls). */
  region: string;
  kind: RootActivityKind;
  eventName: string;
  eventSource: string;
  sourceIpAddress: string | null;
  userAgent: string | null;
  /**
   * true / false as recorded; null when not recorded (unknown). Sign-ins record
   * additionalEventData.MFAUsed; session calls sessionContext.attributes.mfaAuthenticated; a call
   * signed with a long-term access key (AKIA…) has no session and so no MFA: false.
   */
  mfaUsed: boolean | null;
  /** Sign-ins: responseElements.<eventName> (Success/Failure); calls: failure when an errorCode is recorded. */
  outcome: RootActivityOutcome;
  errorCode: string | null;
  errorMessage: string | null;
  /** Set for a call made in a privileged root session (sts:AssumeRoot); null otherwise. */
  privilegedSession: PrivilegedRootSession | null;
  /** The whole EventBridge event, as received. */
  raw: Record<string, unknown>;
}

export type RootEventParse = { ok: true; event: RootActivityEvent } | { ok: false; reason: string };

const ACCOUNT_ID = /^\d{12}$/;
// CloudTrail writes eventTime as UTC, to the second (milliseconds accepted).
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

const envelopeSchema = z.looseObject({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  detail: z.looseObject({}),
});

const optionalText = z.string().nullish();

const cloudTrailSchema = z.looseObject({
  eventID: z.string().min(1),
  eventTime: z.string(),
  eventName: z.string().min(1),
  eventSource: z.string().min(1),
  awsRegion: z.string(),
  sourceIPAddress: optionalText,
  userAgent: optionalText,
  errorCode: optionalText,
  errorMessage: optionalText,
  recipientAccountId: optionalText,
  responseElements: z.looseObject({}).nullish(),
  additionalEventData: z.looseObject({ MFAUsed: optionalText }).nullish(),
  userIdentity: z.looseObject({
    type: z.string(),
    accountId: optionalText,
    accessKeyId: optionalText,
    sessionContext: z
      .looseObject({
        attributes: z.looseObject({ mfaAuthenticated: optionalText }).nullish(),
        assumedRoot: z.union([z.string(), z.boolean()]).nullish(),
      })
      .nullish(),
    inScopeOf: z
      .looseObject({
        issuerType: optionalText,
        credentialsIssuedTo: optionalText,
        sourceArn: optionalText,
        sourceAccount: optionalText,
      })
      .nullish(),
  }),
});

type CloudTrailRecord = z.infer<typeof cloudTrailSchema>;

/** The first zod issue as `<field>: <what is wrong>`. */
function firstIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.');
  return `${path || 'the event'}: ${issue?.message ?? 'invalid'}`;
}

function refuse(reason: string): RootEventParse {
  return { ok: false, reason };
}

function blankToNull(value: string | null | undefined): string | null {
  return value ? value : null;
}

function mfaOf(record: CloudTrailRecord, kind: RootActivityKind): boolean | null {
  const yesNo = (value: string | null | undefined) =>
    value === 'Yes' ? true : value === 'No' ? false : null;
  const trueFalse = (value: string | null | undefined) =>
    value === 'true' ? true : value === 'false' ? false : null;
  if (kind === 'sign-in') return yesNo(record.additionalEventData?.MFAUsed);
  const session = record.userIdentity.sessionContext;
  if (session) return trueFalse(session.attributes?.mfaAuthenticated);
  // A long-term key signs without a session: MFA cannot have been part of it.
  return record.userIdentity.accessKeyId?.startsWith('AKIA') ? false : null;
}

/** The outcome, or a reason when a sign-in records none. */
function outcomeOf(record: CloudTrailRecord, kind: RootActivityKind): RootActivityOutcome | string {
  if (kind === 'api-call') return record.errorCode ? 'failure' : 'success';
  const result = record.responseElements?.[record.eventName];
  if (result === 'Success') return 'success';
  if (result === 'Failure') return 'failure';
  if (record.errorCode || record.errorMessage) return 'failure';
  return `detail.responseElements.${record.eventName}: a console sign-in records Success or Failure, found ${JSON.stringify(result ?? null)}`;
}

/** Parses one EventBridge event; see the module comment for what is root activity. */
export function parseRootEvent(envelope: unknown): RootEventParse {
  const outer = envelopeSchema.safeParse(envelope);
  if (!outer.success) return refuse(`not an EventBridge event: ${firstIssue(outer.error, '')}`);
  const event = outer.data;
  const detailType = event['detail-type'];
  let kind: RootActivityKind;
  if (detailType === API_CALL_DETAIL_TYPE) kind = 'api-call';
  else if (SIGN_IN_DETAIL_TYPES.has(detailType)) kind = 'sign-in';
  else {
    return refuse(
      `not a CloudTrail event: detail-type ${JSON.stringify(detailType)} is neither "${API_CALL_DETAIL_TYPE}" nor "${SIGN_IN_DETAIL_TYPE}"`,
    );
  }
  const inner = cloudTrailSchema.safeParse(event.detail);
  if (!inner.success) return refuse(`not a CloudTrail record: ${firstIssue(inner.error, 'detail')}`);
  const record = inner.data;
  if (record.userIdentity.type !== 'Root') {
    return refuse(
      `not a root identity: detail.userIdentity.type is ${JSON.stringify(record.userIdentity.type)}, not "Root"`,
    );
  }
  if (!ACCOUNT_ID.test(event.account)) {
    return refuse(`malformed account: ${JSON.stringify(event.account)} is not a 12-digit AWS account id`);
  }
  // A record whose own account fields disagree with the envelope is not the event it claims to be.
  for (const [field, value] of [
    ['detail.userIdentity.accountId', record.userIdentity.accountId],
    ['detail.recipientAccountId', record.recipientAccountId],
  ] as const) {
    if (value && value !== event.account) {
      return refuse(`account mismatch: ${field} is ${value}, the event's account is ${event.account}`);
    }
  }
  if (!ISO_UTC.test(record.eventTime) || Number.isNaN(Date.parse(record.eventTime))) {
    return refuse(
      `malformed time: detail.eventTime ${JSON.stringify(record.eventTime)} is not an ISO 8601 UTC time`,
    );
  }
  if (!REGION.test(record.awsRegion)) {
    return refuse(
      `malformed region: detail.awsRegion ${JSON.stringify(record.awsRegion)} is not an AWS region`,
    );
  }
  const outcome = outcomeOf(record, kind);
  if (outcome !== 'success' && outcome !== 'failure') return refuse(`malformed sign-in: ${outcome}`);
  return {
    ok: true,
    event: {
      eventId: record.eventID,
      accountId: event.account,
      eventTime: new Date(record.eventTime),
      region: record.awsRegion,
      kind,
      eventName: record.eventName,
      eventSource: record.eventSource,
      sourceIpAddress: blankToNull(record.sourceIPAddress),
      userAgent: blankToNull(record.userAgent),
      mfaUsed: mfaOf(record, kind),
      outcome,
      errorCode: blankToNull(record.errorCode),
      errorMessage: blankToNull(record.errorMessage),
      privilegedSession: privilegedRootSessionOf(record.userIdentity),
      raw: envelope as Record<string, unknown>,
    },
  };
}
