/**
 * Root activity in CloudTrail event history: cloudtrail:LookupEvents in each scanned region and in
 * the partition's sign-in region (us-east-1), scanned or not: IAM calls, and calls to the global STS
 * and sign-in endpoints (root console sign-ins among them), are recorded there only; regional STS and
 * sign-in endpoints record in their own region, read when it is scanned. Pages are paced to the API's 2 requests per second per account and
 * region. LookupEvents has no user-type filter: it is asked for Username `root` and each event is
 * kept only when its userIdentity.type is Root (an IAM user named "root" is not the root user).
 * LookupEvents answers for the last 90 days only: a longer window is looked up for 90 days, and the
 * evidence says how many days were read.
 */
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { privilegedRootSessionOf, type RootEvent, type RootEvents } from '@rootaudit/checks';
import { globalRegionOf } from '../arn.ts';
import type { OrganizationClients } from '../clients.ts';
import { type AccountCollector, awsCall, paginate, perRegion } from '../collector.ts';

const ACTION = 'cloudtrail:LookupEvents';
const DAY_MS = 86_400_000;
/** How far back CloudTrail event history (LookupEvents) goes. */
export const LOOKUP_EVENTS_DAYS = 90;

interface CloudTrailRecord {
  eventID?: string;
  eventTime?: string;
  eventName?: string;
  eventSource?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  userIdentity?: {
    type?: string;
    sessionContext?: { assumedRoot?: string | boolean };
    inScopeOf?: {
      issuerType?: string;
      credentialsIssuedTo?: string;
      sourceArn?: string;
      sourceAccount?: string;
    };
  };
  additionalEventData?: { MFAUsed?: string };
  responseElements?: { ConsoleLogin?: string } | null;
}

/** A LookupEvents record as a RootEvent, or null when its identity is not the root user. */
export function rootEventFrom(cloudTrailEvent: string | undefined, region: string): RootEvent | null {
  let record: CloudTrailRecord;
  try {
    record = JSON.parse(cloudTrailEvent ?? '{}') as CloudTrailRecord;
  } catch {
    return null;
  }
  if (record.userIdentity?.type !== 'Root') return null;
  const mfa = record.additionalEventData?.MFAUsed;
  const signIn = record.responseElements?.ConsoleLogin;
  let outcome: RootEvent['outcome'];
  if (signIn === 'Success' || signIn === 'Failure') outcome = signIn;
  else if (record.errorCode) outcome = 'Failure';
  else outcome = record.eventName === 'ConsoleLogin' ? null : 'Success';
  return {
    eventId: record.eventID ?? '',
    eventTime: record.eventTime ? new Date(record.eventTime).toISOString() : '',
    eventName: record.eventName ?? '',
    eventSource: record.eventSource ?? '',
    region: record.awsRegion ?? region,
    sourceIpAddress: record.sourceIPAddress ?? null,
    userAgent: record.userAgent ?? null,
    mfaUsed: mfa === 'Yes' ? true : mfa === 'No' ? false : null,
    outcome,
    errorCode: record.errorCode || null,
    privilegedSession: privilegedRootSessionOf(record.userIdentity),
  };
}

/**
 * The principal rootaudit calls sts:AssumeRoot with, as AWS names it (sts:GetCallerIdentity needs
 * no permission); null when it cannot be learnt. The check compares it with the issuer of each
 * privileged root session, to tell rootaudit's own audit from anyone else's.
 */
async function auditIssuerOf(
  organizationClients: OrganizationClients | null,
  limit: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<string | null> {
  if (!organizationClients) return null;
  try {
    const identity = await awsCall(limit, 'sts:GetCallerIdentity', organizationClients.homeRegion, () =>
      organizationClients.client('sts').send(new GetCallerIdentityCommand({})),
    );
    return identity.Arn ?? null;
  } catch {
    return null;
  }
}

export const rootEventsCollector: AccountCollector<'rootEvents'> = {
  key: 'rootEvents',
  actions: [ACTION],
  // LookupEvents with the audit role; sts:GetCallerIdentity (no permission needed) with the
  // organization credentials, only when a privileged root session was found.
  principals: ['audit-role', 'organization'],
  needs: [],
  collect: async ({ account, clients, organizationClients, regions, now, rootUsageWindowDays }) => {
    const lookedUpDays = Math.min(rootUsageWindowDays, LOOKUP_EVENTS_DAYS);
    const windowEnd = now;
    const windowStart = new Date(now.getTime() - lookedUpDays * DAY_MS);
    const signInRegion = globalRegionOf(account.partition);
    const answers = await perRegion(
      [...regions, signInRegion],
      ACTION,
      async (region): Promise<RootEvents> => {
        const cloudtrail = clients.client('cloudtrail', region);
        const records = await paginate(async (token) => {
          const page = await clients.paceLookupEvents(region, () =>
            awsCall(clients.limit, ACTION, region, () =>
              cloudtrail.send(
                new LookupEventsCommand({
                  LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: 'root' }],
                  StartTime: windowStart,
                  EndTime: windowEnd,
                  MaxResults: 50,
                  NextToken: token,
                }),
              ),
            ),
          );
          return { items: page.Events, next: page.NextToken };
        });
        const events = records
          .map((record) => rootEventFrom(record.CloudTrailEvent, region))
          .filter((event): event is RootEvent => event !== null)
          .sort((a, b) => b.eventTime.localeCompare(a.eventTime));
        return {
          windowStart: windowStart.toISOString(),
          windowEnd: windowEnd.toISOString(),
          lookedUpDays,
          windowDays: rootUsageWindowDays,
          auditIssuer: null,
          events,
        };
      },
    );
    const privileged = Object.values(answers).some(
      (answer) => answer.ok && answer.value.events.some((event) => event.privilegedSession),
    );
    if (!privileged) return answers;
    const auditIssuer = await auditIssuerOf(organizationClients, clients.limit);
    for (const answer of Object.values(answers)) if (answer.ok) answer.value.auditIssuer = auditIssuer;
    return answers;
  },
};
