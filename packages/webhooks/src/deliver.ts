/**
 * Delivering one WebhookDelivery: POST the JSON body with the signature headers, 10 s timeout.
 * 2xx → DELIVERED. A non-2xx answer or a network error is recorded (attempts, response status,
 * last error) and thrown, so pg-boss retries the job with backoff; the last attempt ends FAILED.
 * A URL that now resolves to a non-public address (DNS changed since creation) is refused and
 * ends FAILED without a retry.
 *
 * A delivery already DELIVERED is not sent again, so a re-delivered job sends nothing twice. The
 * one window left is a worker dying between the receiver's 2xx and the update: receivers should
 * deduplicate on X-Rootaudit-Delivery (at-least-once).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { PrismaClient } from '@rootaudit/db';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.ts';
import { guardedLookup, type Resolver, webhookUrlProblem } from './urls.ts';

export interface DeliverOptions {
  prisma: PrismaClient;
  /** Allow URLs that resolve to loopback, link-local or private addresses [false]. */
  allowPrivate: boolean;
  /** DNS resolution (tests). */
  resolve?: Resolver;
  /** Per-request timeout [10 s]. */
  timeoutMs?: number;
  now?: () => Date;
}

export interface DeliveryAttempt {
  deliveryId: string;
  /** pg-boss's retryCount of this job (0 on the first attempt) and its retryLimit. */
  retryCount: number;
  retryLimit: number;
}

export type DeliveryOutcome =
  | { outcome: 'delivered'; responseStatus: number }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'refused'; reason: string };

/** A failed attempt that pg-boss should retry (unless it was the last). */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    message: string,
    readonly responseStatus: number | null,
  ) {
    super(message);
  }
}

const MAX_ERROR_LENGTH = 1000;
const USER_AGENT = 'rootaudit-webhooks/1';

function post(
  url: URL,
  body: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; resolve?: Resolver; timeoutMs: number },
): Promise<{ status: number; text: string }> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: options.timeoutMs,
        // The address connected to is checked, not only the one resolved before.
        lookup: guardedLookup(options) as never,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          // Only the start of the answer is kept (for lastError).
          if (size < 2048) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolvePromise({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)),
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export async function deliverWebhook(
  options: DeliverOptions,
  attempt: DeliveryAttempt,
): Promise<DeliveryOutcome> {
  const { prisma } = options;
  const now = options.now ?? (() => new Date());
  const delivery = await prisma.webhookDelivery.findUnique({
    where: { id: attempt.deliveryId },
    include: { webhook: true },
  });
  if (!delivery) return { outcome: 'skipped', reason: 'the delivery no longer exists (webhook deleted)' };
  if (delivery.status !== 'PENDING') return { outcome: 'skipped', reason: `already ${delivery.status}` };
  if (!delivery.webhook.enabled) {
    await prisma.webhookDelivery.update({
      where: { id: delivery.id },
      data: { status: 'FAILED', lastError: 'the webhook is disabled' },
    });
    return { outcome: 'skipped', reason: 'the webhook is disabled' };
  }
  const { webhook } = delivery;
  const resolve = options.resolve ? { resolve: options.resolve } : {};
  const problem = await webhookUrlProblem(webhook.url, { allowPrivate: options.allowPrivate, ...resolve });
  if (problem) {
    const reason = `webhook URL refused at delivery: ${problem}`;
    await prisma.webhookDelivery.update({
      where: { id: delivery.id },
      data: { status: 'FAILED', attempts: { increment: 1 }, lastError: reason },
    });
    return { outcome: 'refused', reason };
  }

  const body = JSON.stringify({
    id: delivery.id,
    event: delivery.event,
    eventId: delivery.eventId,
    createdAt: delivery.createdAt.toISOString(),
    data: delivery.payload,
  });
  const timestamp = Math.floor(now().getTime() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    [SIGNATURE_HEADER]: signatureHeader(webhook.secret, timestamp, body),
    [EVENT_HEADER]: delivery.event,
    [DELIVERY_HEADER]: delivery.id,
  };
  let failure: WebhookDeliveryError;
  try {
    const response = await post(new URL(webhook.url), body, headers, {
      allowPrivate: options.allowPrivate,
      ...resolve,
      timeoutMs: options.timeoutMs ?? 10_000,
    });
    if (response.status >= 200 && response.status < 300) {
      await prisma.webhookDelivery.update({
        where: { id: delivery.id },
        data: {
          status: 'DELIVERED',
          attempts: { increment: 1 },
          responseStatus: response.status,
          lastError: null,
          deliveredAt: now(),
        },
      });
      return { outcome: 'delivered', responseStatus: response.status };
    }
    const excerpt = response.text.trim().slice(0, 200);
    failure = new WebhookDeliveryError(
      `the receiver answered ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
      response.status,
    );
  } catch (error) {
    failure = new WebhookDeliveryError(`POST ${webhook.url} failed: ${(error as Error).message}`, null);
  }
  const last = attempt.retryCount >= attempt.retryLimit;
  await prisma.webhookDelivery.update({
    where: { id: delivery.id },
    data: {
      status: last ? 'FAILED' : 'PENDING',
      attempts: { increment: 1 },
      responseStatus: failure.responseStatus,
      lastError: failure.message.slice(0, MAX_ERROR_LENGTH),
    },
  });
  throw failure;
}
