import { BlockList, isIP } from 'node:net';

/** Parses `127.0.0.1, ::1, 10.0.0.0/8` into a BlockList; returns the entries it refused. */
export function parseAllowList(entries: readonly string[]): { list: BlockList; bad: string[] } {
  const list = new BlockList();
  const bad: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    if (
      family === 0 ||
      extra !== undefined ||
      (prefix !== undefined &&
        (bits === '' ||
          !Number.isInteger(prefix) ||
          prefix < 0 ||
          prefix > (family === 4 ? 32 : 128)))
    ) {
      bad.push(entry);
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return { list, bad };
}

/** Whether an address (IPv4-mapped IPv6 such as ::ffff:10.0.0.1 read as IPv4) is listed. */
export function isAllowed(list: BlockList, ip: string): boolean {
  const address = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
