// Wire formats: awsQuery (form in, XML out), awsJson 1.0/1.1, restJson1. Handlers return plain
// objects; these helpers turn them into the bytes the SDK's deserializers expect.

export class SimError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly sender: 'Sender' | 'Receiver' = status >= 500 ? 'Receiver' : 'Sender',
  ) {
    super(message);
  }
}

/** A map serialized the awsQuery way: <entry><key/><value/></entry>. */
export class XmlMap {
  constructor(readonly entries: Record<string, string | number>) {}
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

function xmlValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${xmlValue(item)}</member>`).join('');
  if (value instanceof XmlMap) {
    return Object.entries(value.entries)
      .map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${escapeXml(String(v))}</value></entry>`)
      .join('');
  }
  if (typeof value === 'object') return xmlFields(value as Record<string, unknown>);
  return escapeXml(String(value));
}

function xmlFields(record: Record<string, unknown>): string {
  let out = '';
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || value === null) continue;
    out += `<${key}>${xmlValue(value)}</${key}>`;
  }
  return out;
}

export function queryResponse(
  action: string,
  xmlns: string,
  result: Record<string, unknown> | undefined,
  requestId: string,
): string {
  const body = result ? `<${action}Result>${xmlFields(result)}</${action}Result>` : '';
  return `<${action}Response xmlns="${xmlns}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
}

export function queryError(error: SimError, requestId: string): string {
  return `<ErrorResponse><Error><Type>${error.sender}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/** Parses an awsQuery form body into nested objects: "A.member.1.B=x" → { A: [{ B: 'x' }] }. */
export function parseQuery(body: string): Record<string, unknown> {
  const params = new URLSearchParams(body);
  const root: Record<string, unknown> = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node: Record<string, unknown> = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] as string;
      const last = i === parts.length - 1;
      if (last) {
        node[part] = value;
        break;
      }
      // "member" and "entry" are list/map wrappers: keep index keys as object keys, flatten later.
      const child = (node[part] as Record<string, unknown> | undefined) ?? {};
      node[part] = child;
      node = child;
    }
  }
  return flattenMembers(root) as Record<string, unknown>;
}

function flattenMembers(node: unknown): unknown {
  if (!node || typeof node !== 'object') return node;
  const record = node as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === 'member') {
    const members = record.member as Record<string, unknown>;
    return Object.keys(members)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => flattenMembers(members[k]));
  }
  for (const key of keys) record[key] = flattenMembers(record[key]);
  return record;
}

/** JSON for awsJson/restJson: Dates become epoch seconds, the SDK's default timestamp format. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key, v) {
    const raw = this[key];
    if (raw instanceof Date) return raw.getTime() / 1000;
    return v;
  });
}

/** Opaque pagination token over an offset. */
function encodeToken(offset: number, scope: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: scope })).toString('base64');
}

function decodeToken(token: unknown, scope: string, invalid: () => SimError): number {
  if (token === undefined || token === null || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as {
      o: unknown;
      s: unknown;
    };
    if (typeof parsed.o === 'number' && parsed.s === scope && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through: AWS answers an invalid token with a validation error
  }
  throw invalid();
}

export interface Page<T> {
  items: T[];
  next?: string;
}

export function paginate<T>(
  all: readonly T[],
  token: unknown,
  max: number,
  scope: string,
  invalid: () => SimError,
): Page<T> {
  const start = decodeToken(token, scope, invalid);
  const items = all.slice(start, start + max);
  const end = start + items.length;
  return end < all.length ? { items, next: encodeToken(end, scope) } : { items };
}
