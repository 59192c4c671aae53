/**
 * Spaces calls to at most `perSecond` starts per second, per key. cloudtrail:LookupEvents allows
 * 2 requests per second per account and region; going faster only earns throttling errors.
 */
export interface PacerClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: PacerClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const SWEEP_AT = 1024;

export class Pacer {
  readonly #intervalMs: number;
  readonly #next = new Map<string, number>();
  #sweepAt = SWEEP_AT;

  constructor(
    perSecond: number,
    readonly clock: PacerClock = realClock,
  ) {
    this.#intervalMs = 1000 / perSecond;
  }

  /** Waits for `key`'s next free slot, then runs `fn`. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const now = this.clock.now();
    // A key whose next slot has passed behaves as an unknown one: drop such keys now and then, so
    // a scan of 10,000 accounts does not keep 20,000 of them.
    if (this.#next.size >= this.#sweepAt) {
      for (const [known, next] of this.#next) if (next <= now) this.#next.delete(known);
      this.#sweepAt = Math.max(SWEEP_AT, 2 * this.#next.size);
    }
    const slot = Math.max(now, this.#next.get(key) ?? now);
    this.#next.set(key, slot + this.#intervalMs);
    if (slot > now) await this.clock.sleep(slot - now);
    return fn();
  }
}
