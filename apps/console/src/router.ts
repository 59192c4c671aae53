/**
 * Routing in the URL's fragment (`#/findings?status=FAIL`): the server only ever serves `/`, the
 * filters of a page are in the URL (shareable, kept by back and forward), and no path reaches the
 * server's logs.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  /** The path after '#', e.g. /accounts/111111111111. */
  path: string;
  /** Its segments: ['accounts', '111111111111']. */
  segments: string[];
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '/', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const normalized = path.startsWith('/') ? path : `/${path}`;
  return {
    path: normalized,
    segments: normalized.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(search),
  };
}

export function href(path: string, params: Record<string, string | undefined | null> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) search.set(name, value);
  const text = search.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

export function navigate(path: string, params: Record<string, string | undefined | null> = {}): void {
  window.location.hash = href(path, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const changed = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', changed);
    return () => window.removeEventListener('hashchange', changed);
  }, []);
  return route;
}
