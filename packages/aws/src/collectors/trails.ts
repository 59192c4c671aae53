/**
 * cloudtrail:DescribeTrails (includeShadowTrails) in every scanned region, deduplicated by ARN, so
 * organization trails are seen from members; then GetTrailStatus and GetEventSelectors per trail in
 * its home region. A trail whose status or selectors cannot be read keeps the error beside it.
 *
 * An organization trail owned by another account (the management account) is not read from the
 * member: AWS refuses GetEventSelectors on another account's trail. Its status and selectors come
 * from `organizationTrails`, read once per scan with the organization credentials.
 */
import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
  type Trail as SdkTrail,
} from '@aws-sdk/client-cloudtrail';
import type { Collected, CollectionError, OrganizationTrails, Trail } from '@rootaudit/checks';
import { type AccountCollector, awsCall, iso, type OrganizationCollector } from '../collector.ts';
import { collected, describeCollectionError, toCollectionError } from '../errors.ts';

const DESCRIBE = 'cloudtrail:DescribeTrails';
const STATUS = 'cloudtrail:GetTrailStatus';
const SELECTORS = 'cloudtrail:GetEventSelectors';

type ReadWrite = 'ReadOnly' | 'WriteOnly';

/** Does a trail record management events, and which: classic or advanced selectors. */
export function managementEventsOf(
  selectors: Pick<GetEventSelectorsCommandOutput, 'EventSelectors' | 'AdvancedEventSelectors'>,
): NonNullable<Trail['managementEvents']> {
  const kinds = new Set<ReadWrite>();
  const add = (readWriteType: string | undefined) => {
    if (readWriteType === 'ReadOnly' || readWriteType === 'WriteOnly') kinds.add(readWriteType);
    else {
      kinds.add('ReadOnly');
      kinds.add('WriteOnly');
    }
  };
  for (const selector of selectors.EventSelectors ?? []) {
    // IncludeManagementEvents defaults to true when absent.
    if (selector.IncludeManagementEvents !== false) add(selector.ReadWriteType);
  }
  for (const selector of selectors.AdvancedEventSelectors ?? []) {
    const fields = selector.FieldSelectors ?? [];
    const category = fields.find((f) => f.Field === 'eventCategory');
    if (!category?.Equals?.includes('Management')) continue;
    const readOnly = fields.find((f) => f.Field === 'readOnly');
    const values = readOnly?.Equals ?? [];
    if (values.length === 0 || (values.includes('true') && values.includes('false'))) add(undefined);
    else add(values.includes('true') ? 'ReadOnly' : 'WriteOnly');
  }
  if (kinds.size === 0) return { included: false, readWriteType: 'All' };
  return {
    included: true,
    readWriteType: kinds.size === 2 ? 'All' : (kinds.values().next().value as ReadWrite),
  };
}

/** The account id in a trail ARN (`arn:aws:cloudtrail:us-east-1:111122223333:trail/name`). */
function ownerOf(arn: string): string | null {
  return /^arn:[\w-]+:cloudtrail:[\w-]+:(\d{12}):trail\//.exec(arn)?.[1] ?? null;
}

type Limit = <T>(fn: () => Promise<T>) => Promise<T>;

/** DescribeTrails's view of a trail, before its status and selectors are read. */
function describedTrail(arn: string, trail: SdkTrail, homeRegion: string): Trail {
  return {
    name: trail.Name ?? arn,
    arn,
    homeRegion,
    isMultiRegionTrail: trail.IsMultiRegionTrail === true,
    isOrganizationTrail: trail.IsOrganizationTrail === true,
    isLogging: null,
    managementEvents: null,
    cloudWatchLogsLogGroupArn: trail.CloudWatchLogsLogGroupArn ?? null,
    latestCloudWatchLogsDeliveryTime: null,
    latestCloudWatchLogsDeliveryError: null,
  };
}

/** GetTrailStatus and GetEventSelectors in the trail's home region, each failure kept beside it. */
async function readTrail(trail: Trail, cloudtrail: CloudTrailClient, limit: Limit): Promise<Trail> {
  const { arn, homeRegion } = trail;
  const [status, selectors] = await Promise.all([
    awsCall(limit, STATUS, homeRegion, () => cloudtrail.send(new GetTrailStatusCommand({ Name: arn }))).then(
      (response) => ({
        isLogging: response.IsLogging ?? false,
        latestCloudWatchLogsDeliveryTime: iso(response.LatestCloudWatchLogsDeliveryTime),
        latestCloudWatchLogsDeliveryError: response.LatestCloudWatchLogsDeliveryError || null,
      }),
      (error: unknown) => ({ error: toCollectionError(error, STATUS, homeRegion) }),
    ),
    awsCall(limit, SELECTORS, homeRegion, () =>
      cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn })),
    ).then(
      (response) => ({ managementEvents: managementEventsOf(response) }),
      (error: unknown) => ({ error: toCollectionError(error, SELECTORS, homeRegion) }),
    ),
  ]);
  return {
    ...trail,
    ...('error' in status ? { statusError: status.error } : status),
    ...('error' in selectors ? { selectorsError: selectors.error } : selectors),
  };
}

