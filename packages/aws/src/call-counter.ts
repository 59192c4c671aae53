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

export class CallCounter {
  readonly #byService = new Map<string, ServiceCallCounts>();

  /** One HTTP attempt to `service` (its IAM prefix) that succeeded. */
  record(service: string): void {
    this.#countsOf(service).calls += 1;
  }

  /** One HTTP attempt to `service` that failed with `error`. */
  recordError(service: string, error: unknown): void {
    const counts = this.#countsOf(service);
    counts.calls += 1;
    counts.errors += 1;
    if (isThrottlingCode(errorCode(error))) counts.throttles += 1;
  }

  /** Adds counts taken earlier (an earlier attempt of the same piece of work). */
  add(counts: Readonly<Record<string, ServiceCallCounts>>): void {
    for (const [service, { calls, errors, throttles }] of Object.entries(counts)) {
      const mine = this.#countsOf(service);
      mine.calls += calls;
      mine.errors += errors;
      mine.throttles += throttles;
    }
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

  #countsOf(service: string): ServiceCallCounts {
    let counts = this.#byService.get(service);
    if (!counts) {
      counts = { calls: 0, errors: 0, throttles: 0 };
      this.#byService.set(service, counts);
    }
    return counts;
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
