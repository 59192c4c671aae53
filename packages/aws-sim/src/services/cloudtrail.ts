import { type CallContext, inputNumber, inputString, type ServiceHandlers } from '../context.ts';
import type { AccountModel, CloudTrailEventModel, Trail } from '../model.ts';
import { paginate, SimError } from '../protocol.ts';

interface VisibleTrail {
  trail: Trail;
  owner: AccountModel;
  arn: string;
  /** Shadow: owned by another account, or homed in another region. */
  shadow: boolean;
}

function trailArn(owner: string, trail: Trail) {
  return `arn:aws:cloudtrail:${trail.homeRegion}:${owner}:trail/${trail.name}`;
}

/** Trails an account sees in a region: its own, its multi-region ones, and the organization's. */
function visibleTrails(ctx: CallContext): VisibleTrail[] {
  const out: VisibleTrail[] = [];
  const consider = (owner: AccountModel, trail: Trail, foreign: boolean) => {
    if (trail.homeRegion !== ctx.region && !trail.multiRegion) return;
    out.push({
      trail,
      owner,
      arn: trailArn(owner.id, trail),
      shadow: foreign || trail.homeRegion !== ctx.region,
    });
  };
  for (const trail of ctx.account.trails) consider(ctx.account, trail, false);
  const managementId = ctx.index.model.organization.managementAccountId;
  const management = ctx.index.accounts.get(managementId);
  if (management && management.id !== ctx.account.id) {
    for (const trail of management.trails) if (trail.organizationTrail) consider(management, trail, true);
  }
  return out;
}

function trailNotFound(ctx: CallContext, nameOrArn: string): SimError {
  return new SimError(
    'TrailNotFoundException',
    `Unknown trail: ${nameOrArn} for the user: ${ctx.account.id}`,
  );
}

/** Another account's (organization) trail is found only by its full ARN, as AWS requires. */
function findTrail(ctx: CallContext, nameOrArn: string): VisibleTrail {
  const found = visibleTrails(ctx).find(
    (v) => v.arn === nameOrArn || (v.owner.id === ctx.account.id && v.trail.name === nameOrArn),
  );
  if (!found) throw trailNotFound(ctx, nameOrArn);
  return found;
}

function describe(v: VisibleTrail) {
  const t = v.trail;
  return {
    Name: t.name,
    S3BucketName: t.s3BucketName,
    IncludeGlobalServiceEvents: t.includeGlobalServiceEvents,
    IsMultiRegionTrail: t.multiRegion,
    HomeRegion: t.homeRegion,
    TrailARN: v.arn,
    LogFileValidationEnabled: t.logFileValidation,
    CloudWatchLogsLogGroupArn: t.logGroupName
      ? `arn:aws:logs:${t.homeRegion}:${v.owner.id}:log-group:${t.logGroupName}:*`
      : undefined,
    CloudWatchLogsRoleArn: t.logGroupName
      ? `arn:aws:iam::${v.owner.id}:role/CloudTrail_CloudWatchLogs_Role`
      : undefined,
    KmsKeyId: t.kmsKeyId,
    HasCustomEventSelectors: t.eventSelectors !== undefined || t.advancedEventSelectors !== undefined,
    HasInsightSelectors: false,
    IsOrganizationTrail: t.organizationTrail,
  };
}

function lookupMatches(event: CloudTrailEventModel, key: string, value: string): boolean {
  switch (key) {
    case 'EventName':
      return event.name === value;
    case 'EventSource':
      return event.source === value;
    case 'Username':
      return event.username === value;
    case 'ReadOnly':
      return String(event.readOnly) === value;
    case 'AccessKeyId':
      return event.accessKeyId === value;
    case 'EventId':
      return event.id === value;
    default:
      return false;
  }
}

/** Event history keeps 90 days: LookupEvents answers nothing older, whatever StartTime asks. */
const EVENT_HISTORY_MS = 90 * 86_400_000;

/**
 * IAM has one global endpoint: its events are recorded in us-east-1 whatever region a model event
 * names. STS and sign-in are not in the list: their global endpoints record in us-east-1 and their
 * regional endpoints (AssumeRoot accepts only those) in their own region, so the model's region holds.
 */
const GLOBAL_EVENT_SOURCES = new Set(['iam.amazonaws.com']);

export function recordedRegion(event: CloudTrailEventModel): string {
  return GLOBAL_EVENT_SOURCES.has(event.source) ? 'us-east-1' : event.region;
}

