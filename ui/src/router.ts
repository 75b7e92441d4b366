// A tiny history-API router: the current location as React state, and navigate().
import { useSyncExternalStore } from 'react';

const EVENT = 'ariadne:navigate';

function subscribe(cb: () => void): () => void {
  window.addEventListener('popstate', cb);
  window.addEventListener(EVENT, cb);
  return () => {
    window.removeEventListener('popstate', cb);
    window.removeEventListener(EVENT, cb);
  };
}

const snapshot = () => window.location.pathname + window.location.search + window.location.hash;

export interface Loc {
  path: string;
  params: URLSearchParams;
  hash: string;
}

export function useLocation(): Loc {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname, params: url.searchParams, hash: url.hash };
}

export function navigate(to: string, replace = false): void {
  if (to === snapshot()) return;
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(EVENT));
}

export function tracePath(traceId: string, spanId?: string): string {
  const base = `/trace/${encodeURIComponent(traceId)}`;
  return spanId ? `${base}?uiFind=${encodeURIComponent(spanId)}` : base;
}
