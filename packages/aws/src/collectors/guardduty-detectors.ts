/** guardduty:ListDetectors and guardduty:GetDetector in each scanned region. */
import { GetDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { type AccountCollector, awsCall, paginate, perRegion } from '../collector.ts';

const LIST = 'guardduty:ListDetectors';
const GET = 'guardduty:GetDetector';

export const guardDutyDetectorsCollector: AccountCollector<'guardDutyDetectors'> = {
  key: 'guardDutyDetectors',
  actions: [LIST, GET],
  principals: ['audit-role'],
  needs: [],
  collect: ({ clients, regions }) =>
    perRegion(regions, LIST, async (region) => {
      const guardduty = clients.client('guardduty', region);
      const detectorIds = await paginate(async (token) => {
        const page = await awsCall(clients.limit, LIST, region, () =>
          guardduty.send(new ListDetectorsCommand({ NextToken: token })),
        );
        return { items: page.DetectorIds, next: page.NextToken };
      });
      return {
        detectors: await Promise.all(
          detectorIds.map(async (detectorId) => {
            const detector = await awsCall(clients.limit, GET, region, () =>
              guardduty.send(new GetDetectorCommand({ DetectorId: detectorId })),
            );
            return { detectorId, status: detector.Status ?? 'UNKNOWN' };
          }),
        ),
      };
    }),
};