/**
 * An organization trail owned by another account, completed from the organization's read of it;
 * when that read failed or did not list it, the error says so (never a member-side call AWS refuses).
 */
function fromOrganizationRead(
  trail: Trail,
  owner: string,
  organizationTrails: Collected<OrganizationTrails>,
): Trail {
  if (organizationTrails.ok) {
    const read = organizationTrails.value.trails.find((entry) => entry.arn === trail.arn);
    if (read) {
      const {
        isLogging,
        managementEvents,
        latestCloudWatchLogsDeliveryTime,
        latestCloudWatchLogsDeliveryError,
      } = read;
      return {
        ...trail,
        isLogging,
        managementEvents,
        latestCloudWatchLogsDeliveryTime,
        latestCloudWatchLogsDeliveryError,
        ...(read.statusError ? { statusError: read.statusError } : {}),
        ...(read.selectorsError ? { selectorsError: read.selectorsError } : {}),
      };
    }
  }
  const why = organizationTrails.ok
    ? 'the organization credentials did not list it (DescribeTrails); they must belong to the account that owns the trail'
    : `the organization credentials could not read it: ${describeCollectionError(organizationTrails.error)}`;
  const error = (action: string): CollectionError => ({
    action,
    code: organizationTrails.ok ? 'NotCollected' : organizationTrails.error.code,
    message: `organization trail ${trail.arn} belongs to account ${owner}, so its status and event selectors are read from there, and ${why}`,
    region: trail.homeRegion,
  });
  return { ...trail, statusError: error(STATUS), selectorsError: error(SELECTORS) };
}

export const trailsCollector: AccountCollector<'trails'> = {
  key: 'trails',
  actions: [DESCRIBE, STATUS, SELECTORS],
  principals: ['audit-role'],
  needs: ['organizationTrails'],
  collect: (context) =>
    collected(DESCRIBE, async () => {
      const { clients, regions } = context;
      const found = await Promise.all(
        [...new Set(regions)].map(async (region) => {
          const cloudtrail = clients.client('cloudtrail', region);
          const response = await awsCall(clients.limit, DESCRIBE, region, () =>
            cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
          );
          return { region, trails: response.trailList ?? [] };
        }),
      );
      const byArn = new Map<string, Trail>();
      for (const { region, trails } of found) {
        for (const trail of trails) {
          if (trail.TrailARN && !byArn.has(trail.TrailARN))
            byArn.set(trail.TrailARN, describedTrail(trail.TrailARN, trail, trail.HomeRegion ?? region));
        }
      }
      const trails = await Promise.all(
        [...byArn.values()].map(async (trail): Promise<Trail> => {
          const owner = ownerOf(trail.arn);
          if (trail.isOrganizationTrail && owner !== null && owner !== context.account.id)
            return fromOrganizationRead(trail, owner, await context.evidence('organizationTrails'));
          return readTrail(trail, clients.client('cloudtrail', trail.homeRegion), clients.limit);
        }),
      );
      return { trails: trails.sort((a, b) => a.arn.localeCompare(b.arn)) };
    }),
};

/**
 * The organization's trails, read once per scan with the organization credentials (the management
 * account owns organization trails): DescribeTrails in the organization clients' region (a
 * multi-region trail shows in every region), then status and selectors in each one's home region.
 */
export const organizationTrailsCollector: OrganizationCollector<'organizationTrails'> = {
  key: 'organizationTrails',
  actions: [DESCRIBE, STATUS, SELECTORS],
  collect: ({ clients, limit }) =>
    collected(DESCRIBE, async () => {
      const region = clients.homeRegion;
      const cloudtrail = clients.client('cloudtrail', region);
      const response = await awsCall(limit, DESCRIBE, region, () =>
        cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
      );
      const organizationTrails = (response.trailList ?? []).filter(
        (trail): trail is SdkTrail & { TrailARN: string } =>
          trail.IsOrganizationTrail === true && typeof trail.TrailARN === 'string',
      );
      const trails = await Promise.all(
        organizationTrails.map((trail) => {
          const described = describedTrail(trail.TrailARN, trail, trail.HomeRegion ?? region);
          return readTrail(described, clients.client('cloudtrail', described.homeRegion), limit);
        }),
      );
      return { trails: trails.sort((a, b) => a.arn.localeCompare(b.arn)) };
    }),
};
