// Fetches the Jaeger-compatible query API. Every call returns data or throws ApiFailure with a
// message fit for the UI (the envelope's errors, or the HTTP status, or the network error).
import type { Dependency, Envelope, Trace } from './types';

export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

// `accept: false` sends the browser's default Accept header, so the request matches the
// server's `Link: rel=preload` of a trace page and takes the preloaded response.
async function getJson<T>(url: string, signal?: AbortSignal, accept = true): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, accept ? { signal, headers: { Accept: 'application/json' } } : { signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiFailure(`Cannot reach the server: ${(e as Error).message}`, 0);
  }
  if (response.ok) {
    // The common path: let the browser parse without an intermediate string copy.
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiFailure('The server sent a reply that is not JSON', response.status);
    }
  }
  const text = await response.text();
  let errors: Envelope<unknown>['errors'] = null;
  try {
    errors = (JSON.parse(text) as Envelope<unknown>).errors;
  } catch {
    errors = null;
  }
  const msg = errors?.length ? errors.map((e) => e.msg).join('; ') : text.slice(0, 200);
  throw new ApiFailure(`${response.status} ${response.statusText}: ${msg}`.trim(), response.status);
}

async function getData<T>(url: string, signal?: AbortSignal, accept = true): Promise<{ data: T; errors: string[] }> {
  const env = await getJson<Envelope<T>>(url, signal, accept);
  return { data: env.data, errors: (env.errors ?? []).map((e) => e.msg) };
}

export async function fetchServices(signal?: AbortSignal): Promise<string[]> {
  const { data } = await getData<string[] | null>('/api/services', signal);
  return [...(data ?? [])].sort((a, b) => a.localeCompare(b));
}

export async function fetchOperations(service: string, signal?: AbortSignal): Promise<string[]> {
  const { data } = await getData<string[] | null>(
    `/api/services/${encodeURIComponent(service)}/operations`,
    signal,
  );
  return [...(data ?? [])].sort((a, b) => a.localeCompare(b));
}

export async function searchTraces(
  query: URLSearchParams,
  signal?: AbortSignal,
): Promise<{ data: Trace[]; errors: string[] }> {
  const r = await getData<Trace[] | null>(`/api/traces?${query.toString()}`, signal);
  return { data: r.data ?? [], errors: r.errors };
}

async function loadTrace(traceId: string, signal?: AbortSignal): Promise<Trace> {
  const { data } = await getData<Trace[] | null>(`/api/traces/${encodeURIComponent(traceId)}`, signal, false);
  if (!data || data.length === 0) throw new ApiFailure(`Trace ${traceId} not found`, 404);
  return data[0];
}

// A trace request started while the app boots (main.tsx, when the page opened is
// /trace/{id}), so the server assembles the trace while the bundle runs and React mounts.
// The first fetchTrace of that ID takes it; later ones fetch again (a reload wants fresh data).
let early: { traceId: string; promise: Promise<Trace> } | null = null;

export function prefetchTrace(traceId: string): void {
  const promise = loadTrace(traceId);
  promise.catch(() => {}); // reported to whoever takes it
  early = { traceId, promise };
}

export async function fetchTrace(traceId: string, signal?: AbortSignal): Promise<Trace> {
  if (early && early.traceId === traceId) {
    const { promise } = early;
    early = null;
    return promise;
  }
  early = null;
  return loadTrace(traceId, signal);
}

export async function fetchDependencies(
  endTsMs: number,
  lookbackMs: number,
  signal?: AbortSignal,
): Promise<Dependency[]> {
  const { data } = await getData<Dependency[] | null>(
    `/api/dependencies?endTs=${endTsMs}&lookback=${lookbackMs}`,
    signal,
  );
  return data ?? [];
}

// The raw JSON of a trace in one of the two download formats.
export async function fetchTraceDownload(traceId: string, format: 'jaeger' | 'otlp'): Promise<string> {
  const id = encodeURIComponent(traceId);
  const url = format === 'otlp' ? `/api/v3/traces/${id}` : `/api/traces/${id}`;
  const body = await getJson<unknown>(url);
  return JSON.stringify(body, null, 2);
}
