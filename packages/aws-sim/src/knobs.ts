// Per-run behaviour: latency, throttling, faults. All optional; setKnobs() replaces them live.

/** Matches requests. Every field given must match; an empty matcher matches everything. */
export interface CallMatcher {
  /** Signing name: iam, sts, organizations, cloudtrail, logs, monitoring, sns, events, guardduty, account. */
  service?: string;
  /** Operation name as in the API, e.g. GetAccountSummary. */
  operation?: string;
  /**
   * Account the call acts in (the one the credentials map to). Faults (not throttling) also match
   * the account a call reaches into: AssumeRole's role account, AssumeRoot's target, GetAlternateContact's AccountId.
   */
  accountId?: string;
}

export interface ThrottleRule extends CallMatcher {
  /** Token bucket per account and API (service + operation): refill rate and capacity. */
  ratePerSecond: number;
  burst: number;
}

export interface ServerErrorBurst extends CallMatcher {
  /** The next `count` matching requests fail with `status` (default 500). */
  count: number;
  status?: 500 | 502 | 503;
}

export interface Knobs {
  /** Added to every call before it is answered. */
  latency?: { fixedMs: number; jitterMs?: number };
  throttling?: ThrottleRule[];
  /**
   * CloudTrail LookupEvents' own AWS limit: requests per second per account and region
   * (bucket of the same capacity). Default 2, as AWS; null turns it off.
   */
  lookupEventsRatePerSecond?: number | null;
  /** Time from GenerateCredentialReport to COMPLETE, unless an account sets its own. Default 20 ms. */
  credentialReportDelayMs?: number;
  faults?: {
    /** These calls get AccessDenied (each protocol's own code). */
    accessDenied?: CallMatcher[];
    /** AssumeRole of the audit role into these accounts fails as if the role were not deployed. */
    missingAuditRole?: string[];
    serverErrors?: ServerErrorBurst[];
    /** Credential reports of these accounts never complete; true for every account. */
    credentialReportStuck?: string[] | true;
  };
}

export function matches(
  matcher: CallMatcher,
  service: string,
  operation: string,
  accountId: string,
): boolean {
  return (
    (matcher.service === undefined || matcher.service === service) &&
    (matcher.operation === undefined || matcher.operation === operation) &&
    (matcher.accountId === undefined || matcher.accountId === accountId)
  );
}

/** Token buckets keyed by rule, account and API. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Takes one token; false when the bucket is empty (the call is throttled). */
  take(key: string, ratePerSecond: number, burst: number, now: number): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: burst, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return true;
    }
    return false;
  }

  clear(): void {
    this.buckets.clear();
  }
}
