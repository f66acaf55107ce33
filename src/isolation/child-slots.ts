/**
 * A process-wide bound on the untrusted-work children (model inspection, dataset checks) running at once. Each
 * child may use its whole memory limit, so the api's worst case is `limit × memory limit` rather than unbounded.
 */
export interface ChildSlotStats {
  limit: number;
  running: number;
  waiting: number;
  /** Most children that ever ran at once in this process. */
  peak: number;
  /** Children started through the slots since the process began. */
  started: number;
}

class ChildSlots {
  private limit = 1;
  private running = 0;
  private peak = 0;
  private started = 0;
  private readonly queue: Array<() => void> = [];

  setLimit(limit: number): void {
    this.limit = Math.max(1, Math.floor(limit));
    this.drain();
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.drain();
    });
    try {
      return await work();
    } finally {
      this.running--;
      this.drain();
    }
  }

  stats(): ChildSlotStats {
    return { limit: this.limit, running: this.running, waiting: this.queue.length, peak: this.peak, started: this.started };
  }

  private drain(): void {
    while (this.running < this.limit && this.queue.length > 0) {
      this.running++;
      this.started++;
      this.peak = Math.max(this.peak, this.running);
      this.queue.shift()!();
    }
  }
}

export const childSlots = new ChildSlots();
