import { useEffect, useState } from 'preact/hooks';

/** Where the console is: the hash, so a reload or a shared link opens the same screen. */
export interface Route {
  /** Path segments after "#/": ["connectors", "order-lookup", "test"]. */
  parts: string[];
  query: URLSearchParams;
}

export function readRoute(hash: string = location.hash): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  return {
    parts: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
}

export function linkTo(parts: string[], query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value) params.set(key, value);
  const search = params.toString();
  return `#/${parts.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
}

export function navigate(parts: string[], query?: Record<string, string | undefined>): void {
  location.hash = linkTo(parts, query);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const update = () => setRoute(readRoute());
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
