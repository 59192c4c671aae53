/** Counts AWS calls by service (each HTTP attempt, retries included): the API's /metrics reads it. */
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
