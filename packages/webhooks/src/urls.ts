/**
 * Webhook targets must be public: a URL that resolves to loopback, link-local (the instance
 * metadata service), private or otherwise reserved addresses is refused unless configuration
 * allows it, so API users cannot make rootaudit call into its own network.
 *
 * Checked when a webhook is created (the API) and again at every delivery (the worker): DNS can
 * change later (rebinding), so the deliverer also checks the address it actually connects to
 * (see guardedLookup).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  // IPv4-compatible addresses (::a.b.c.d, deprecated), :: and ::1 among them: `[::127.0.0.1]`
  // is written `[::7f00:1]` by URL parsers and reaches loopback on some stacks.
  ['::', 96],
  // IPv4-translated (SIIT) addresses, ::ffff:0:a.b.c.d.
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  // Teredo: the client's IPv4 address is inside, obfuscated; no webhook receiver needs it.
  ['2001::', 32],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** The eight 16-bit groups of an IPv6 address (isIP(address) === 6). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** true for addresses a webhook must not reach (IPv4 inside IPv6, mapped or 6to4, checked as IPv4). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  // BlockList checks IPv4-mapped addresses (::ffff:a.b.c.d) against the IPv4 rules itself.
  if (blocked.check(address, 'ipv6')) return true;
  const groups = ipv6Groups(address);
  // 6to4 (2002::/16): the IPv4 address of the relay is the next 32 bits, and is what is reached.
  if (groups[0] === 0x2002) {
    const [high = 0, low = 0] = groups.slice(1, 3);
    return blocked.check(`${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`, 'ipv4');
  }
  return false;
}

export type Resolver = (hostname: string) => Promise<string[]>;

const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** Why the URL may not be a webhook target, or null when it may. */
export async function webhookUrlProblem(
  raw: string,
  options: { allowPrivate: boolean; resolve?: Resolver },
): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http:// or https:// URL';
  if (url.username || url.password) return 'must not carry credentials; use the signing secret instead';
  if (options.allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch {
      return `${host} does not resolve`;
    }
  }
  const refused = addresses.find(isNonPublicAddress);
  if (refused) {
    return `${host} resolves to ${refused}, a loopback, link-local or private address (refused unless configuration allows private webhook URLs)`;
  }
  return null;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | { address: string; family: number }[],
  family?: number,
) => void;

/**
 * A `lookup` for node:http that resolves with `resolve` and refuses non-public addresses, so the
 * address connected to is the address checked (no window for DNS rebinding between check and
 * connect).
 */
export function guardedLookup(options: { allowPrivate: boolean; resolve?: Resolver }) {
  const resolveHost = options.resolve ?? systemResolver;
  return (hostname: string, lookupOptions: { all?: boolean }, callback: LookupCallback): void => {
    resolveHost(hostname).then(
      (addresses) => {
        const refused = options.allowPrivate ? undefined : addresses.find(isNonPublicAddress);
        if (refused || addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(
            refused
              ? `${hostname} resolves to ${refused}, a loopback, link-local or private address`
              : `${hostname} does not resolve`,
          );
          error.code = refused ? 'EWEBHOOKREFUSED' : 'ENOTFOUND';
          callback(error, []);
          return;
        }
        const entries = addresses.map((address) => ({ address, family: isIP(address) }));
        if (lookupOptions.all) callback(null, entries);
        else callback(null, entries[0]!.address, entries[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}
