/**
 * cloudtrail:DescribeTrails (includeShadowTrails) in every scanned region, deduplicated by ARN, so
 * organization trails are seen from members; then GetTrailStatus and GetEventSelectors per trail in
 * its home region. A trail whose status or selectors cannot be read keeps the error beside it.
 */
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  type GetEventSelectorsCommandOutput,
  GetTrailStatusCommand,
  type Trail as SdkTrail,
} from '@aws-sdk/client-cloudtrail';
import type { Trail } from '@rootaudit/checks';
import { type AccountCollector, awsCall } from '../collector.ts';
import { collected, toCollectionError } from '../errors.ts';

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

export const trailsCollector: AccountCollector<'trails'> = {
  key: 'trails',
  actions: [DESCRIBE, STATUS, SELECTORS],
  principals: ['audit-role'],
  needs: [],
  collect: ({ clients, regions }) =>
    collected(DESCRIBE, async () => {
      const found = await Promise.all(
        [...new Set(regions)].map(async (region) => {
          const cloudtrail = clients.client('cloudtrail', region);
          const response = await awsCall(clients.limit, DESCRIBE, region, () =>
            cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })),
          );
          return { region, trails: response.trailList ?? [] };
        }),
      );
      const byArn = new Map<string, { trail: SdkTrail; seenIn: string }>();
      for (const { region, trails } of found) {
        for (const trail of trails) {
          if (trail.TrailARN && !byArn.has(trail.TrailARN))
            byArn.set(trail.TrailARN, { trail, seenIn: region });
        }
      }
      const trails = await Promise.all(
        [...byArn.entries()].map(async ([arn, { trail, seenIn }]): Promise<Trail> => {
          const homeRegion = trail.HomeRegion ?? seenIn;
          const cloudtrail = clients.client('cloudtrail', homeRegion);
          const [status, selectors] = await Promise.all([
            awsCall(clients.limit, STATUS, homeRegion, () =>
              cloudtrail.send(new GetTrailStatusCommand({ Name: arn })),
            ).then(
              (response) => ({ isLogging: response.IsLogging ?? false }),
              (error: unknown) => ({ error: toCollectionError(error, STATUS, homeRegion) }),
            ),
            awsCall(clients.limit, SELECTORS, homeRegion, () =>
              cloudtrail.send(new GetEventSelectorsCommand({ TrailName: arn })),
            ).then(
              (response) => ({ managementEvents: managementEventsOf(response) }),
              (error: unknown) => ({ error: toCollectionError(error, SELECTORS, homeRegion) }),
            ),
          ]);
          return {
            name: trail.Name ?? arn,
            arn,
            homeRegion,
            isMultiRegionTrail: trail.IsMultiRegionTrail === true,
            isOrganizationTrail: trail.IsOrganizationTrail === true,
            isLogging: 'isLogging' in status ? status.isLogging : null,
            ...('error' in status ? { statusError: status.error } : {}),
            managementEvents: 'managementEvents' in selectors ? selectors.managementEvents : null,
            ...('error' in selectors ? { selectorsError: selectors.error } : {}),
            cloudWatchLogsLogGroupArn: trail.CloudWatchLogsLogGroupArn ?? null,
          };
        }),
      );
      return { trails: trails.sort((a, b) => a.arn.localeCompare(b.arn)) };
    }),
};
