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
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** true for addresses a webhook must not reach (IPv4-mapped IPv6 checked as IPv4). */
export function isNonPublicAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) return blocked.check(address, 'ipv6');
  return true;
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
