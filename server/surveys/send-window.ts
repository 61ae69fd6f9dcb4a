/**
 * A sliding-window pacer for rate-limited survey sends (docs/rules/surveys.md §10 S6). BullMQ's limiter
 * stays the authority across processes, but it counts job starts in fixed windows: a burst
 * at the end of one window and the start of the next can put more than `max` mails into
 * one second at the relay.
 *
 * This counts each send from its start until `windowMs` after it finished, and starts a new
 * one only while fewer than `max` are counted. Why that bounds arrivals: a mail reaches the
 * relay between its start and its finish, so of the mails arriving in any window, the last
 * to start found every other one still sending or finished less than `windowMs` before it
 * started, all counted. Counting from the start alone (an earlier version) let a loaded
 * machine's delays bunch mails that started apart into one second (209 in a 200/s test).
 */
export class SendWindow {
  /** One entry per counted send: when it finished, or Infinity while it is still sending. */
  private readonly sends: { finishedAt: number }[] = [];

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Resolves when one more send may start (and counts it); call the result when it ends. */
  async acquire(): Promise<() => void> {
    for (;;) {
      const at = this.now();
      for (let i = this.sends.length - 1; i >= 0; i -= 1)
        if (this.sends[i]!.finishedAt <= at - this.windowMs) this.sends.splice(i, 1);
      if (this.sends.length < this.max) {
        const send = { finishedAt: Infinity };
        this.sends.push(send);
        return () => {
          if (send.finishedAt === Infinity) send.finishedAt = this.now();
        };
      }
      const soonest = Math.min(...this.sends.map((s) => s.finishedAt));
      // All still sending: look again shortly (a finish frees a place windowMs later).
      const wait = Number.isFinite(soonest) ? soonest + this.windowMs - at + 1 : 5;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)));
    }
  }
}
