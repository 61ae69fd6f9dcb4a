import { SMTPServer } from 'smtp-server';

export interface SunkMail {
  to: string;
  /** The envelope sender (MAIL FROM): the VERP bounce address for survey mail. */
  from: string;
  messageId: string;
  at: number;
  raw?: string;
}

/**
 * A fast SMTP catcher for bulk tests and the benchmark: counts by recipient and Message-ID
 * without parsing bodies. Rules make chosen addresses fail at RCPT (550 5.1.1) and the next
 * N messages fail at DATA with a given reply (421, 450 ...).
 */
export class CountingSmtpSink {
  readonly mails: SunkMail[] = [];
  private server: SMTPServer;
  private addressRules = new Map<string, { code: number; text: string; times: number }>();
  private nextFailures: Array<{ code: number; text: string }> = [];
  /**
   * Runs once a message is recorded, before the 250 is sent (a fault test pauses the
   * sender's database here, so the 250 arrives but `sent` cannot be written).
   */
  beforeAccept: ((mail: SunkMail) => void | Promise<void>) | undefined;
  /** Refusals answered, by code. */
  readonly refused = new Map<number, number>();
  port = 0;

  constructor(private readonly options: { keepRaw?: boolean } = {}) {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      maxClients: 200,
      onRcptTo: (address, _session, callback) => {
        const rule = this.addressRules.get(address.address.toLowerCase());
        if (rule && rule.times > 0) {
          rule.times -= 1;
          return callback(this.refuse(rule.code, rule.text));
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const failure = this.nextFailures.shift();
          if (failure) return callback(this.refuse(failure.code, failure.text));
          const raw = Buffer.concat(chunks).toString('utf8');
          const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '';
          const sunk = session.envelope.rcptTo.map((rcpt) => ({
            to: rcpt.address.toLowerCase(),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            messageId,
            at: Date.now(),
            ...(this.options.keepRaw === false ? {} : { raw }),
          }));
          this.mails.push(...sunk);
          if (!this.beforeAccept || sunk.length === 0) return callback();
          void Promise.resolve(this.beforeAccept(sunk[0]!)).then(() => callback());
        });
      },
    });
  }

  private refuse(code: number, text: string) {
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
    return Object.assign(new Error(text), { responseCode: code });
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  failAddress(address: string, code: number, text: string, times = Number.POSITIVE_INFINITY) {
    this.addressRules.set(address.toLowerCase(), { code, text, times });
  }

  failNext(count: number, code: number, text: string) {
    for (let i = 0; i < count; i += 1) this.nextFailures.push({ code, text });
  }

  byRecipient(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const mail of this.mails) counts.set(mail.to, (counts.get(mail.to) ?? 0) + 1);
    return counts;
  }

  distinctMessageIds(): number {
    return new Set(this.mails.map((m) => m.messageId)).size;
  }

  async waitFor(predicate: () => boolean, timeoutMs: number, what: string) {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
