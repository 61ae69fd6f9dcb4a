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
 * next DATA with that SMTP code, to exercise retries and permanent failures.
 */
export class MailSink {
  readonly messages: CaughtMail[] = [];
  private server: SMTPServer;
  private failures: number[] = [];
  private delays: number[] = [];
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

  /** Holds the answer to the next DATA for `ms` (a slow mail server, mid-send). */
  delayNext(ms: number) {
    this.delays.push(ms);
  }

  private async answer(
    chunks: Buffer[],
    session: { envelope: { rcptTo: Array<{ address: string }> } },
    callback: (error?: Error | null) => void,
  ) {
    const delay = this.delays.shift();
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const code = this.failures.shift();
    if (code) {
      const error = new Error(`${code} simulated failure`) as Error & { responseCode: number };
      error.responseCode = code;
      return callback(error);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
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
