// The search form and its two URL forms: the page URL (/search?service=…&operation=…&tags=…
// &lookback=…, Jaeger UI's shape, so links from alerts and Grafana keep working) and the query
// API request (/api/traces?service=…&tags={json}&start=µs&end=µs&minDuration=…&limit=…).
import { parseDuration } from './duration';
import { formatLogfmt, parseLogfmt } from './logfmt';

export interface SearchForm {
  service: string;
  operation: string; // '' = all
  tags: string; // logfmt
  lookback: string; // '1h', '2d', … or 'custom'
  start: number | null; // µs, with lookback 'custom'
  end: number | null; // µs, with lookback 'custom'
  minDuration: string;
  maxDuration: string;
  limit: number;
}

export const LOOKBACKS: { value: string; label: string }[] = [
  { value: '5m', label: 'Last 5 minutes' },
  { value: '15m', label: 'Last 15 minutes' },
  { value: '30m', label: 'Last 30 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '2h', label: 'Last 2 hours' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '12h', label: 'Last 12 hours' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '2d', label: 'Last 2 days' },
  { value: '7d', label: 'Last 7 days' },
  { value: 'custom', label: 'Custom range' },
];

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 1500;

export function emptyForm(): SearchForm {
  return {
    service: '',
    operation: '',
    tags: '',
    lookback: '1h',
    start: null,
    end: null,
    minDuration: '',
    maxDuration: '',
    limit: DEFAULT_LIMIT,
  };
}

// tags in a page URL may be logfmt (ours, Grafana) or a JSON object (older Jaeger UI links).
function tagsFromUrl(raw: string): string {
  const t = raw.trim();
  if (t.startsWith('{')) {
    try {
      const obj = JSON.parse(t) as Record<string, unknown>;
      if (obj && typeof obj === 'object' && !Array.isArray(obj)) {
        return formatLogfmt(Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, String(v)])));
      }
    } catch {
      /* not JSON: keep as typed */
    }
  }
  return t;
}

function intOrNull(v: string | null): number | null {
  if (v === null || v.trim() === '' || !/^\d+$/.test(v.trim())) return null;
  return Number(v);
}

export function parseSearchUrl(params: URLSearchParams): SearchForm {
  const f = emptyForm();
  f.service = params.get('service') ?? '';
  const op = params.get('operation') ?? '';
  f.operation = op === 'all' ? '' : op;
  // Repeated tag=k:v parameters (the API's form) are accepted too.
  const tagParts = params.getAll('tag').map((kv) => {
    const i = kv.indexOf(':');
    return i < 0 ? kv : formatLogfmt({ [kv.slice(0, i)]: kv.slice(i + 1) });
  });
  f.tags = [tagsFromUrl(params.get('tags') ?? ''), ...tagParts].filter(Boolean).join(' ');
  const start = intOrNull(params.get('start'));
  const end = intOrNull(params.get('end'));
  const lookback = params.get('lookback') ?? '';
  if (lookback === 'custom' || (!lookback && start !== null)) {
    f.lookback = 'custom';
    f.start = start;
    f.end = end;
  } else if (lookback && parseDuration(lookback) !== null) {
    f.lookback = lookback;
  }
  f.minDuration = params.get('minDuration') ?? '';
  f.maxDuration = params.get('maxDuration') ?? '';
  const limit = intOrNull(params.get('limit'));
  if (limit !== null && limit > 0) f.limit = Math.min(limit, MAX_LIMIT);
  return f;
}

export function toSearchUrl(form: SearchForm): URLSearchParams {
  const p = new URLSearchParams();
  if (form.service) p.set('service', form.service);
  if (form.operation) p.set('operation', form.operation);
  if (form.tags.trim()) p.set('tags', form.tags.trim());
  p.set('lookback', form.lookback);
  if (form.lookback === 'custom') {
    if (form.start !== null) p.set('start', String(form.start));
    if (form.end !== null) p.set('end', String(form.end));
  }
  if (form.minDuration.trim()) p.set('minDuration', form.minDuration.trim());
  if (form.maxDuration.trim()) p.set('maxDuration', form.maxDuration.trim());
  p.set('limit', String(form.limit));
  return p;
}

export interface ApiQuery {
  params: URLSearchParams | null;
  error: string | null;
}

// The /api/traces query for a form, with the time range resolved against nowMs.
export function toApiQuery(form: SearchForm, nowMs: number): ApiQuery {
  const p = new URLSearchParams();
  if (!form.service) return { params: null, error: 'Choose a service' };
  p.set('service', form.service);
  if (form.operation) p.set('operation', form.operation);
  const tags = parseLogfmt(form.tags);
  if (tags.error) return { params: null, error: `Tags: ${tags.error}` };
  if (Object.keys(tags.tags).length) p.set('tags', JSON.stringify(tags.tags));
  const nowUs = nowMs * 1000;
  let start: number;
  let end: number;
  if (form.lookback === 'custom') {
    end = form.end ?? nowUs;
    start = form.start ?? end - 3_600_000_000;
    if (start > end) return { params: null, error: 'The range starts after it ends' };
  } else {
    const lb = parseDuration(form.lookback) ?? 3_600_000_000;
    end = nowUs;
    start = nowUs - lb;
    p.set('lookback', form.lookback);
  }
  p.set('start', String(Math.floor(start)));
  p.set('end', String(Math.floor(end)));
  let min: number | null = null;
  if (form.minDuration.trim()) {
    min = parseDuration(form.minDuration);
    if (min === null) return { params: null, error: `Min duration "${form.minDuration}" is not like 100ms or 1.5s` };
    p.set('minDuration', form.minDuration.trim());
  }
  if (form.maxDuration.trim()) {
    const max = parseDuration(form.maxDuration);
    if (max === null) return { params: null, error: `Max duration "${form.maxDuration}" is not like 100ms or 1.5s` };
    if (min !== null && max < min) return { params: null, error: 'Max duration is below min duration' };
    p.set('maxDuration', form.maxDuration.trim());
  }
  p.set('limit', String(Math.max(1, Math.min(form.limit, MAX_LIMIT))));
  return { params: p, error: null };
}
