/**
 * The console's only way to the API: same-origin /v1 requests carrying the API key in the
 * Authorization header. The key lives in sessionStorage (gone when the tab closes), never in a URL,
 * so it reaches no history, referrer or server log.
 */
const KEY_ITEM = 'rootaudit.apiKey';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_ITEM),
  signIn: (key: string) => sessionStorage.setItem(KEY_ITEM, key),
  signOut: () => sessionStorage.removeItem(KEY_ITEM),
};

/** Called when the key stops working mid-session (revoked, expired): the app signs out. */
let onUnauthorized: (message: string) => void = () => undefined;
export function whenUnauthorized(handler: (message: string) => void): void {
  onUnauthorized = handler;
}

async function request(
  path: string,
  init: { method?: string; body?: unknown; key?: string },
): Promise<Response> {
  const key = init.key ?? session.key();
  if (!key) throw new ApiFailure(401, 'not signed in');
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      cache: 'no-store',
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  } catch {
    throw new ApiFailure(0, 'the rootaudit API cannot be reached; check that the service runs');
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = ((await response.json()) as { message?: string }).message ?? message;
    } catch {
      // not JSON: keep the status line
    }
    if (response.status === 401 && init.key === undefined) onUnauthorized(message);
    throw new ApiFailure(response.status, message);
  }
  return response;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown; key?: string } = {},
): Promise<T> {
  const response = await request(path, init);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

/** Fetches with the key in the header and saves the answer as a file (the key never goes in a URL). */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path, {})).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A query string of the parameters that have a value. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