/**
 * A root call in a privileged root session: the member records the root user, the session's
 * temporary key, `sessionContext.assumedRoot` and `inScopeOf` naming whom the credentials were
 * issued to (and that principal's account).
 */
function privilegedRootIdentity(account: AccountModel, event: CloudTrailEventModel, issuer: string) {
  return {
    type: 'Root',
    principalId: account.id,
    arn: `arn:aws:iam::${account.id}:root`,
    accountId: account.id,
    accessKeyId: event.accessKeyId ?? '',
    sessionContext: {
      attributes: {
        creationDate: new Date(Date.parse(event.time) - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        mfaAuthenticated: 'false',
      },
      assumedRoot: 'true',
    },
    inScopeOf: {
      credentialsIssuedTo: issuer,
      sourceAccount: /:(\d{12}):/.exec(issuer)?.[1],
    },
  };
}

/**
 * The CloudTrail record of a model event, as LookupEvents serves it (CloudTrailEvent) and as
 * EventBridge delivers it (the envelope's detail, root-activity.ts): one builder, so that the same
 * event reads the same both ways.
 */
export function cloudTrailRecord(
  account: AccountModel,
  event: CloudTrailEventModel,
): Record<string, unknown> {
  const root = event.identityType === 'Root';
  const consoleLogin = event.name === 'ConsoleLogin';
  const record: Record<string, unknown> = {
    eventVersion: '1.09',
    userIdentity: root
      ? event.assumedRootIssuer
        ? privilegedRootIdentity(account, event, event.assumedRootIssuer)
        : {
            type: 'Root',
            principalId: account.id,
            arn: `arn:aws:iam::${account.id}:root`,
            accountId: account.id,
            accessKeyId: event.accessKeyId ?? '',
          }
      : {
          type: event.identityType,
          principalId: `AIDA${account.id}:${event.username}`,
          arn:
            event.identityType === 'AssumedRole'
              ? `arn:aws:sts::${account.id}:assumed-role/${event.username}`
              : `arn:aws:iam::${account.id}:user/${event.username}`,
          accountId: account.id,
          accessKeyId: event.accessKeyId ?? '',
        },
    eventTime: new Date(event.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: event.source,
    eventName: event.name,
    awsRegion: recordedRegion(event),
    sourceIPAddress: event.sourceIp,
    userAgent: event.userAgent,
    requestParameters: event.requestParameters ?? null,
    responseElements: consoleLogin ? { ConsoleLogin: event.outcome ?? 'Success' } : null,
    ...(event.requestId ? { requestID: event.requestId } : {}),
    eventID: event.id,
    readOnly: event.readOnly,
    eventType: consoleLogin ? 'AwsConsoleSignIn' : 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account.id,
    eventCategory: 'Management',
  };
  if (consoleLogin) {
    record.additionalEventData = {
      LoginTo: 'https://console.aws.amazon.com/console/home',
      MobileVersion: 'No',
      MFAUsed: event.mfaUsed ? 'Yes' : 'No',
    };
    if (event.outcome === 'Failure') record.errorMessage = 'Failed authentication';
  }
  if (event.errorCode) record.errorCode = event.errorCode;
  if (event.errorMessage) record.errorMessage = event.errorMessage;
  return record;
}

/** GetTrailStatus's CloudWatch Logs fields: delivery stops when logging does. */
function cloudWatchLogsDelivery(trail: Trail, now: number, stopped: Date) {
  if (!trail.logGroupName) return {};
  const delivered = trail.latestCloudWatchLogsDeliveryTime
    ? new Date(trail.latestCloudWatchLogsDeliveryTime)
    : trail.logging
      ? new Date(now - 300_000)
      : stopped;
  return {
    LatestCloudWatchLogsDeliveryTime: delivered,
    LatestCloudWatchLogsDeliveryError: trail.cloudWatchLogsDeliveryError,
  };
}

function toTime(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value * 1000;
  const parsed = Date.parse(String(value));
  return Number.isNaN(parsed) ? undefined : parsed;
}

export const cloudtrail: ServiceHandlers = {
  DescribeTrails(ctx) {
    const names = (ctx.input.trailNameList as string[] | undefined) ?? [];
    const includeShadow = ctx.input.includeShadowTrails !== false;
    const trails = visibleTrails(ctx).filter(
      (v) =>
        (includeShadow || !v.shadow) &&
        (names.length === 0 || names.includes(v.trail.name) || names.includes(v.arn)),
    );
    return { trailList: trails.map(describe) };
  },

  GetTrailStatus(ctx) {
    const name = inputString(ctx, 'Name');
    if (!name) throw new SimError('InvalidTrailNameException', 'Trail name must not be empty.');
    const { trail } = findTrail(ctx, name);
    const started = trail.latestDeliveryTime
      ? new Date(trail.latestDeliveryTime)
      : new Date(ctx.now - 3_600_000);
    return {
      IsLogging: trail.logging,
      LatestDeliveryTime: trail.logging ? new Date(ctx.now - 300_000) : started,
      StartLoggingTime: trail.logging ? new Date(Date.parse('2023-01-01T00:00:00Z')) : undefined,
      StopLoggingTime: trail.logging ? undefined : started,
      LatestDeliveryAttemptTime: new Date(ctx.now - 300_000).toISOString(),
      LatestDeliveryAttemptSucceeded: new Date(ctx.now - 300_000).toISOString(),
      TimeLoggingStarted: trail.logging ? '2023-01-01T00:00:00Z' : undefined,
      TimeLoggingStopped: trail.logging ? undefined : started.toISOString(),
      ...cloudWatchLogsDelivery(trail, ctx.now, started),
    };
  },

  GetEventSelectors(ctx) {
    const name = inputString(ctx, 'TrailName');
    if (!name) throw new SimError('InvalidTrailNameException', 'Trail name must not be empty.');
    const v = findTrail(ctx, name);
    // A member sees the organization trail but may not read its selectors: only its owner can.
    if (v.owner.id !== ctx.account.id) throw trailNotFound(ctx, name);
    const t = v.trail;
    if (t.advancedEventSelectors) {
      return {
        TrailARN: v.arn,
        AdvancedEventSelectors: t.advancedEventSelectors.map((s) => ({
          Name: s.name,
          FieldSelectors: s.fieldSelectors.map((f) => ({
            Field: f.field,
            Equals: f.equals,
            NotEquals: f.notEquals,
            StartsWith: f.startsWith,
            NotStartsWith: f.notStartsWith,
          })),
        })),
      };
    }
    const selectors = t.eventSelectors ?? [{ readWriteType: 'All', includeManagementEvents: true }];
    return {
      TrailARN: v.arn,
      EventSelectors: selectors.map((s) => ({
        ReadWriteType: s.readWriteType,
        IncludeManagementEvents: s.includeManagementEvents,
        DataResources: [],
        ExcludeManagementEventSources: s.excludeManagementEventSources ?? [],
      })),
    };
  },

  LookupEvents(ctx) {
    const attributes =
      (ctx.input.LookupAttributes as { AttributeKey?: string; AttributeValue?: string }[]) ?? [];
    if (attributes.length > 1) {
      throw new SimError(
        'InvalidLookupAttributesException',
        'You cannot specify more than one lookup attribute.',
      );
    }
    const max = inputNumber(ctx, 'MaxResults') ?? 50;
    if (max < 1 || max > 50)
      throw new SimError('InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
    const requestedStart = toTime(ctx.input.StartTime);
    const end = toTime(ctx.input.EndTime) ?? ctx.now;
    if (requestedStart !== undefined && requestedStart > end) {
      throw new SimError('InvalidTimeRangeException', 'StartTime must be before EndTime.');
    }
    // An older StartTime is not refused: the answer simply holds what history keeps.
    const start = Math.max(requestedStart ?? 0, ctx.now - EVENT_HISTORY_MS);
    const attribute = attributes[0];
    const events = ctx.account.events
      .filter((e) => {
        const t = Date.parse(e.time);
        return (
          recordedRegion(e) === ctx.region &&
          t >= start &&
          t <= end &&
          (!attribute || lookupMatches(e, attribute.AttributeKey ?? '', attribute.AttributeValue ?? ''))
        );
      })
      .sort((a, b) => b.time.localeCompare(a.time));
    const scope = `events:${ctx.account.id}:${ctx.region}:${JSON.stringify([ctx.input.StartTime, ctx.input.EndTime, attribute])}`;
    const result = paginate(
      events,
      inputString(ctx, 'NextToken'),
      max,
      scope,
      () => new SimError('InvalidNextTokenException', 'Invalid NextToken.'),
    );
    return {
      Events: result.items.map((e) => ({
        EventId: e.id,
        EventName: e.name,
        ReadOnly: String(e.readOnly),
        AccessKeyId: e.accessKeyId,
        EventTime: new Date(e.time),
        EventSource: e.source,
        Username: e.username,
        Resources: [],
        CloudTrailEvent: JSON.stringify(cloudTrailRecord(ctx.account, e)),
      })),
      NextToken: result.next,
    };
  },
};
