import net from 'node:net';

interface Message {
  uid: number;
  raw: Buffer;
  internalDate: string;
  seen: boolean;
}

/**
 * A minimal in-process IMAP4rev1 server: one user, INBOX and Processed, and just the
 * commands the poller uses (LOGIN, LIST, CREATE, SELECT, UID SEARCH, UID FETCH, UID MOVE).
 * Enough to drive the real imapflow client over a real socket; not a general server.
 */
export class FakeImapServer {
  readonly folders = new Map<string, Message[]>([
    ['INBOX', []],
    ['Processed', []],
  ]);
  readonly commands: string[] = [];
  private nextUid = 1;
  private server = net.createServer((socket) => this.session(socket));
  port = 0;

  constructor(
    readonly user = 'casework',
    readonly password = 'secret',
  ) {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this;
  }

  get url() {
    return `imap://${this.user}:${this.password}@127.0.0.1:${this.port}/INBOX`;
  }

  deliver(raw: string, internalDate = '23-Nov-2026 09:59:00 +0000') {
    this.folders
      .get('INBOX')!
      .push({ uid: this.nextUid++, raw: Buffer.from(raw), internalDate, seen: false });
  }

  async stop() {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private session(socket: net.Socket) {
    let buffer = '';
    let selected: string | null = null;
    const send = (line: string | Buffer) => socket.write(line);
    send('* OK [CAPABILITY IMAP4rev1 MOVE UIDPLUS] fake IMAP ready\r\n');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.commands.push(line);
        const [tag, command = '', ...rest] = line.split(' ');
        const args = rest.join(' ');
        const ok = (text = 'done') => send(`${tag} OK ${text}\r\n`);
        const name = (value: string) => value.replace(/^"|"$/g, '');
        switch (command.toUpperCase()) {
          case 'CAPABILITY':
            send('* CAPABILITY IMAP4rev1 MOVE UIDPLUS\r\n');
            ok();
            break;
          case 'LOGIN': {
            const [user, password] = args.split(' ').map(name);
            if (user === this.user && password === this.password) ok('LOGIN completed');
            else send(`${tag} NO [AUTHENTICATIONFAILED] invalid credentials\r\n`);
            break;
          }
          case 'NOOP':
            ok();
            break;
          case 'LIST':
            if (args.endsWith('""')) send('* LIST (\\Noselect) "/" ""\r\n');
            else for (const folder of this.folders.keys()) send(`* LIST () "/" "${folder}"\r\n`);
            ok();
            break;
          case 'CREATE':
            if (this.folders.has(name(args))) send(`${tag} NO [ALREADYEXISTS] mailbox exists\r\n`);
            else {
              this.folders.set(name(args), []);
              ok();
            }
            break;
          case 'SELECT':
          case 'EXAMINE': {
            selected = name(args.split(' ')[0]!);
            const messages = this.folders.get(selected) ?? [];
            send('* FLAGS (\\Seen \\Deleted)\r\n');
            send(`* ${messages.length} EXISTS\r\n`);
            send('* OK [UIDVALIDITY 1] ok\r\n');
            send(`* OK [UIDNEXT ${this.nextUid}] ok\r\n`);
            ok('[READ-WRITE] SELECT completed');
            break;
          }
          case 'UID':
            this.uidCommand(tag!, rest, selected, send);
            break;
          case 'LOGOUT':
            send('* BYE logging out\r\n');
            ok();
            socket.end();
            break;
          default:
            send(`${tag} BAD unknown command ${command}\r\n`);
        }
      }
    });
  }

  private uidCommand(
    tag: string,
    rest: string[],
    selected: string | null,
    send: (line: string | Buffer) => void,
  ) {
    const messages = this.folders.get(selected ?? '') ?? [];
    const [sub = '', set = ''] = rest;
    const uids = (s: string) => s.split(',').map(Number);
    switch (sub.toUpperCase()) {
      case 'SEARCH': {
        const unseen = messages.filter((m) => !m.seen).map((m) => m.uid);
        send(`* SEARCH${unseen.map((u) => ` ${u}`).join('')}\r\n`);
        send(`${tag} OK SEARCH completed\r\n`);
        return;
      }
      case 'FETCH': {
        const wanted = rest.slice(2).join(' ').toUpperCase();
        for (const uid of uids(set)) {
          const index = messages.findIndex((m) => m.uid === uid);
          if (index === -1) continue;
          const m = messages[index]!;
          if (wanted.includes('BODY[]') && !wanted.includes('PEEK')) m.seen = true;
          send(
            `* ${index + 1} FETCH (UID ${m.uid} INTERNALDATE "${m.internalDate}" BODY[] {${m.raw.length}}\r\n`,
          );
          send(m.raw);
          send(')\r\n');
        }
        send(`${tag} OK FETCH completed\r\n`);
        return;
      }
      case 'MOVE': {
        const target = this.folders.get(rest[2]!.replace(/^"|"$/g, ''));
        if (!target) {
          send(`${tag} NO [TRYCREATE] no such mailbox\r\n`);
          return;
        }
        for (const uid of uids(set)) {
          const index = messages.findIndex((m) => m.uid === uid);
          if (index === -1) continue;
          const [moved] = messages.splice(index, 1);
          target.push({ ...moved!, uid: this.nextUid++ });
          send(`* ${index + 1} EXPUNGE\r\n`);
        }
        send(`${tag} OK MOVE completed\r\n`);
        return;
      }
      default:
        send(`${tag} BAD unknown UID command\r\n`);
    }
  }
}
