/**
 * POST /v1/events/aws: root events pushed by an EventBridge API destination, one event per request,
 * the body exactly as EventBridge sends it. Only `ingest` keys may call it (the connection's
 * header), and they may call nothing else (auth plugin).
 *
 * The steps are ingestRootEvent's (@rootaudit/service), shared with the worker's SQS consumer. An
 * accepted event is answered 200 with what became of it once it is processed (stored, duplicate,
 * own-session, foreign-account): EventBridge delivers at least once and retries on 5xx and 429, so
 * every outcome that must not be retried is a 2xx. A malformed or non-root event is 400 with the
 * reason naming the field (EventBridge does not retry it). A database that cannot take the event is
 * a 500, which EventBridge retries.
 */
import type { IngestOutcome } from '@rootaudit/service';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, errorBody } from '../errors.ts';

/** Takes one event in (ingestRootEvent with the process's database, queue and audit issuer). */
export type RootEventIngest = (envelope: unknown) => Promise<IngestOutcome>;

/**
 * EventBridge refuses events over 256 KB (its PutEvents entry size: detail, detail-type, source,
 * resources, time); the envelope an API destination sends adds a few hundred bytes of its own
 * fields, and JSON escaping by the sender can grow it a little more.
 */
export const EVENT_BODY_LIMIT = 320 * 1024;

/**
 * Per ingest key per minute: EventBridge's API destinations invoke at up to 300 per second by
 * default (raised on request); a burst of root activity must not be refused by rootaudit first.
 */
const INGEST_RATE_LIMIT = { max: 120_000, timeWindow: 60_000 };

/**
 * Documents the envelope; validation only asks for an object, so a malformed event is refused by
 * parseRootEvent, whose reasons name the field (one wording for push and pull).
 */
const eventBridgeEvent = z
  .looseObject({
    version: z.unknown().optional().describe('"0"'),
    id: z.unknown().optional().describe("EventBridge's id of this delivery"),
    'detail-type': z
      .unknown()
      .optional()
      .describe('"AWS Console Sign In via CloudTrail" or "AWS API Call via CloudTrail"'),
    source: z.unknown().optional().describe('aws.signin, aws.iam, aws.<service>'),
    account: z.unknown().optional().describe('the account the event happened in (12 digits)'),
    time: z.unknown().optional(),
    region: z.unknown().optional(),
    resources: z.unknown().optional(),
    detail: z
      .unknown()
      .optional()
      .describe('the CloudTrail record; userIdentity.type must be Root; eventID is the dedupe key'),
  })
  .meta({ id: 'EventBridgeEvent' });

const accepted = z
  .object({
    status: z
      .enum(['stored', 'duplicate', 'own-session', 'foreign-account'])
      .describe(
        "stored: new, the finding and webhooks updated; duplicate: stored before, nothing written; own-session: rootaudit's own privileged root session, not root use; foreign-account: the account is not in the organization, not stored",
      ),
    eventId: z.string().describe("CloudTrail's eventID"),
    accountId: z.string(),
  })
  .meta({ id: 'IngestedEvent' });

export async function eventRoutes(
  instance: FastifyInstance,
  options: { ingestRootEvent?: RootEventIngest | undefined },
): Promise<void> {
  const app = instance.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/events/aws',
    {
      bodyLimit: EVENT_BODY_LIMIT,
      config: { scope: 'ingest', rateLimit: INGEST_RATE_LIMIT },
      schema: {
        tags: ['root activity'],
        summary:
          'One EventBridge event of root activity, as an API destination sends it (ingest keys only): 200 when accepted, 400 with the reason when not a root event',
        security: [{ apiKey: [] }],
        body: eventBridgeEvent,
        response: {
          200: accepted,
          400: errorBody,
          401: errorBody,
          403: errorBody,
          413: errorBody,
          503: errorBody,
        },
      },
    },
    async (request) => {
      if (!options.ingestRootEvent) {
        throw new ApiError(503, 'this API process has no queue: root events cannot be taken in here');
      }
      const outcome = await options.ingestRootEvent(request.body);
      if (outcome.status === 'refused') throw new ApiError(400, outcome.reason);
      return outcome;
    },
  );
}
