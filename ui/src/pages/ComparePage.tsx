// Compare two traces: summary of each and the structure diff (service:operation paths) with
// span counts, mean durations and deltas. /compare?a=…&b=… or Jaeger's /trace/{a}...{b}.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { fetchTrace } from '../api/client';
import { Link } from '../components/Link';
import { Empty, ErrorBox, Loading } from '../components/States';
import { useAsync } from '../hooks';
import { compareTraces, type DiffStatus } from '../lib/compare';
import { serviceColor } from '../lib/colors';
import { formatDuration } from '../lib/duration';
import { buildTraceModel, type TraceModel } from '../lib/traceModel';
import { navigate, tracePath } from '../router';

const STATUS_LABEL: Record<DiffStatus, string> = { same: '', changed: 'changed', added: 'only in B', removed: 'only in A' };

function Side({ label, model }: { label: string; model: TraceModel }) {
  return (
    <div className="compare-side panel">
      <div className="compare-label">{label}</div>
      <Link to={tracePath(model.traceID)} className="result-title">
        <span className="svc">{model.rootService}</span>: <span className="op">{model.rootOperation}</span>
      </Link>
      <div className="muted mono">{model.traceID}</div>
      <div>
        {formatDuration(model.duration)} · {model.spans.length} spans · {model.services.length} services
        {model.errorCount > 0 && <span className="status-error"> · {model.errorCount} errors</span>}
      </div>
    </div>
  );
}

export function ComparePage({ a, b }: { a: string; b: string }) {
  const [ia, setIa] = useState(a);
  const [ib, setIb] = useState(b);
  useEffect(() => {
    setIa(a);
    setIb(b);
  }, [a, b]);
  const result = useAsync(
    a && b
      ? async (signal) => {
          const [ta, tb] = await Promise.all([fetchTrace(a, signal), fetchTrace(b, signal)]);
          return [buildTraceModel(ta), buildTraceModel(tb)] as const;
        }
      : null,
    [a, b],
  );
  const rows = useMemo(() => (result.data ? compareTraces(result.data[0], result.data[1]) : []), [result.data]);
  const [onlyChanges, setOnlyChanges] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(`/compare?a=${encodeURIComponent(ia.trim())}&b=${encodeURIComponent(ib.trim())}`);
  };
  const shown = onlyChanges ? rows.filter((r) => r.status !== 'same') : rows;
  let body;
  if (!a || !b) body = <Empty title="Compare two traces">Enter two trace IDs, or tick two traces in the search results.</Empty>;
  else if (result.status === 'error') body = <ErrorBox error={result.error} onRetry={result.reload} />;
  else if (result.status !== 'done') body = <Loading what="both traces" />;
  else {
    const [ma, mb] = result.data;
    const total = mb.duration - ma.duration;
    body = (
      <>
        <div className="compare-sides">
          <Side label="A" model={ma} />
          <div className={`compare-delta ${total > 0 ? 'slower' : total < 0 ? 'faster' : ''}`}>
            B is {total === 0 ? 'as fast as' : `${formatDuration(Math.abs(total))} ${total > 0 ? 'slower' : 'faster'} than`} A
          </div>
          <Side label="B" model={mb} />
        </div>
        <div className="results-toolbar">
          <span>
            {rows.filter((r) => r.status !== 'same').length} of {rows.length} paths differ
          </span>
          <span className="spacer" />
          <label className="inline">
            <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} /> Only differences
          </label>
        </div>
        <table className="diff panel" aria-label="Structure diff">
          <thead>
            <tr>
              <th>Service: operation</th>
              <th>Spans A</th>
              <th>Spans B</th>
              <th>Mean A</th>
              <th>Mean B</th>
              <th>Δ mean</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => {
              const svc = r.label.slice(0, r.label.indexOf(':'));
              return (
                <tr key={r.path} className={`diff-${r.status}`}>
                  <td style={{ paddingLeft: 8 + Math.min(r.depth, 30) * 16 }} title={r.path}>
                    <span className="svc-mark" style={{ background: serviceColor(svc) }} />
                    {r.label}
                  </td>
                  <td className="num">{r.countA || '–'}</td>
                  <td className="num">{r.countB || '–'}</td>
                  <td className="num">{r.meanA === null ? '–' : formatDuration(r.meanA)}</td>
                  <td className="num">{r.meanB === null ? '–' : formatDuration(r.meanB)}</td>
                  <td className={`num ${r.delta && r.delta > 0 ? 'slower' : r.delta && r.delta < 0 ? 'faster' : ''}`}>
                    {r.delta === null ? '' : r.delta === 0 ? '±0' : `${r.delta > 0 ? '+' : ''}${formatDuration(r.delta)}`}
                  </td>
                  <td className="diff-status">{STATUS_LABEL[r.status]}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </>
    );
  }
  return (
    <div className="page-pad compare-page">
      <form className="compare-inputs" onSubmit={submit}>
        <input aria-label="Trace A" placeholder="Trace ID A" value={ia} onChange={(e) => setIa(e.target.value)} />
        <input aria-label="Trace B" placeholder="Trace ID B" value={ib} onChange={(e) => setIb(e.target.value)} />
        <button type="submit" className="primary" disabled={!ia.trim() || !ib.trim()}>
          Compare
        </button>
      </form>
      {body}
    </div>
  );
}
