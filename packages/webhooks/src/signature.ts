/**
 * How a receiver knows a delivery came from rootaudit: `X-Rootaudit-Signature: t=<unix>,v1=<hex>`
 * where hex is HMAC-SHA256 with the webhook's secret over `<t>.<body>` (the timestamp is signed so
 * a captured request cannot be replayed later with a new one).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Rootaudit-Signature';
export const EVENT_HEADER = 'X-Rootaudit-Event';
export const DELIVERY_HEADER = 'X-Rootaudit-Delivery';

/** HMAC-SHA256 (hex) of `<timestamp>.<body>` with the secret. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The value of X-Rootaudit-Signature. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signPayload(secret, timestamp, body)}`;
}

/**
 * What a receiver does: true when the header signs this body with this secret and its timestamp is
 * within `toleranceSeconds` of now (constant-time comparison).
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const signature = parts.get('v1');
  if (!Number.isInteger(timestamp) || !signature || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
