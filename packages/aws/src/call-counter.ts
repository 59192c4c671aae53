/**
 * Counts AWS calls by service. Every HTTP attempt is one call, SDK retries included; an attempt
 * answered with an error (an AWS error code, a network failure, a timeout) is also an error, and
 * one answered with a throttling code (isThrottlingCode) also a throttle, whether a retry then
 * succeeded or not.
 *
 * A ClientFactory counts every call of its clients in its own counter. countCallsWithin() adds a
 * second counter for the calls made by one piece of work (the worker's account job), whichever
 * factory or principal makes them: the audit role's AssumeRole, organization reads, AssumeRoot.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { errorCode, isThrottlingCode } from './errors.ts';

export interface ServiceCallCounts {
  calls: number;
  errors: number;
  throttles: number;
}

export interface AwsCallRecord {
  /** Service name as in IAM actions: `iam`, `sts`, `cloudtrail`, … */
  service: string;
  /** Operation name, e.g. `GetAccountSummary`. */
  operation: string;
  region: string;
  /** The account whose credentials signed the call; null for base credentials. */
  accountId: string | null;
  /** The AWS error code when the attempt failed. */
  errorCode?: string;
  throttled: boolean;
}

export type AwsCallListener = (call: AwsCallRecord) => void;

export class CallCounter {
  readonly #byService = new Map<string, ServiceCallCounts>();
  readonly #listeners = new Set<AwsCallListener>();

  record(call: AwsCallRecord): void {
    let counts = this.#byService.get(call.service);
    if (!counts) {
      counts = { calls: 0, errors: 0, throttles: 0 };
      this.#byService.set(call.service, counts);
    }
    counts.calls += 1;
    if (call.errorCode !== undefined) counts.errors += 1;
    if (call.throttled) counts.throttles += 1;
    for (const listener of this.#listeners) listener(call);
  }

  recordError(base: Omit<AwsCallRecord, 'errorCode' | 'throttled'>, error: unknown): void {
    const code = errorCode(error);
    this.record({ ...base, errorCode: code, throttled: isThrottlingCode(code) });
  }

  /** Subscribes to every call; returns the unsubscribe function. */
  onCall(listener: AwsCallListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Counts by service, services in name order. */
  snapshot(): Record<string, ServiceCallCounts> {
    const snapshot: Record<string, ServiceCallCounts> = {};
    for (const [service, counts] of [...this.#byService].sort(([a], [b]) => a.localeCompare(b))) {
      snapshot[service] = { ...counts };
    }
    return snapshot;
  }

  total(): ServiceCallCounts {
    const total = { calls: 0, errors: 0, throttles: 0 };
    for (const counts of this.#byService.values()) {
      total.calls += counts.calls;
      total.errors += counts.errors;
      total.throttles += counts.throttles;
    }
    return total;
  }
}

const callScope = new AsyncLocalStorage<CallCounter>();

/**
 * Runs `work` so that `counter` also counts every AWS call made within it, its async continuations
 * included (timers, promises, p-limit queues). Scopes do not nest: the innermost counter counts.
 */
export function countCallsWithin<T>(counter: CallCounter, work: () => T): T {
  return callScope.run(counter, work);
}

/** The counter of the countCallsWithin() around the running code, if any. */
export function scopedCallCounter(): CallCounter | undefined {
  return callScope.getStore();
}
