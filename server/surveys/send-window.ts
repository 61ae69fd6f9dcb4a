/**
 * A sliding-window pacer for rate-limited survey sends (surveys.md §10 S6). BullMQ's limiter
 * stays the authority across processes, but it counts job starts in fixed windows: a burst
 * at the end of one window and the start of the next can put more than `max` mails into
 * one second at the relay. This keeps, in this process, at most `max` send starts in any
 * window of `windowMs`; the caller passes a window a little longer than the limit's, since
 * the relay counts arrivals and each mail arrives one (varying) send time after it starts.
 */
export class SendWindow {
  private readonly starts: number[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Resolves when one more send may start (and counts it). */
  async acquire(): Promise<void> {
    for (;;) {
      const at = this.now();
      while (this.starts.length > 0 && this.starts[0]! <= at - this.windowMs) this.starts.shift();
      if (this.starts.length < this.max) {
        this.starts.push(at);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.starts[0]! + this.windowMs - at + 1));
    }
  }
}
