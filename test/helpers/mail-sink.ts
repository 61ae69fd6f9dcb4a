import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  envelopeTo: string[];
  raw: string;
  parsed: ParsedMail;
  messageId: string | undefined;
}

/**
 * An in-process SMTP server catching what the app sends. `failNext(code)` answers the
 * next DATA with that SMTP code, to exercise retries and permanent failures; `hold(id)`
 * keeps one message's answer back until the test releases it.
 */
export class MailSink {
  readonly messages: CaughtMail[] = [];
  private server: SMTPServer;
  private failures: number[] = [];
  private holds = new Map<string, { arrived: () => void; released: Promise<void> }>();
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => void this.answer(chunks, session, callback));
      },
    });
  }

  /**
   * A slow mail server, mid-send: the answer to the message with this Message-ID (`<id@host>`)
   * waits for `release()`; `arrived` settles once its DATA is in. Named by Message-ID so no
   * other email still on its way (an earlier test's) can take the hold.
   */
  hold(messageId: string) {
    let arrived!: () => void;
    let release!: () => void;
    const inAtSink = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(messageId, { arrived, released });
    return { arrived: inAtSink, release };
  }

  private async answer(
    chunks: Buffer[],
    session: { envelope: { rcptTo: Array<{ address: string }> } },
    callback: (error?: Error | null) => void,
  ) {
    const raw = Buffer.concat(chunks).toString('utf8');
    const messageId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1];
    const hold = messageId ? this.holds.get(messageId) : undefined;
    if (hold) {
      this.holds.delete(messageId!);
      hold.arrived();
      await hold.released;
    }
    const code = this.failures.shift();
    if (code) {
      const error = new Error(`${code} simulated failure`) as Error & { responseCode: number };
      error.responseCode = code;
      return callback(error);
    }
    try {
      const parsed = await simpleParser(raw);
      this.messages.push({
        envelopeTo: session.envelope.rcptTo.map((r) => r.address),
        raw,
        parsed,
        messageId: parsed.messageId,
      });
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  failNext(...codes: number[]) {
    this.failures.push(...codes);
  }

  /** Waits until `count` messages have arrived (the worker sends asynchronously). */
  async waitFor(count: number, timeoutMs = 10_000): Promise<CaughtMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline)
        throw new Error(`expected ${count} emails, got ${this.messages.length}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.messages;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
