/**
 * AWS unavailable during one account attempt (see isAwsUnavailable). When the endpoint is down,
 * every further call would fail too, each after its own retries and timeouts: an attempt that
 * stops at the first such failure is retried, whole, later, and writes no partial result set.
 */
import type { CollectionError } from '@rootaudit/checks';
import { AwsCallError, AwsUnavailableError, isAwsUnavailable, toCollectionError } from './errors.ts';

export type CallLimit = <T>(fn: () => Promise<T>) => Promise<T>;

export class OutageWatch {
  #first: AwsCallError | null = null;

  /**
   * `stopCalls`: once AWS has been unavailable, later calls of the attempt fail at once with the
   * same error instead of being made (the attempt is given up). Without it the failure is only
   * noted, and each call goes on its own (the last attempt: its results are recorded).
   */
  constructor(readonly stopCalls: boolean) {}

  /** The first call that found AWS unavailable, or null. */
  get first(): CollectionError | null {
    return this.#first?.collectionError ?? null;
  }

  /** Notes `error` when it says AWS is unavailable; `action` names it when it is no AwsCallError. */
  note(error: unknown, action: string): void {
    if (this.#first || !isAwsUnavailable(error)) return;
    this.#first =
      error instanceof AwsCallError ? error : new AwsCallError(toCollectionError(error, action), true);
  }

  /** Gives the attempt up once stopped: throws AwsUnavailableError naming `subject` and the first failure. */
  throwIfStopped(subject: string): void {
    if (this.stopCalls && this.#first) throw new AwsUnavailableError(subject, this.#first.collectionError);
  }

  /** `limit`, watched: every call through it is noted, and refused once stopped. */
  watch(limit: CallLimit): CallLimit {
    return async <T>(fn: () => Promise<T>): Promise<T> => {
      this.#refuseIfStopped();
      // Noted before the call's slot is given to the next one, which is then refused.
      return limit(async () => {
        this.#refuseIfStopped();
        try {
          return await fn();
        } catch (error) {
          this.note(error, 'unknown');
          throw error;
        }
      });
    };
  }

  #refuseIfStopped(): void {
    if (this.stopCalls && this.#first) throw this.#first;
  }
}
