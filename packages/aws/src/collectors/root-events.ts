/**
 * Root activity in CloudTrail event history: cloudtrail:LookupEvents in each scanned region over
 * the window, paced to the API's 2 requests per second per account and region. LookupEvents has no
 * user-type filter: it is asked for Username `root` and each event is kept only when its
 * userIdentity.type is Root (an IAM user named "root" is not the root user). Root console sign-ins
 * are recorded in the partition's global region (us-east-1), which is read for ConsoleLogin even
 * when it is not scanned.
 */
import { LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import type { RootEvent } from '@rootaudit/checks';
import { globalRegionOf } from '../arn.ts';
import { type AccountCollector, awsCall, paginate, perRegion } from '../collector.ts';

const ACTION = 'cloudtrail:LookupEvents';
const DAY_MS = 86_400_000;

interface CloudTrailRecord {
  eventID?: string;
  eventTime?: string;
  eventName?: string;
  eventSource?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  userIdentity?: { type?: string };
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
  };
}

export const rootEventsCollector: AccountCollector<'rootEvents'> = {
  key: 'rootEvents',
  actions: [ACTION],
  principals: ['audit-role'],
  needs: [],
  collect: ({ account, clients, regions, now, rootUsageWindowDays }) => {
    const windowEnd = now;
    const windowStart = new Date(now.getTime() - rootUsageWindowDays * DAY_MS);
    const signInRegion = globalRegionOf(account.partition);
    return perRegion([...regions, signInRegion], ACTION, async (region) => {
      const scanned = regions.includes(region);
      const cloudtrail = clients.client('cloudtrail', region);
      const attribute = scanned
        ? { AttributeKey: 'Username' as const, AttributeValue: 'root' }
        : { AttributeKey: 'EventName' as const, AttributeValue: 'ConsoleLogin' };
      const records = await paginate(async (token) => {
        const page = await clients.paceLookupEvents(region, () =>
          awsCall(clients.limit, ACTION, region, () =>
            cloudtrail.send(
              new LookupEventsCommand({
                LookupAttributes: [attribute],
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
        .filter(
          (event): event is RootEvent => event !== null && (scanned || event.eventName === 'ConsoleLogin'),
        )
        .sort((a, b) => b.eventTime.localeCompare(a.eventTime));
      return { windowStart: windowStart.toISOString(), windowEnd: windowEnd.toISOString(), events };
    });
  },
};
