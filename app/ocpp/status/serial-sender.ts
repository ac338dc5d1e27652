// Sends items one at a time, in the order pushed. `clear()` drops what has not started and
// marks the one in flight as stale, so its failure can be told apart from a current one.

export type SendFailure<T> = (item: T, error: unknown, stale: boolean) => void;

export class SerialSender<T> {
  private queue: T[] = [];
  private busy = false;
  private epoch = 0;

  constructor(
    private readonly send: (item: T) => Promise<void>,
    private readonly onFailure: SendFailure<T>,
  ) {}

  push(item: T): void {
    this.queue.push(item);
    void this.pump();
  }

  clear(): void {
    this.queue = [];
    this.epoch += 1;
  }

  /** Whether an item waiting (not yet started) matches. */
  has(predicate: (item: T) => boolean): boolean {
    return this.queue.some(predicate);
  }

  /** Nothing in flight and nothing waiting. */
  get idle(): boolean {
    return !this.busy && this.queue.length === 0;
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        const epoch = this.epoch;
        try {
          await this.send(item);
        } catch (error) {
          try {
            this.onFailure(item, error, epoch !== this.epoch);
          } catch {
            // a failing handler must not stop the queue
          }
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
