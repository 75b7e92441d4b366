// Search: the form (service, operation, logfmt tags, durations, time range, limit) on the left,
// results on the right (scatter plot and a sortable list). The form state lives in the URL
// (/search?service=…&operation=…&tags=…&lookback=…), so every search is a shareable link.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { fetchOperations, fetchServices, searchTraces } from '../api/client';
import { Link } from '../components/Link';
import { Scatter } from '../components/Scatter';
import { ServiceBadge } from '../components/ServiceBadge';
import { Empty, ErrorBox, Loading } from '../components/States';
import { useAsync } from '../hooks';
import { formatAgo, formatDuration, formatTimestamp } from '../lib/duration';
import { SORT_ORDERS, sortSummaries, summarize, type SortOrder } from '../lib/results';
import { LOOKBACKS, parseSearchUrl, toApiQuery, toSearchUrl, type SearchForm } from '../lib/searchParams';
import { navigate, tracePath, type Loc } from '../router';

function toLocalInput(us: number | null): string {
  if (us === null) return '';
  const d = new Date(us / 1000 - new Date().getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}
function fromLocalInput(v: string): number | null {
  if (!v) return null;
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? ms * 1000 : null;
}

function SearchFormPanel(props: { initial: SearchForm; onSubmit: (f: SearchForm) => void }) {
  const [form, setForm] = useState(props.initial);
  useEffect(() => setForm(props.initial), [props.initial]);
  const services = useAsync((s) => fetchServices(s), []);
  const operations = useAsync(form.service ? (s) => fetchOperations(form.service, s) : null, [form.service]);
  const set = <K extends keyof SearchForm>(k: K, v: SearchForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    props.onSubmit(form);
  };
  const serviceList = services.data ?? [];
  const known = !form.service || serviceList.includes(form.service);
  return (
    <form className="search-form panel" onSubmit={submit} aria-label="Search traces">
      <label>
        <span>
          Service <span className="count">{services.data ? `(${serviceList.length})` : ''}</span>
        </span>
        <select value={form.service} onChange={(e) => setForm((f) => ({ ...f, service: e.target.value, operation: '' }))} name="service">
          <option value="">{services.status === 'loading' ? 'Loading…' : 'Choose a service'}</option>
          {!known && <option value={form.service}>{form.service}</option>}
          {serviceList.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      {services.status === 'error' && <div className="field-error">{services.error}</div>}
      <label>
        Operation
        <select value={form.operation} onChange={(e) => set('operation', e.target.value)} name="operation" disabled={!form.service}>
          <option value="">All</option>
          {form.operation && !(operations.data ?? []).includes(form.operation) && <option value={form.operation}>{form.operation}</option>}
          {(operations.data ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </label>
      <label>
        Tags
        <input
          name="tags"
          value={form.tags}
          placeholder='http.status_code=500 error=true'
          onChange={(e) => set('tags', e.target.value)}
          spellCheck={false}
        />
        <span className="hint">logfmt: key=value pairs, quote values with spaces</span>
      </label>
      <label>
        Lookback
        <select value={form.lookback} onChange={(e) => set('lookback', e.target.value)} name="lookback">
          {LOOKBACKS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
      </label>
      {form.lookback === 'custom' && (
        <div className="row2">
          <label>
            From
            <input type="datetime-local" value={toLocalInput(form.start)} onChange={(e) => set('start', fromLocalInput(e.target.value))} />
          </label>
          <label>
            To
            <input type="datetime-local" value={toLocalInput(form.end)} onChange={(e) => set('end', fromLocalInput(e.target.value))} />
          </label>
        </div>
      )}
      <div className="row2">
        <label>
          Min duration
          <input name="minDuration" value={form.minDuration} placeholder="e.g. 100ms" onChange={(e) => set('minDuration', e.target.value)} />
        </label>
        <label>
          Max duration
          <input name="maxDuration" value={form.maxDuration} placeholder="e.g. 1.5s" onChange={(e) => set('maxDuration', e.target.value)} />
        </label>
      </div>
      <label>
        Limit results
        <input name="limit" type="number" min={1} max={1500} value={form.limit} onChange={(e) => set('limit', Number(e.target.value) || 20)} />
      </label>
      <button type="submit" className="primary" disabled={!form.service}>
        Find traces
      </button>
    </form>
  );
}

function ResultList(props: { traces: ReturnType<typeof summarize>[]; picked: string[]; onPick: (id: string) => void }) {
  const now = Date.now();
  const maxDur = Math.max(1, ...props.traces.map((t) => t.duration));
  return (
    <ol className="results" aria-label="Traces found">
      {props.traces.map((t) => (
        <li key={t.traceID} className={`result${t.errorCount ? ' result-error' : ''}`} data-trace-id={t.traceID}>
          <div className="result-head">
            <input
              type="checkbox"
              aria-label="Select for comparison"
              checked={props.picked.includes(t.traceID)}
              onChange={() => props.onPick(t.traceID)}
            />
            <Link to={tracePath(t.traceID)} className="result-title">
              <span className="svc">{t.rootService}</span>: <span className="op">{t.rootOperation}</span>
              <span className="trace-id">{t.traceID.slice(0, 7)}</span>
            </Link>
            <span className="result-duration">{formatDuration(t.duration)}</span>
          </div>
          <div className="result-bar">
            <span style={{ width: `${(100 * t.duration) / maxDur}%` }} />
          </div>
          <div className="result-meta">
            <span className="badge">{t.spanCount} spans</span>
            {t.errorCount > 0 && <span className="badge badge-error">{t.errorCount} errors</span>}
            {t.services.map((s) => (
              <ServiceBadge key={s.name} name={s.name} count={s.spans} errors={s.errors} />
            ))}
            <span className="spacer" />
            <span className="when" title={formatTimestamp(t.startTime)}>
              {formatTimestamp(t.startTime)} · {formatAgo(t.startTime, now)}
            </span>
          </div>
        </li>
      ))}
    </ol>
  );
}

export function SearchPage({ loc }: { loc: Loc }) {
  const key = loc.params.toString();
  const form = useMemo(() => parseSearchUrl(new URLSearchParams(key)), [key]);
  const [refresh, setRefresh] = useState(0); // bumps re-resolve the lookback against "now"
  const query = useMemo(() => (form.service ? toApiQuery(form, Date.now()) : null), [form, refresh]);
  const result = useAsync(query?.params ? (s) => searchTraces(query.params!, s) : null, [query]);
  const [order, setOrder] = useState<SortOrder>('recent');
  const [picked, setPicked] = useState<string[]>([]);
  const summaries = useMemo(() => (result.data ? result.data.data.map(summarize) : []), [result.data]);
  const sorted = useMemo(() => sortSummaries(summaries, order), [summaries, order]);
  const onPick = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));

  let body;
  if (!form.service) {
    body = (
      <Empty title="Find traces">
        Choose a service and press <b>Find traces</b>. Tags take logfmt (<code>error=true http.status_code=500</code>); the
        search is saved in the URL so you can share it.
      </Empty>
    );
  } else if (query?.error) {
    body = <ErrorBox error={query.error} />;
  } else if (result.status === 'error') {
    body = <ErrorBox error={result.error} onRetry={result.reload} />;
  } else if (result.status === 'loading' && !result.data) {
    body = <Loading what="traces" />;
  } else if (!sorted.length) {
    body = (
      <Empty title="No traces found">Nothing matched in this time range. Widen the lookback, or remove tags and duration limits.</Empty>
    );
  } else {
    body = (
      <>
        <Scatter traces={summaries} onOpen={(id) => navigate(tracePath(id))} />
        <div className="results-toolbar">
          <span>
            <b>{sorted.length}</b> trace{sorted.length === 1 ? '' : 's'}
            {result.data?.errors.length ? <span className="warn"> · {result.data.errors.join('; ')}</span> : null}
          </span>
          <span className="spacer" />
          <button type="button" disabled={picked.length !== 2} onClick={() => navigate(`/compare?a=${encodeURIComponent(picked[0])}&b=${encodeURIComponent(picked[1])}`)}>
            Compare selected ({picked.length}/2)
          </button>
          <label className="inline">
            Sort
            <select value={order} onChange={(e) => setOrder(e.target.value as SortOrder)} aria-label="Sort results">
              {SORT_ORDERS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ResultList traces={sorted} picked={picked} onPick={onPick} />
      </>
    );
  }
  return (
    <div className="search-page">
      <SearchFormPanel
        initial={form}
        onSubmit={(f) => {
          const url = `/search?${toSearchUrl(f).toString()}`;
          // The same search again means "refresh": the URL does not change, so reload.
          if (url === window.location.pathname + window.location.search) setRefresh((n) => n + 1);
          else navigate(url);
        }}
      />
      <section className="search-results" aria-busy={result.status === 'loading'}>
        {body}
      </section>
    </div>
  );
}
