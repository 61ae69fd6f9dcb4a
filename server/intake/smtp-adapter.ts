/**
 * The SMTP adapter for inbound email (docs/rules/correspondence.md §2): an `smtp-server` hook
 * behind the relay. Each message is handed to `ingest` (`ingestRawEmail`), and the relay
 * gets `250` only after that has committed; a failure answers `451` so the relay retries.
 * A redelivered message is recognised by its Message-ID and skipped by the ingest itself.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import { MAX_INBOUND_BYTES } from './inbound.js';

export interface InboundSmtp {
  /** The port actually listened on (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** An error carrying an SMTP reply code, as `smtp-server` expects. */
class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startInboundSmtp(opts: {
  port: number;
  host?: string;
  ingest: (raw: string) => Promise<unknown>;
  /** Largest message accepted; default 10 MiB. */
  maxBytes?: number;
  log?: (message: string) => void;
}): Promise<InboundSmtp> {
  const maxBytes = opts.maxBytes ?? MAX_INBOUND_BYTES;
  const log = opts.log ?? (() => {});

  const server = new SMTPServer({
    // An internal hop from our own relay: no sign-in, no STARTTLS.
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    size: maxBytes,
    banner: 'OPCC casework inbound',
    logger: false,
    // Within the worker's 25 s shutdown: idle relay connections are dropped after 10 s.
    closeTimeout: 10_000,
    onData(stream: SMTPServerDataStream, _session, callback) {
      const chunks: Buffer[] = [];
      let length = 0;
      stream.on('data', (chunk: Buffer) => {
        length += chunk.length;
        // Past the limit: keep draining, but stop holding it in memory.
        if (length <= maxBytes) chunks.push(chunk);
      });
      stream.once('error', (error: Error) => callback(error));
      stream.once('end', () => {
        if (stream.sizeExceeded || length > maxBytes) {
          callback(new SmtpReply(552, `Message exceeds the ${maxBytes} byte limit`));
          return;
        }
        const raw = Buffer.concat(chunks, length).toString('utf8');
        opts.ingest(raw).then(
          () => callback(),
          (error: unknown) => {
            log(
              `inbound smtp: ingest failed: ${error instanceof Error ? error.message : String(error)}`,
            );
            callback(new SmtpReply(451, 'Temporary failure storing the message, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (error) => log(`inbound smtp: ${error.message}`));

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
