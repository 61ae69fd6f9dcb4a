import net from 'node:net';

/**
 * A minimal clamd client for the INSTREAM command over TCP (clamd(8), "INSTREAM").
 *
 * Why not a library: `clamscan` (the maintained one) probes for local ClamAV binaries and
 * config files at init and reports "unreachable" and "could not parse" the same way as
 * other failures; `clamdjs` is unmaintained. The protocol is small enough to own:
 *
 *   client: "zINSTREAM\0"
 *   client: <4-byte big-endian length><chunk>   (repeated; each chunk ≤ StreamMaxLength)
 *   client: <0x00000000>                        (end of stream)
 *   clamd:  "stream: OK\0" | "stream: <signature> FOUND\0" | "... ERROR\0"
 *
 * The `z` prefix asks for NUL-terminated replies. Anything but OK or FOUND, a refused or
 * dropped connection, or a timeout is a ClamdUnavailableError: the caller retries later
 * and the file stays held.
 */

export type ClamdVerdict = { clean: true } | { clean: false; signature: string };

export class ClamdUnavailableError extends Error {
  override name = 'ClamdUnavailableError';
}

/** 64 KiB chunks: well under clamd's default StreamMaxLength chunking expectations. */
const CHUNK = 64 * 1024;

export function parseClamdUrl(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 3310) };
}

/** Streams `data` to clamd at `tcp://host:port` and returns its verdict. */
export function scanBuffer(
  url: string,
  data: Buffer,
  opts: { timeoutMs?: number } = {},
): Promise<ClamdVerdict> {
  const { host, port } = parseClamdUrl(url);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const replies: Buffer[] = [];
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (error: Error | undefined, verdict?: ClamdVerdict) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(verdict!);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new ClamdUnavailableError(`clamd did not answer within ${timeoutMs} ms`)),
    );
    socket.on('error', (error) =>
      finish(new ClamdUnavailableError(`clamd at ${host}:${port}: ${error.message}`)),
    );
    socket.on('data', (chunk: Buffer) => {
      replies.push(chunk);
      // The reply ends with NUL; clamd closes the connection after it too.
      if (chunk.includes(0)) finish(...verdictOf(replies));
    });
    socket.on('end', () => {
      if (!settled) finish(...errorOrVerdict(replies));
    });
    // A closed connection without an answer (clamd restarting) is "unavailable" too.
    socket.on('close', () => {
      if (!settled) finish(...errorOrVerdict(replies));
    });
    socket.on('connect', () => {
      socket.write('zINSTREAM\0');
      for (let offset = 0; offset < data.length; offset += CHUNK) {
        const chunk = data.subarray(offset, offset + CHUNK);
        const length = Buffer.alloc(4);
        length.writeUInt32BE(chunk.length);
        socket.write(length);
        socket.write(chunk);
      }
      socket.write(Buffer.alloc(4)); // zero length: end of stream
    });
  });
}

function errorOrVerdict(replies: Buffer[]): [Error | undefined, ClamdVerdict?] {
  if (replies.length === 0)
    return [new ClamdUnavailableError('clamd closed the connection without an answer')];
  return verdictOf(replies);
}

function verdictOf(replies: Buffer[]): [Error | undefined, ClamdVerdict?] {
  const text = Buffer.concat(replies)
    .toString('utf8')
    .replace(/\0[\s\S]*$/, '')
    .trim();
  // "stream: OK" | "stream: Eicar-Test-Signature FOUND" | "INSTREAM size limit exceeded. ERROR"
  if (/^stream: OK$/.test(text)) return [undefined, { clean: true }];
  const found = /^stream: (.+) FOUND$/.exec(text);
  if (found) return [undefined, { clean: false, signature: found[1]!.slice(0, 200) }];
  return [new ClamdUnavailableError(`clamd answered: ${text.slice(0, 200)}`)];
}
