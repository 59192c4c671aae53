import type { ServiceHandlers } from '../context.ts';
import { paginate, SimError } from '../protocol.ts';

// restJson1: GET /detector and GET /detector/{detectorId}; member names are camelCase on the wire.
export const guardduty: ServiceHandlers = {
  ListDetectors(ctx) {
    const detectors = ctx.account.detectors.filter((d) => d.region === ctx.region);
    const max = Number(ctx.query?.get('maxResults') ?? 50);
    if (!(max >= 1 && max <= 50))
      throw new SimError('BadRequestException', 'maxResults must be between 1 and 50.');
    const page = paginate(
      detectors.map((d) => d.id),
      ctx.query?.get('nextToken') ?? undefined,
      max,
      `detectors:${ctx.account.id}:${ctx.region}`,
      () =>
        new SimError(
          'BadRequestException',
          'The request is rejected because an invalid nextToken was given.',
        ),
    );
    return { detectorIds: page.items, nextToken: page.next };
  },

  GetDetector(ctx) {
    const id = ctx.path?.[1] ?? '';
    const detector = ctx.account.detectors.find((d) => d.region === ctx.region && d.id === id);
    if (!detector) {
      throw new SimError(
        'BadRequestException',
        'The request is rejected because the input detectorId is not owned by the current account.',
      );
    }
    const created = detector.created ?? ctx.account.joined;
    return {
      createdAt: created,
      findingPublishingFrequency: 'SIX_HOURS',
      serviceRole: `arn:aws:iam::${ctx.account.id}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty`,
      status: detector.status,
      updatedAt: created,
      tags: {},
    };
  },
};
