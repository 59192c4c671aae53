export interface CallRecord {
  seq: number;
  /** Epoch ms when the request arrived. */
  at: number;
  service: string;
  operation: string;
  /** The account the call acted in (from the credentials). */
  accountId: string;
  region: string;
  accessKeyId: string;
  principalKind: 'base' | 'role' | 'root';
  /** HTTP status answered. */
  status: number;
  /** AWS error code, when the call failed. */
  errorCode?: string;
}

export interface CallFilter {
  service?: string;
  operation?: string;
  accountId?: string;
  region?: string;
  /** true: only failed calls; false: only successful ones. */
  failed?: boolean;
  errorCode?: string;
}

/** Every call the simulator answered. Keeps the last `capacity` records; totals keep counting. */
export class CallLog {
  // A ring buffer: once full, each new record replaces the oldest.
  private records: CallRecord[] = [];
  private head = 0;
  private seq = 0;
  private readonly totals = new Map<string, number>();

  constructor(readonly capacity = 200_000) {}

  record(entry: Omit<CallRecord, 'seq'>): void {
    this.seq += 1;
    const record = { seq: this.seq, ...entry };
    if (this.records.length < this.capacity) this.records.push(record);
    else {
      this.records[this.head] = record;
      this.head = (this.head + 1) % this.capacity;
    }
    const key = `${entry.service}:${entry.operation}`;
    this.totals.set(key, (this.totals.get(key) ?? 0) + 1);
  }

  /** Records kept, oldest first, optionally filtered. */
  entries(filter: CallFilter = {}): CallRecord[] {
    const ordered =
      this.head === 0
        ? this.records
        : [...this.records.slice(this.head), ...this.records.slice(0, this.head)];
    return ordered.filter((r) => matchesFilter(r, filter));
  }

  count(filter: CallFilter = {}): number {
    let n = 0;
    for (const r of this.records) if (matchesFilter(r, filter)) n += 1;
    return n;
  }

  /** Calls per "service:operation" since start or the last clear, including records no longer kept. */
  countsByOperation(): Record<string, number> {
    return Object.fromEntries([...this.totals].sort(([a], [b]) => a.localeCompare(b)));
  }

  get total(): number {
    return this.seq;
  }

  clear(): void {
    this.records = [];
    this.head = 0;
    this.totals.clear();
    this.seq = 0;
  }
}

function matchesFilter(r: CallRecord, f: CallFilter): boolean {
  return (
    (f.service === undefined || r.service === f.service) &&
    (f.operation === undefined || r.operation === f.operation) &&
    (f.accountId === undefined || r.accountId === f.accountId) &&
    (f.region === undefined || r.region === f.region) &&
    (f.errorCode === undefined || r.errorCode === f.errorCode) &&
    (f.failed === undefined || (r.errorCode !== undefined) === f.failed)
  );
}
