import net from 'node:net';

/**
 * A TCP proxy in the test process, piping to a real port (PostgreSQL, Redis), that can
 * pause traffic (the peer looks hung), delay every chunk, or reset every connection.
 */
export class TcpProxy {
  private server: net.Server;
  private sockets = new Set<net.Socket>();
  private paused = false;
  private delayMs = 0;
  private refusing = false;
  private held: Array<() => void> = [];
  port = 0;

  constructor(
    private readonly targetPort: number,
    private readonly targetHost = '127.0.0.1',
  ) {
    this.server = net.createServer((client) => this.accept(client));
  }

  private accept(client: net.Socket) {
    if (this.refusing) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(this.targetPort, this.targetHost);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk: Buffer) => {
        const send = () => {
          if (!to.destroyed) to.write(chunk);
        };
        if (this.paused) this.held.push(send);
        else if (this.delayMs > 0) setTimeout(send, this.delayMs);
        else send();
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  /** Holds every byte in both directions (connections stay open): a hung peer. */
  pause() {
    this.paused = true;
  }

  resume() {
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const send of held) send();
  }

  delay(ms: number) {
    this.delayMs = ms;
  }

  /** Resets every open connection (RST); with `refuse`, new ones too until allow(). */
  reset(options: { refuse?: boolean } = {}) {
    if (options.refuse) this.refusing = true;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    this.held = [];
  }

  allow() {
    this.refusing = false;
  }

  /** A URL like `base` but through this proxy. */
  url(base: string): string {
    const url = new URL(base);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async stop(): Promise<void> {
    this.reset({ refuse: true });
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
