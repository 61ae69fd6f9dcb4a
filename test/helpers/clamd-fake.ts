import net from 'node:net';

/** The EICAR anti-virus test file: every scanner reports it, and it is harmless. */
export const EICAR = Buffer.from(
  'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*',
);

/**
 * An in-process clamd speaking INSTREAM over TCP, as test/helpers/mail-sink.ts is an SMTP
 * server: reads `zINSTREAM\0` (or `nINSTREAM\n`), then chunks framed by a 4-byte big-endian
 * length, until a zero length; answers `stream: OK` or, when the bytes contain the EICAR
 * string, `stream: Eicar-Test-Signature FOUND`. Records every stream it scanned.
 */
export class FakeClamd {
  readonly scanned: Buffer[] = [];
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  port = 0;

  constructor() {
    this.server = net.createServer((socket) => this.handle(socket));
  }

  /** Listens on `port` (0: any free port; a fixed one to come back "up" where it was). */
  async start(port = this.port): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  get url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  /** Closes the port and drops open connections ("clamd is down"); `start()` brings it back. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = net.createServer((socket) => this.handle(socket));
  }

  private handle(socket: net.Socket) {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let command: 'z' | 'n' | undefined;
    const chunks: Buffer[] = [];
    socket.on('data', (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      if (!command) {
        const end = buffer.findIndex((byte) => byte === 0 || byte === 0x0a);
        if (end < 0) return;
        const line = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 1);
        if (line !== 'zINSTREAM' && line !== 'nINSTREAM') {
          socket.end(`${line}: Unknown command\0`);
          return;
        }
        command = line[0] as 'z' | 'n';
      }
      while (buffer.length >= 4) {
        const length = buffer.readUInt32BE(0);
        if (length === 0) {
          const stream = Buffer.concat(chunks);
          this.scanned.push(stream);
          const verdict = stream.includes('EICAR-STANDARD-ANTIVIRUS-TEST-FILE')
            ? 'stream: Eicar-Test-Signature FOUND'
            : 'stream: OK';
          socket.end(`${verdict}${command === 'z' ? '\0' : '\n'}`);
          return;
        }
        if (buffer.length < 4 + length) return;
        chunks.push(buffer.subarray(4, 4 + length));
        buffer = buffer.subarray(4 + length);
      }
    });
  }
}

/**
 * Runs `clamd` beside the shared test app (test/helpers/fixture.ts): started before the app,
 * which is configured with its URL, and stopped after it. `useTestApp(besideApp(clamd))`.
 */
export function besideApp(clamd: FakeClamd) {
  return {
    before: async () => {
      await clamd.start();
      return { config: { clamdUrl: clamd.url } };
    },
    after: async () => clamd.stop().catch(() => undefined),
  };
}
